package dev.mcpwarden.core.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpwarden.core.json.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class JsonRpcCodecTest {

    private final JsonRpcCodec codec = new JsonRpcCodec(Json.standard());

    private JsonRpcMessage decode(String text) {
        return codec.read(codec.parse(text.getBytes(StandardCharsets.UTF_8)));
    }

    private McpError decodeError(String text) {
        return catchThrowableOfType(McpError.class, () -> decode(text));
    }

    @Test
    void decodesARequest() {
        JsonRpcMessage m = decode("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\",\"params\":{\"cursor\":\"c\"}}");
        assertThat(m).isInstanceOf(JsonRpcMessage.Request.class);
        JsonRpcMessage.Request r = (JsonRpcMessage.Request) m;
        assertThat(r.id().isIntegralNumber()).isTrue();
        assertThat(r.id().asLong()).isEqualTo(7);
        assertThat(r.method()).isEqualTo("tools/list");
        assertThat(r.params().get("cursor").asString()).isEqualTo("c");
    }

    @Test
    void decodesARequestWithStringIdAndNoParams() {
        JsonRpcMessage.Request r = (JsonRpcMessage.Request) decode("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"ping\"}");
        assertThat(r.id().asString()).isEqualTo("abc");
        assertThat(r.params()).isNull();
    }

    @Test
    void nullParamsAreTreatedAsAbsent() {
        JsonRpcMessage.Request r = (JsonRpcMessage.Request) decode(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":null}");
        assertThat(r.params()).isNull();
    }

    @Test
    void decodesANotification() {
        JsonRpcMessage m = decode("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertThat(m).isEqualTo(new JsonRpcMessage.Notification("notifications/initialized", null));
    }

    @Test
    void decodesAResponse() {
        JsonRpcMessage m = decode("{\"jsonrpc\":\"2.0\",\"id\":\"r1\",\"result\":{\"ok\":true}}");
        assertThat(m).isInstanceOf(JsonRpcMessage.Response.class);
        JsonRpcMessage.Response r = (JsonRpcMessage.Response) m;
        assertThat(r.id().asString()).isEqualTo("r1");
        assertThat(r.result().get("ok").asBoolean()).isTrue();
    }

    @Test
    void decodesAnErrorResponse() {
        JsonRpcMessage m = decode(
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32601,\"message\":\"nope\",\"data\":{\"x\":1}}}");
        JsonRpcMessage.ErrorResponse e = (JsonRpcMessage.ErrorResponse) m;
        assertThat(e.id().asInt()).isEqualTo(3);
        assertThat(e.error().code()).isEqualTo(-32601);
        assertThat(e.error().message()).isEqualTo("nope");
        assertThat(e.error().data().get("x").asInt()).isEqualTo(1);
    }

    @Test
    void errorResponseWithNullIdKeepsNoId() {
        JsonRpcMessage.ErrorResponse e = (JsonRpcMessage.ErrorResponse) decode(
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
        assertThat(e.id()).isNull();
        assertThat(e.error().code()).isEqualTo(-32700);
    }

    @Test
    void errorResponseWithMalformedErrorFallsBackToInternalError() {
        JsonRpcMessage.ErrorResponse e = (JsonRpcMessage.ErrorResponse) decode(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"x\",\"message\":\"\"}}");
        assertThat(e.error().code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
        assertThat(e.error().message()).isEqualTo("error");
    }

    @Test
    void malformedJsonIsAParseError() {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",");
        assertThat(e.code()).isEqualTo(-32700);
        assertThat(e.getMessage()).isEqualTo("Parse error: malformed JSON");
        assertThat(e.httpStatus()).isEqualTo(400);
    }

    @Test
    void duplicateKeysAreAParseError() {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}");
        assertThat(e.code()).isEqualTo(-32700);
        assertThat(e.getMessage()).isEqualTo("Parse error: duplicate key in JSON object");
    }

    @Test
    void duplicateKeysDeepInsideParamsAreAParseError() {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"t\",\"arguments\":{\"path\":\"/ok\",\"path\":\"/etc/passwd\"}}}");
        assertThat(e.code()).isEqualTo(-32700);
        assertThat(e.getMessage()).isEqualTo("Parse error: duplicate key in JSON object");
    }

    @Test
    void tooDeepNestingIsAParseError() {
        String deep = "[".repeat(Json.DEFAULT_MAX_DEPTH + 5) + "]".repeat(Json.DEFAULT_MAX_DEPTH + 5);
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":" + deep + "}}");
        assertThat(e.code()).isEqualTo(-32700);
        assertThat(e.getMessage()).isEqualTo("Parse error: JSON nesting too deep");
    }

    /** Found by JsonRpcCodecFuzzTest: 2e308 became Infinity, written back as the string "Infinity". */
    @ParameterizedTest
    @ValueSource(strings = {"2e308", "-1e400", "1E+999999999", "[0.5, 1e309]", "{\"deep\":[{\"n\":-9e99999}]}"})
    void aNumberBeyondTheRangeOfADoubleIsAParseError(String value) {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":" + value + "}}");
        assertThat(e.code()).isEqualTo(-32700);
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.getMessage()).isEqualTo("Parse error: number out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.7976931348623157e308", "-4.9e-324", "1e-400", "123456789012345678901234567890", "-0.0"})
    void numbersWithinRangeAreWrittenBackAsTheSameJson(String value) {
        JsonNode doc = codec.parse(("{\"a\":" + value + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(codec.parse(codec.json().bytes(doc))).isEqualTo(doc);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \r\n "})
    void emptyBodyIsAParseError(String body) {
        McpError e = decodeError(body);
        assertThat(e.code()).isEqualTo(-32700);
        assertThat(e.getMessage()).isEqualTo("Parse error: malformed JSON");
    }

    @Test
    void trailingGarbageIsAParseError() {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x");
        assertThat(e.code()).isEqualTo(-32700);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"id\":1,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
            "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}",
            "{\"jsonrpc\":null,\"id\":1,\"method\":\"ping\"}"})
    void wrongJsonRpcVersionIsAnInvalidRequest(String text) {
        McpError e = decodeError(text);
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: jsonrpc must be \"2.0\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "1.5", "1.0", "{\"a\":1}", "[1]", "true"})
    void requestIdsThatAreNotStringsOrIntegersAreInvalidRequests(String id) {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: id must be a string or an integer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "1.5", "{\"a\":1}"})
    void responseIdsThatAreNotStringsOrIntegersAreInvalidRequests(String id) {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}");
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: id must be a string or an integer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"x\"", "3", "true"})
    void nonObjectParamsAreInvalidRequests(String params) {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":" + params + "}");
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: params must be an object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "5", "null"})
    void methodMustBeANonEmptyString(String method) {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" + method + "}");
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: method must be a non-empty string");
    }

    @Test
    void aMessageThatIsNotAnObjectIsAnInvalidRequest() {
        McpError e = decodeError("\"hello\"");
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: a JSON-RPC message must be an object");
    }

    @Test
    void aMessageWithNeitherMethodNorIdIsAnInvalidRequest() {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"result\":{}}");
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: a message needs a method or an id");
    }

    @Test
    void aResponseWithoutResultOrErrorIsAnInvalidRequest() {
        McpError e = decodeError("{\"jsonrpc\":\"2.0\",\"id\":1}");
        assertThat(e.code()).isEqualTo(-32600);
        assertThat(e.getMessage()).isEqualTo("Invalid request: a response needs a result or an error");
    }

    @Test
    void batchesAreDetected() {
        JsonNode batch = codec.parse("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]".getBytes(StandardCharsets.UTF_8));
        JsonNode single = codec.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(JsonRpcCodec.isBatch(batch)).isTrue();
        assertThat(JsonRpcCodec.isBatch(single)).isFalse();
        assertThat(catchThrowableOfType(McpError.class, () -> codec.read(batch)).code()).isEqualTo(-32600);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9007199254740993", "-12", "0", "123456789012345678901234567890", "\"007\"", "\"\""})
    void encodeRoundTripKeepsIdsExact(String id) {
        String text = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}";
        JsonRpcMessage decoded = decode(text);
        String encoded = new String(codec.encode(decoded), StandardCharsets.UTF_8);
        assertThat(encoded).isEqualTo(text);
        JsonRpcMessage.Request again = (JsonRpcMessage.Request) decode(encoded);
        assertThat(again).isEqualTo(decoded);
    }

    @Test
    void responseEchoesTheRequestIdExactly() {
        JsonRpcMessage.Request req = (JsonRpcMessage.Request) decode(
                "{\"jsonrpc\":\"2.0\",\"id\":123456789012345678901234567890,\"method\":\"ping\"}");
        assertThat(req.id().bigIntegerValue()).isEqualTo(new BigInteger("123456789012345678901234567890"));
        String out = new String(codec.encode(new JsonRpcMessage.Response(req.id(), Json.object())), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":123456789012345678901234567890,\"result\":{}}");
    }

    @Test
    void encodesNotificationsWithoutId() {
        ObjectNode params = Json.object().put("progress", 1);
        String out = new String(codec.encode(new JsonRpcMessage.Notification("notifications/progress", params)),
                StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}");
    }

    @Test
    void encodesErrorResponsesWithNullIdWhenUnknown() {
        ObjectNode data = Json.object().put("uri", "x://y");
        String out = new String(codec.encode(new JsonRpcMessage.ErrorResponse(null,
                new JsonRpcError(-32700, "Parse error: malformed JSON", null))), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
                + "\"message\":\"Parse error: malformed JSON\"}}");
        String withData = new String(codec.encode(new JsonRpcMessage.ErrorResponse(Json.nodes().numberNode(4),
                new JsonRpcError(-32602, "Resource not found: x://y", data))), StandardCharsets.UTF_8);
        assertThat(withData).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32602,"
                + "\"message\":\"Resource not found: x://y\",\"data\":{\"uri\":\"x://y\"}}}");
    }

    @Test
    void depthCountsContainerLevels() {
        assertThat(JsonRpcCodec.depth(Json.standard().parse("1"))).isZero();
        assertThat(JsonRpcCodec.depth(Json.standard().parse("{}"))).isEqualTo(1);
        assertThat(JsonRpcCodec.depth(Json.standard().parse("{\"a\":[{\"b\":[]}],\"c\":1}"))).isEqualTo(4);
    }

    @Test
    void mcpErrorFactoriesCarryCodesAndStatus() {
        McpError notFound = McpError.methodNotFound("foo/bar");
        assertThat(notFound.code()).isEqualTo(-32601);
        assertThat(notFound.getMessage()).isEqualTo("Method not found: foo/bar");
        assertThat(notFound.httpStatus()).isEqualTo(404);
        McpError invalid = McpError.invalidParams("bad");
        assertThat(invalid.toError()).isEqualTo(new JsonRpcError(-32602, "bad", null));
    }
}
