package dev.mcpwarden.examples.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.TestTokens;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The attack corpus cases of authentication, scopes, policy, tenancy and sessions ({@code AUTH-*}, {@code SCOPE-*},
 * {@code POLICY-*}, {@code TENANT-*}, {@code SESSION-*}) against the sample server over real HTTP, each followed
 * by a benign request that must still be served.
 */
class AuthorizationAttacksTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.sample.test");
    static HttpTransport http;
    static String resource;
    static McpHttp client;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        resource = "http://127.0.0.1:" + port + "/mcp";
        http = SampleServer.start(new SampleServer.Options(port, ISSUER.issuer(), ISSUER.publicJwks(),
                URI.create(resource), null));
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @TestFactory
    Stream<DynamicTest> everyAuthorizationAttackIsStopped() throws Exception {
        List<JsonNode> cases = AttackCorpus.cases("attacks.json", List.of("AUTH", "SCOPE", "POLICY", "TENANT", "SESSION"));
        assertThat(cases).hasSize(23);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("id").asString() + " " + c.get("title").asString(),
                () -> {
                    run(c);
                    assertBenignStillServed();
                }));
    }

    private static void run(JsonNode c) throws Exception {
        String id = c.get("id").asString();
        JsonNode expect = c.get("expect");
        if (id.startsWith("SESSION-")) {
            session(id);
            return;
        }
        if (c.has("http")) {
            McpHttp.Reply r = new McpHttp(http.uri().resolve(c.get("http").get("path").asString()))
                    .send(c.get("http").get("method").asString(), Map.of(), null);
            assertThat(r.status()).isEqualTo(expect.get("http").asInt());
            for (Map.Entry<String, JsonNode> f : expect.get("json_fields").properties()) {
                String expected = Json.standard().text(f.getValue()).replace("$RESOURCE", resource)
                        .replace("$ISSUER", ISSUER.issuer());
                assertThat(Json.standard().text(r.json().get(f.getKey()))).isEqualTo(expected);
            }
            return;
        }
        McpHttp.Reply r = send(c);
        if (expect.has("http")) {
            assertThat(r.status()).as(id + " status").isEqualTo(expect.get("http").asInt());
        }
        for (JsonNode s : expect.path("www_authenticate_contains")) {
            assertThat(r.header("WWW-Authenticate")).as(id + " challenge").contains(s.asString());
        }
        if (expect.has("jsonrpc_error")) {
            assertThat(r.json().get("error").get("code").asInt()).isEqualTo(expect.get("jsonrpc_error").asInt());
        }
        if (expect.has("tool_error")) {
            assertThat(r.json().get("result").path("isError").asBoolean(false))
                    .isEqualTo(expect.get("tool_error").asBoolean());
        }
        for (JsonNode s : expect.path("absent")) {
            assertThat(r.body()).as(id + " must not reveal").doesNotContain(s.asString());
        }
        for (JsonNode s : expect.path("present")) {
            assertThat(r.body()).contains(s.asString());
        }
    }

    private static McpHttp.Reply send(JsonNode c) throws Exception {
        JsonNode request = c.get("request");
        String method = request.get("method").asString();
        ObjectNode params = (ObjectNode) request.get("params").deepCopy();
        params.set("_meta", McpHttp.meta2026(null));
        String name = params.has("name") ? params.get("name").asString() : null;
        Map<String, String> h = McpHttp.headers2026(method, "tools/call".equals(method) ? name : null);
        JsonNode spec = c.get("token");
        McpHttp target = client;
        if (spec != null && spec.has("placement")) {
            String placement = spec.get("placement").asString();
            String param = placement.substring("query:".length());
            target = new McpHttp(URI.create(resource + "?" + param + "="
                    + AttackCorpus.token(spec, ISSUER, resource)));
        } else {
            String auth = AttackCorpus.authorization(spec, ISSUER, resource);
            if (auth != null) {
                h.put("Authorization", auth);
            }
        }
        return target.post(h, McpHttp.request(1, method, params));
    }

    private static Map<String, String> legacyHeaders(String who, String session) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        if (who != null) {
            h.put("Authorization", "Bearer " + ISSUER.sign(AttackCorpus.claims(ISSUER, who, resource)));
        }
        if (session != null) {
            h.put("Mcp-Session-Id", session);
            h.put("MCP-Protocol-Version", "2025-11-25");
        }
        return h;
    }

    private static String initialize(String who) throws Exception {
        ObjectNode p = Json.object();
        p.put("protocolVersion", "2025-11-25");
        p.putObject("capabilities");
        p.putObject("clientInfo").put("name", "attack-test").put("version", "1");
        McpHttp.Reply r = client.post(legacyHeaders(who, null), McpHttp.request(0, "initialize", p));
        assertThat(r.status()).isEqualTo(200);
        return r.header("Mcp-Session-Id");
    }

    private static void session(String id) throws Exception {
        switch (id) {
            case "SESSION-01" -> {
                String s = initialize("alice");
                McpHttp.Reply r = client.post(legacyHeaders("bob", s), McpHttp.request(1, "tools/list", null));
                assertThat(r.status()).isEqualTo(404);
            }
            case "SESSION-02" -> {
                Set<String> ids = new HashSet<>();
                for (int i = 0; i < 50; i++) {
                    String s = initialize("alice");
                    assertThat(s).matches("[\\x21-\\x7E]{22,}");
                    ids.add(s);
                }
                assertThat(ids).hasSize(50);
            }
            case "SESSION-03" -> {
                String s = initialize("alice");
                McpHttp.Reply r = client.post(legacyHeaders(null, s), McpHttp.request(1, "tools/list", null));
                assertThat(r.status()).isEqualTo(401);
                assertThat(r.header("WWW-Authenticate")).contains("Bearer").contains("resource_metadata");
            }
            default -> throw new AssertionError("no flow for " + id);
        }
    }

    private static void assertBenignStillServed() throws Exception {
        ObjectNode p = Json.object();
        p.put("name", "get_ticket");
        p.putObject("arguments").put("ticket_id", "T-100");
        p.set("_meta", McpHttp.meta2026(null));
        Map<String, String> h = McpHttp.headers2026("tools/call", "get_ticket");
        h.put("Authorization", "Bearer " + ISSUER.sign(AttackCorpus.claims(ISSUER, "alice", resource)));
        McpHttp.Reply r = client.post(h, McpHttp.request(99, "tools/call", p));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result").get("structuredContent").get("id").asString()).isEqualTo("T-100");
    }
}
