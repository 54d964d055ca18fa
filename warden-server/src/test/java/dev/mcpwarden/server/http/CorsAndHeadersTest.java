package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Security headers on every response and CORS only for configured origins. */
class CorsAndHeadersTest {

    static HttpTransport http;
    static McpHttp client;
    static final String APP = "https://app.example";

    @BeforeAll
    static void start() {
        McpServer server = McpServer.builder("cors", "1").controls(Controls.insecureWithoutAuthentication()).tool(Tool.builder("t").description("d")
                .handler(ctx -> ToolResult.text("ok")).build()).build();
        http = server.serveHttp(HttpOptions.loopback(0).withAllowed(Set.of(), Set.of(APP)));
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    private static String list() {
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        return McpHttp.request(1, "tools/list", p);
    }

    private static void assertSecurityHeaders(McpHttp.Reply r) {
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.header("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
    }

    @Test
    void everyResponseCarriesTheSecurityHeadersErrorsIncluded() throws Exception {
        assertSecurityHeaders(client.post(McpHttp.headers2026("tools/list", null), list()));
        assertSecurityHeaders(new McpHttp(http.uri().resolve("/nowhere")).send("GET", Map.of(), null));
        Map<String, String> bad = McpHttp.headers2026("tools/list", null);
        bad.put("Content-Type", "text/plain");
        assertSecurityHeaders(client.post(bad, list()));
    }

    @Test
    void aConfiguredOriginGetsItsOwnNameBackNeverAWildcard() throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Origin", APP);
        McpHttp.Reply r = client.post(h, list());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(r.header("Access-Control-Expose-Headers")).contains("Mcp-Session-Id").contains("WWW-Authenticate");
        assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
    }

    @Test
    void aPreflightFromAConfiguredOriginListsWhatMcpUses() throws Exception {
        McpHttp.Reply r = client.send("OPTIONS", Map.of("Origin", APP, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "content-type, authorization, mcp-protocol-version, mcp-param-region"),
                null);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, POST, DELETE");
        assertThat(r.header("Access-Control-Allow-Headers"))
                .isEqualTo("content-type, authorization, mcp-protocol-version, mcp-param-region");
    }

    @Test
    void preflightsFromOtherOriginsOrForOtherHeadersAreRefused() throws Exception {
        McpHttp.Reply loopback = client.send("OPTIONS", Map.of("Origin", "http://localhost:9999",
                "Access-Control-Request-Method", "POST"), null);
        assertThat(loopback.status()).isEqualTo(403);
        assertThat(loopback.header("Access-Control-Allow-Origin")).isNull();
        McpHttp.Reply header = client.send("OPTIONS", Map.of("Origin", APP, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "x-evil"), null);
        assertThat(header.status()).isEqualTo(403);
        assertThat(header.json().get("error").get("message").asString())
                .isEqualTo("Forbidden: header not allowed cross-origin: x-evil");
    }

    @Test
    void aPreflightForAMethodIsJudgedByItsExactNameNotAsPartOfTheAllowedList() throws Exception {
        // "ET", "T, D" and "GET, POST" are substrings of "GET, POST, DELETE"; "get" and "PUT" are simply not allowed.
        for (String method : java.util.List.of("ET", "T, D", "GET, POST", "get", "PUT", ",")) {
            McpHttp.Reply r = client.send("OPTIONS", Map.of("Origin", APP, "Access-Control-Request-Method", method),
                    null);
            assertThat(r.status()).as(method).isEqualTo(403);
            assertThat(r.header("Access-Control-Allow-Origin")).as(method).isNull();
            assertThat(r.json().get("error").get("message").asString()).as(method)
                    .isEqualTo("Forbidden: method not allowed cross-origin");
        }
        for (String method : java.util.List.of("GET", "POST", "DELETE")) {
            McpHttp.Reply r = client.send("OPTIONS", Map.of("Origin", APP, "Access-Control-Request-Method", method),
                    null);
            assertThat(r.status()).as(method).isEqualTo(204);
        }
    }

    @Test
    void loopbackOriginsAreServedButGetNoCorsHeaders() throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Origin", "http://localhost:" + http.port());
        McpHttp.Reply r = client.post(h, list());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
    }
}
