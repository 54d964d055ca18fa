package dev.mcpwarden.examples.sample;

import dev.mcpwarden.testkit.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import java.nio.file.Path;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every case of the attack corpus against the sample server over real HTTP, each followed by a benign request that
 * must still be served, and every benign case, which must pass untouched. The server writes an audit log; each
 * blocked case must leave an audit record saying so, and the whole log must verify at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttackCorpusTest {

    /** The corpus categories run against the normal sample (INTEGRITY needs a rug-pulled one). */
    static final List<String> CATEGORIES = List.of("AUTH", "SCOPE", "POLICY", "TENANT", "SESSION", "SCHEMA", "DNS",
            "BODY", "RATE", "PATH", "SHELL", "SSRF", "PII", "SECRET", "INJECT");

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.sample.test");
    static HttpTransport http;
    static String resource;
    static McpHttp client;
    static Path auditFile;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        auditFile = dir.resolve("audit.jsonl");
        http = SampleServer.start(new SampleServer.Options(port, ISSUER.issuer(), ISSUER.publicJwks(),
                URI.create(resource), auditFile));
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyAttackIsStoppedAndLeavesAnAuditRecord() throws Exception {
        List<DynamicTest> tests = new java.util.ArrayList<>();
        for (AttackCorpus.Corpus corpus : AttackCorpus.all()) {
            List<JsonNode> cases = corpus.cases("attacks.json", CATEGORIES);
            assertThat(cases).as(corpus + " attacks").hasSize(corpus.attacks());
            for (JsonNode c : cases) {
                tests.add(DynamicTest.dynamicTest(corpus + " " + c.get("id").asString() + " "
                        + c.get("title").asString(), () -> {
                    String id = c.get("id").asString();
                    int before = AuditRecords.read(auditFile).size();
                    run(c);
                    if (!id.equals("AUTH-14")) { // a metadata GET is not an MCP request: nothing to audit
                        List<JsonNode> records = corpus.served().contains(id)
                                ? AuditRecords.awaitAfter(auditFile, before, r -> true)
                                : AuditRecords.awaitAfter(auditFile, before, AuditRecords::refusal);
                        assertThat(records).as(id + " leaves an audit record").isNotEmpty();
                    }
                    assertBenignStillServed();
                }));
            }
        }
        return tests.stream();
    }

    @Test
    @Order(2)
    void aPolicyDenialIsAuditedWithTheCelRuleThatMadeIt() throws Exception {
        int before = AuditRecords.read(auditFile).size();
        ObjectNode p = Json.object();
        p.put("name", "delete_ticket");
        p.putObject("arguments").put("ticket_id", "T-100");
        p.set("_meta", McpHttp.meta2026(null));
        Map<String, String> h = McpHttp.headers2026("tools/call", "delete_ticket");
        h.put("Authorization", "Bearer " + ISSUER.sign(AttackCorpus.claims(ISSUER, "alice", resource)));
        McpHttp.Reply r = client.post(h, McpHttp.request(5, "tools/call", p));
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Unknown tool: delete_ticket");

        List<JsonNode> records = AuditRecords.awaitAfter(auditFile, before,
                x -> "POLICY_DECISION".equals(x.path("type").asString()));
        JsonNode denial = records.stream().filter(x -> "POLICY_DECISION".equals(x.path("type").asString()))
                .findFirst().orElseThrow();
        assertThat(denial.get("outcome").asString()).isEqualTo("denied");
        assertThat(denial.get("target").asString()).isEqualTo("delete_ticket");
        assertThat(denial.at("/principal/subject").asString()).isEqualTo("alice");
        assertThat(denial.at("/detail/policy/rule").asString()).isEqualTo("only-admins-delete-tickets");
        assertThat(denial.at("/detail/policy/effect").asString()).isEqualTo("deny");
    }

    @Test
    @Order(3)
    void theAuditLogOfTheWholeRunVerifies() throws Exception {
        AuditRecords.awaitQuiet(auditFile);
        var result = dev.mcpwarden.security.audit.AuditVerifier.unkeyed().verify(auditFile);
        assertThat(result.intact()).as(result.verdict()).isTrue();
        assertThat(AuditRecords.read(auditFile)).extracting(r -> r.get("type").asString())
                .contains("AUTHENTICATION", "POLICY_DECISION", "RATE_LIMIT", "GUARD_FINDING", "TOOL_CALL", "SESSION",
                        "REQUEST");
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyBenignRequestPassesUntouched() throws Exception {
        List<DynamicTest> tests = new java.util.ArrayList<>();
        for (AttackCorpus.Corpus corpus : AttackCorpus.all()) {
            List<JsonNode> cases = corpus.cases("benign.json", List.of("OK"));
            assertThat(cases).as(corpus + " benign cases").hasSize(corpus.benign());
            for (JsonNode c : cases) {
                tests.add(DynamicTest.dynamicTest(corpus + " " + c.get("id").asString() + " "
                        + c.get("title").asString(), () -> {
                    McpHttp.Reply r = send(c);
                    JsonNode expect = c.get("expect");
                    assertThat(r.status()).isEqualTo(expect.get("http").asInt());
                    JsonNode result = r.json().get("result");
                    assertThat(result).as(c.get("id").asString() + " has a result: " + r.body()).isNotNull();
                    assertThat(result.path("isError").asBoolean(false)).as(r.body())
                            .isEqualTo(expect.get("tool_error").asBoolean());
                    // Served untouched: nothing quarantined, no secret redacted. Personal data is redacted from
                    // every tool by default, so OK-01's ticket (quoting a customer's address) arrives with it
                    // redacted; nothing else in a benign answer may be.
                    assertThat(r.body()).doesNotContain("[QUARANTINED]");
                    assertThat(r.body().replace("[REDACTED-EMAIL]", "")).doesNotContain("[REDACTED-");
                    if (c.get("id").asString().equals("OK-01")) {
                        assertThat(r.body()).doesNotContain("jane.doe@example.com").contains("[REDACTED-EMAIL]");
                    } else {
                        assertThat(r.body()).doesNotContain("[REDACTED-");
                    }
                }));
            }
        }
        return tests.stream();
    }

    private static void run(JsonNode c) throws Exception {
        String id = c.get("id").asString();
        JsonNode expect = c.get("expect");
        if (id.startsWith("SESSION-")) {
            session(id);
            return;
        }
        if (id.startsWith("RATE-")) {
            flood(expect);
            return;
        }
        if (c.has("http") && "POST".equals(c.get("http").get("method").asString())) {
            McpHttp.Reply r = rawPost(c);
            assertThat(r.status()).as(id + " status").isEqualTo(expect.get("http").asInt());
            if (expect.has("jsonrpc_error")) {
                assertThat(r.json().get("error").get("code").asInt()).isEqualTo(expect.get("jsonrpc_error").asInt());
            }
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
        if (expect.has("tool_error_prefix")) {
            JsonNode result = r.json().get("result");
            assertThat(result.path("isError").asBoolean(false)).as(id + " is a tool error").isTrue();
            assertThat(result.get("content").get(0).get("text").asString())
                    .startsWith(expect.get("tool_error_prefix").asString());
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

    /** Corpus placeholders: {@code $REPEAT(c,n)} and {@code $NEST(n)}. */
    static String expand(String value) {
        java.util.regex.Matcher repeat = java.util.regex.Pattern.compile("\\$REPEAT\\((.),(\\d+)\\)").matcher(value);
        if (repeat.matches()) {
            return repeat.group(1).repeat(Integer.parseInt(repeat.group(2)));
        }
        java.util.regex.Matcher nest = java.util.regex.Pattern.compile("\\$NEST\\((\\d+)\\)").matcher(value);
        if (nest.matches()) {
            int n = Integer.parseInt(nest.group(1));
            return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"x\":" + "[".repeat(n)
                    + "]".repeat(n) + "}}";
        }
        return value;
    }

    private static void expandAll(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (var e : List.copyOf(o.properties())) {
                if (e.getValue().isString()) {
                    o.put(e.getKey(), expand(e.getValue().asString()));
                } else {
                    expandAll(e.getValue());
                }
            }
        }
    }

    private static McpHttp.Reply rawPost(JsonNode c) throws Exception {
        JsonNode h = c.get("http");
        Map<String, String> headers = McpHttp.headers2026("tools/list", null);
        if (h.has("content_type")) {
            headers.put("Content-Type", h.get("content_type").asString());
        }
        String auth = AttackCorpus.authorization(c.get("token"), ISSUER, resource);
        if (auth != null) {
            headers.put("Authorization", auth);
        }
        return client.post(headers, expand(h.get("body").asString()));
    }

    private static void flood(JsonNode expect) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/call", "get_ticket");
        h.put("Authorization", "Bearer " + ISSUER.sign(AttackCorpus.claims(ISSUER, "bob", resource)));
        ObjectNode p = Json.object();
        p.put("name", "get_ticket");
        p.putObject("arguments").put("ticket_id", "T-200");
        p.set("_meta", McpHttp.meta2026(null));
        String body = McpHttp.request(1, "tools/call", p);
        McpHttp.Reply limited = null;
        int ok = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 600 && limited == null; i++) {
            McpHttp.Reply r = client.post(h, body);
            if (r.status() == 429) {
                limited = r;
            } else {
                assertThat(r.status()).isEqualTo(200);
                ok++;
            }
        }
        assertThat(limited).as("some request of the flood was throttled").isNotNull();
        assertThat(limited.status()).isEqualTo(expect.get("some_http").asInt());
        double seconds = (System.nanoTime() - start) / 1e9;
        // 300 at once, plus what refilled (5 per second) while the flood ran
        assertThat(ok).as("the limit is 300 per minute").isBetween(300, 301 + (int) Math.ceil(seconds * 5));
        assertThat(limited.header("Retry-After")).matches("\\d+");
        assertThat(limited.json().get("error").get("message").asString())
                .isEqualTo("Too Many Requests: rate limit tool-calls-per-principal exceeded");
    }

    private static McpHttp.Reply send(JsonNode c) throws Exception {
        JsonNode request = c.get("request");
        String method = request.get("method").asString();
        ObjectNode params = (ObjectNode) request.get("params").deepCopy();
        expandAll(params);
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
        for (var e : c.path("headers").properties()) {
            h.put(e.getKey(), e.getValue().asString());
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
