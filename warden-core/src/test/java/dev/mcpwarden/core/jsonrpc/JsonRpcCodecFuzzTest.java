package dev.mcpwarden.core.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mcpwarden.core.json.Json;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzes the JSON-RPC codec with raw request bodies (seeds in {@code JsonRpcCodecFuzzTestInputs/}; see
 * docs/fuzzing.md). In the default test run the seeds run as ordinary tests.
 *
 * <p>Invariants: only {@link McpError} escapes, with -32700 (malformed, duplicate key, too deep, number out of
 * range) or -32600 (not a message) and HTTP 400 and one of the documented messages; a parsed document is within
 * the depth limit; a message read from it survives encode → parse → read unchanged, and encoding is stable.
 */
class JsonRpcCodecFuzzTest {

    private static final JsonRpcCodec CODEC = new JsonRpcCodec(Json.standard());
    private static final Set<String> PARSE_MESSAGES = Set.of("Parse error: malformed JSON",
            "Parse error: duplicate key in JSON object", "Parse error: JSON nesting too deep",
            "Parse error: number out of range");

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aBodyIsAMessageOrADocumentedErrorAndMessagesSurviveARoundTrip(byte[] body) {
        JsonNode document;
        try {
            document = CODEC.parse(body);
        } catch (McpError e) {
            assertThat(e.code()).isEqualTo(ErrorCodes.PARSE_ERROR);
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).isIn(PARSE_MESSAGES);
            return;
        }
        assertThat(document).isNotNull();
        assertThat(document.isMissingNode()).isFalse();
        assertThat(JsonRpcCodec.depth(document)).isLessThanOrEqualTo(Json.DEFAULT_MAX_DEPTH);
        // What we parsed, we can write, and what we write parses back to the same tree.
        assertThat(CODEC.parse(CODEC.json().bytes(document))).isEqualTo(document);
        if (JsonRpcCodec.isBatch(document)) {
            for (JsonNode element : document) {
                readAndRoundTrip(element);
            }
            return;
        }
        readAndRoundTrip(document);
    }

    private static void readAndRoundTrip(JsonNode node) {
        JsonRpcMessage message;
        try {
            message = CODEC.read(node);
        } catch (McpError e) {
            assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_REQUEST);
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).startsWith("Invalid request: ");
            return;
        }
        switch (message) {
            case JsonRpcMessage.Request r -> {
                assertThat(r.method()).isNotEmpty();
                assertThat(r.id().isString() || r.id().isIntegralNumber()).isTrue();
            }
            case JsonRpcMessage.Notification n -> assertThat(n.method()).isNotEmpty();
            case JsonRpcMessage.Response r -> assertThat(r.id().isString() || r.id().isIntegralNumber()).isTrue();
            case JsonRpcMessage.ErrorResponse e -> assertThat(e.error().message()).isNotEmpty();
        }
        byte[] encoded = CODEC.encode(message);
        JsonRpcMessage again = CODEC.read(CODEC.parse(encoded));
        assertThat(again).isEqualTo(message);
        assertThat(CODEC.encode(again)).isEqualTo(encoded);
    }
}
