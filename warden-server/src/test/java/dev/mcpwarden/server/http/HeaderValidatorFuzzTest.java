package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.dispatch.ChangeListener;
import dev.mcpwarden.server.dispatch.ModernMeta;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Target;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fuzzes the request-head checks of the MCP endpoint: the 2026-07-28 routing headers against the body
 * ({@code MCP-Protocol-Version} with {@code _meta}, {@code Mcp-Method}, {@code Mcp-Name}, {@code Mcp-Param-*}) and
 * the DNS-rebinding check of {@code Host} and {@code Origin}. An input is an HTTP head ({@code Name: value} lines),
 * an empty line and a JSON-RPC body, as in the seeds of {@code HeaderValidatorFuzzTestInputs/}.
 *
 * <p>Invariants: only the documented refusals escape (-32602/-32020/-32022 with 400 for {@code _meta}; -32020 with
 * 400 for the routing headers; 403 for Host/Origin), with the documented message prefixes; a request that passes
 * really mirrors its headers; the answer is deterministic; the {@code =?base64?…?=} form decodes to what was
 * encoded.
 */
class HeaderValidatorFuzzTest {

    private static final JsonRpcCodec CODEC = new JsonRpcCodec(Json.standard());
    private static final HeaderValidator VALIDATOR = new HeaderValidator(new OneTool());
    private static final HostOriginStage HOST_ORIGIN = new HostOriginStage(Set.of("mcp.example.com"),
            Set.of("https://app.example.com"));

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void requestHeadsAreAcceptedOnlyWhenTheyMirrorTheBodyAndRefusedAsDocumented(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int split = text.indexOf("\n\n");
        String head = split < 0 ? text : text.substring(0, split);
        String body = split < 0 ? "" : text.substring(split + 2);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line : head.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }

        hostAndOrigin(headers.get("Host"), headers.get("Origin"));
        nameHeaderEncoding(headers.get("Mcp-Name"));

        JsonRpcMessage.Request request;
        try {
            if (!(CODEC.read(CODEC.parse(body.getBytes(StandardCharsets.UTF_8))) instanceof JsonRpcMessage.Request r)) {
                return;
            }
            request = r;
        } catch (McpError e) {
            return; // the codec's own target covers bodies
        }
        Throwable meta = catchThrowable(() -> ModernMeta.read(request.params(), headers.get("MCP-Protocol-Version")));
        if (meta != null) {
            assertThat(meta).isInstanceOf(McpError.class);
            McpError e = (McpError) meta;
            assertThat(e.code()).isIn(ErrorCodes.INVALID_PARAMS, ErrorCodes.HEADER_MISMATCH,
                    ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION);
            assertThat(e.httpStatus()).isEqualTo(400);
        }
        Throwable routing = catchThrowable(() -> VALIDATOR.validate(headers::get, request));
        Throwable again = catchThrowable(() -> VALIDATOR.validate(headers::get, request));
        if (routing == null) {
            assertThat(again).isNull();
            assertThat(headers.get("Mcp-Method")).isEqualTo(request.method());
            String key = switch (request.method()) {
                case "tools/call", "prompts/get" -> "name";
                case "resources/read" -> "uri";
                default -> null;
            };
            if (key != null) {
                assertThat(HeaderValidator.decode(headers.get("Mcp-Name"), "Mcp-Name"))
                        .isEqualTo(request.params().get(key).asString());
            }
            return;
        }
        assertThat(routing).isInstanceOf(McpError.class);
        McpError e = (McpError) routing;
        assertThat(e.code()).isEqualTo(ErrorCodes.HEADER_MISMATCH);
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("Header mismatch: Mcp-");
        assertThat(again).isInstanceOf(McpError.class).hasMessage(e.getMessage());
    }

    private static void hostAndOrigin(String host, String origin) {
        Throwable t = catchThrowable(() -> HOST_ORIGIN.check(host, origin));
        if (t != null) {
            assertThat(t).isInstanceOf(Rejection.class);
            assertThat(((Rejection) t).status()).isEqualTo(403);
            assertThat(t.getMessage()).isIn("Forbidden: Host header not allowed", "Forbidden: Origin not allowed");
            return;
        }
        String name = HostOriginStage.hostName(host.toLowerCase(Locale.ROOT));
        assertThat(name).isIn("localhost", "127.0.0.1", "[::1]", "::1", "mcp.example.com");
    }

    private static void nameHeaderEncoding(String value) {
        if (value == null || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            return;
        }
        String wrapped = "=?base64?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                + "?=";
        if (value.equals(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))) {
            assertThat(HeaderValidator.decode(wrapped, "Mcp-Name")).isEqualTo(value);
        }
    }

    /** One tool with header-mirrored arguments of each scalar type. */
    private static final class OneTool implements Definitions {
        private final Entry tool;

        OneTool() {
            ObjectNode json = (ObjectNode) Json.standard().parse("""
                    {"name":"echo","inputSchema":{"type":"object","properties":{
                      "region":{"type":"string","x-mcp-header":"Region"},
                      "count":{"type":"number","x-mcp-header":"Count"},
                      "flag":{"type":"boolean","x-mcp-header":"Flag"},
                      "plain":{"type":"string"}}}}""");
            this.tool = new Entry(Target.Kind.TOOL, "echo", json, Set.of());
        }

        @Override
        public List<Entry> list(Target.Kind kind) {
            return kind == Target.Kind.TOOL ? List.of(tool) : List.of();
        }

        @Override
        public Optional<Entry> find(Target.Kind kind, String name) {
            return kind == Target.Kind.TOOL && "echo".equals(name) ? Optional.of(tool) : Optional.empty();
        }

        @Override
        public Optional<Entry> resolveResource(String uri) {
            return Optional.empty();
        }

        @Override
        public void addListener(ChangeListener listener) {
        }

        @Override
        public void removeListener(ChangeListener listener) {
        }
    }
}
