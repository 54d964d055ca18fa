package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Streamable HTTP over a real socket: both eras, and every kind of bad input answered precisely. */
class StreamableHttpTest {

    record Echo(String text) {
    }

    static HttpTransport http;
    static McpHttp client;

    @BeforeAll
    static void start() {
        McpServer server = McpServer.builder("test", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.fromRecord("echo", "Echoes its text", Echo.class,
                        (args, ctx) -> ToolResult.text(args.text())))
                .build();
        http = server.serveHttp(HttpOptions.loopback(0).withMaxBodyBytes(4096));
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    private static String listTools(Object id) {
        ObjectNode params = Json.object();
        params.set("_meta", McpHttp.meta2026(null));
        return McpHttp.request(id, "tools/list", params);
    }

    private static String initialize() {
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "test").put("version", "1");
        return McpHttp.request(0, "initialize", params);
    }

    private static Map<String, String> legacyHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        return h;
    }

    @Test
    void modernToolsListIsServedWithResultTypeAndCachingHints() throws Exception {
        McpHttp.Reply r = client.post(McpHttp.headers2026("tools/list", null), listTools(1));
        assertThat(r.status()).isEqualTo(200);
        JsonNode result = r.json().get("result");
        assertThat(result.get("tools").get(0).get("name").asString()).isEqualTo("echo");
        assertThat(result.get("resultType").asString()).isEqualTo("complete");
        assertThat(result.get("ttlMs").asLong()).isZero();
        assertThat(result.get("cacheScope").asString()).isEqualTo("private");
    }

    @Test
    void malformedJsonIs400WithParseError() throws Exception {
        McpHttp.Reply r = client.post(McpHttp.headers2026("tools/list", null), "{\"jsonrpc\":\"2.0\",");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32700);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Parse error: malformed JSON");
        assertThat(r.json().get("id").isNull()).isTrue();
    }

    @Test
    void duplicateKeysAreAParseError() throws Exception {
        McpHttp.Reply r = client.post(McpHttp.headers2026("tools/list", null),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"tools/list\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Parse error: duplicate key in JSON object");
    }

    @Test
    void excessiveNestingIsAParseError() throws Exception {
        String deep = "[".repeat(200) + "]".repeat(200);
        McpHttp.Reply r = client.post(McpHttp.headers2026("tools/list", null),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"x\":" + deep + "}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32700);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Parse error: JSON nesting too deep");
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"pad\":\""
                + "x".repeat(5000) + "\"}}";
        McpHttp.Reply r = client.post(McpHttp.headers2026("tools/list", null), big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Payload Too Large: the request body exceeds 4096 bytes");
    }

    @Test
    void wrongAcceptIs406() throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Accept", "application/json");
        McpHttp.Reply r = client.post(h, listTools(1));
        assertThat(r.status()).isEqualTo(406);
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Not Acceptable: Accept must include application/json and text/event-stream");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Content-Type", "text/plain");
        McpHttp.Reply r = client.post(h, listTools(1));
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Unsupported Media Type: Content-Type must be application/json");
    }

    @Test
    void foreignOriginIs403() throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Origin", "http://evil.example.com");
        McpHttp.Reply r = client.post(h, listTools(1));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Forbidden: Origin not allowed");
    }

    @Test
    void loopbackOriginIsAccepted() throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Origin", "http://localhost:" + http.port());
        assertThat(client.post(h, listTools(1)).status()).isEqualTo(200);
    }

    @Test
    void foreignHostIs403() throws Exception {
        McpHttp.Reply r = client.rawPost("evil.example.com:" + http.port(),
                McpHttp.headers2026("tools/list", null), listTools(1));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("Forbidden: Host header not allowed");
    }

    @Test
    void batchOnThe2026WireIs400() throws Exception {
        McpHttp.Reply r = client.post(McpHttp.headers2026("tools/list", null), "[" + listTools(1) + "]");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32600);
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Invalid request: JSON-RPC batches are not supported");
    }

    @Test
    void unknownSessionIs404() throws Exception {
        Map<String, String> h = legacyHeaders();
        h.put("Mcp-Session-Id", "no-such-session");
        McpHttp.Reply r = client.post(h, McpHttp.request(1, "tools/list", null));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Session not found");
    }

    @Test
    void deletedSessionIs404AndStaysGone() throws Exception {
        McpHttp.Reply init = client.post(legacyHeaders(), initialize());
        assertThat(init.status()).isEqualTo(200);
        String session = init.header("Mcp-Session-Id");
        assertThat(session).matches("[\\x21-\\x7E]{43}");
        Map<String, String> h = legacyHeaders();
        h.put("Mcp-Session-Id", session);
        assertThat(client.post(h, McpHttp.request(1, "tools/list", null)).status()).isEqualTo(200);
        assertThat(client.send("DELETE", Map.of("Mcp-Session-Id", session), null).status()).isEqualTo(200);
        McpHttp.Reply after = client.post(h, McpHttp.request(2, "tools/list", null));
        assertThat(after.status()).isEqualTo(404);
        assertThat(client.send("DELETE", Map.of("Mcp-Session-Id", session), null).status()).isEqualTo(404);
    }

    @Test
    void legacyRequestWithoutSessionIs400() throws Exception {
        McpHttp.Reply r = client.post(legacyHeaders(), McpHttp.request(1, "tools/list", null));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("message").asString()).startsWith("Bad Request: Mcp-Session-Id header is required");
    }

    @Test
    void legacySessionServesToolsAndPing() throws Exception {
        String session = client.post(legacyHeaders(), initialize()).header("Mcp-Session-Id");
        Map<String, String> h = legacyHeaders();
        h.put("Mcp-Session-Id", session);
        h.put("MCP-Protocol-Version", "2025-11-25");
        McpHttp.Reply ping = client.post(h, McpHttp.request(1, "ping", null));
        assertThat(ping.json().get("result").toString()).isEqualTo("{}");
        ObjectNode call = Json.object();
        call.put("name", "echo");
        call.putObject("arguments").put("text", "hi");
        McpHttp.Reply r = client.post(h, McpHttp.request(2, "tools/call", call));
        assertThat(r.json().get("result").get("content").get(0).get("text").asString()).isEqualTo("hi");
        assertThat(r.json().get("result").has("resultType")).isFalse();
    }

    @Test
    void removedMethodsAre404OnThe2026Wire() throws Exception {
        ObjectNode params = Json.object();
        params.set("_meta", McpHttp.meta2026(null));
        McpHttp.Reply r = client.post(McpHttp.headers2026("ping", null), McpHttp.request(7, "ping", params));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32601);
        assertThat(r.json().get("id").asInt()).isEqualTo(7);
    }

    @Test
    void missingMetaIs400WithInvalidParams() throws Exception {
        McpHttp.Reply r = client.post(McpHttp.headers2026("tools/list", null),
                McpHttp.request(3, "tools/list", Json.object()));
        // No _meta and a 2026 header: served as 2026 and refused
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Invalid params: _meta is required");
    }

    @Test
    void mcpMethodHeaderMustMatchTheBody() throws Exception {
        McpHttp.Reply r = client.post(McpHttp.headers2026("prompts/list", null), listTools(4));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32020);
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Header mismatch: Mcp-Method header does not match the request method");
    }

    @Test
    void unsupportedVersionListsTheSupportedOnes() throws Exception {
        ObjectNode params = Json.object();
        ObjectNode meta = McpHttp.meta2026(null);
        meta.put("io.modelcontextprotocol/protocolVersion", "2099-01-01");
        params.set("_meta", meta);
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("MCP-Protocol-Version", "2099-01-01");
        McpHttp.Reply r = client.post(h, McpHttp.request(5, "tools/list", params));
        assertThat(r.status()).isEqualTo(400);
        JsonNode error = r.json().get("error");
        assertThat(error.get("code").asInt()).isEqualTo(-32022);
        assertThat(error.get("data").get("requested").asString()).isEqualTo("2099-01-01");
        assertThat(error.get("data").get("supported").get(0).asString()).isEqualTo("2026-07-28");
    }

    @Test
    void getWithoutSessionIs405() throws Exception {
        McpHttp.Reply r = client.send("GET", Map.of("Accept", "text/event-stream"), null);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("POST");
    }

    @Test
    void otherPathsAre404() throws Exception {
        McpHttp other = new McpHttp(http.uri().resolve("/other"));
        assertThat(other.post(McpHttp.headers2026("tools/list", null), listTools(1)).status()).isEqualTo(404);
    }
}
