package dev.mcpwarden.examples.sample;

import dev.mcpwarden.testkit.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.telemetry.AdminOptions;
import dev.mcpwarden.telemetry.AdminServer;
import dev.mcpwarden.telemetry.Telemetry;
import dev.mcpwarden.telemetry.TelemetryOptions;
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
        // Metrics on, as an operator runs it: the run is scraped by a real Prometheus at the end.
        telemetry = Telemetry.create(TelemetryOptions.metricsOnly("sample"));
        http = SampleServer.start(port, URI.create(resource), TrustedIssuer.withKeys(ISSUER.issuer(),
                ISSUER.publicJwks()), auditFile, false, null, SampleServer.Deployment.SINGLE.withControls(
                        c -> c.listener(telemetry.listener()), telemetry.integrityListener()));
        admin = AdminServer.builder(AdminOptions.loopback(0)).metrics(telemetry).health(http).start();
        client = new McpHttp(http.uri());
        dataDir = dir;
    }

    @AfterAll
    static void stop() {
        http.close();
        admin.close();
        telemetry.close();
    }

    static Telemetry telemetry;
    static AdminServer admin;
    static Path dataDir;

    /** The value PromQL {@code query} answers (a single number), or -1 while there is none. */
    static double promql(URI prometheus, String query) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/query?query="
                        + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        JsonNode result = Json.standard().parse(r.body()).path("data").path("result");
        return result.isEmpty() ? -1 : result.get(0).path("value").path(1).asDouble();
    }

    /** What the admin port's /metrics says now of {@code series} (summed over its labels). */
    static double exported(String series) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        telemetry.writePrometheus(out);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith(series + "{") || l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    @Order(4)
    void aRealPrometheusScrapesTheRunsRequestAndDenialCountersFromTheAdminPort() throws Exception {
        java.nio.file.Path binary = java.nio.file.Path.of("/usr/bin/prometheus");
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CI") != null
                || java.nio.file.Files.isExecutable(binary), "prometheus (Debian's package) is not installed");
        int port = Ports.free();
        Path config = dataDir.resolve("prometheus.yml");
        java.nio.file.Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                + "  - job_name: warden\n    static_configs:\n      - targets: ['127.0.0.1:" + admin.port() + "']\n");
        Process prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dataDir.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("prometheus.log").toFile()).start();
        try {
            URI api = URI.create("http://127.0.0.1:" + port);
            double requests = exported("warden_requests_total");
            double denials = exported("warden_policy_denials_total");
            double authFailures = exported("warden_authentication_failures_total");
            double limited = exported("warden_rate_limit_rejections_total");
            double findings = exported("warden_guard_findings_total");
            // the corpus was run: every kind of refusal happened
            assertThat(requests).isGreaterThan(50);
            assertThat(denials).isPositive();
            assertThat(authFailures).isGreaterThanOrEqualTo(10);
            assertThat(limited).isPositive();
            assertThat(findings).isPositive();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            double scraped = -1;
            while (System.nanoTime() < deadline) {
                try {
                    scraped = promql(api, "sum(warden_requests_total)");
                } catch (java.io.IOException starting) {
                    scraped = -1;
                }
                if (scraped == requests) {
                    break;
                }
                Thread.sleep(250);
            }
            assertThat(scraped).isEqualTo(requests);
            assertThat(promql(api, "sum(warden_policy_denials_total{rule=\"only-admins-delete-tickets\"})"))
                    .isPositive();
            assertThat(promql(api, "sum(warden_policy_denials_total)")).isEqualTo(denials);
            assertThat(promql(api, "sum(warden_authentication_failures_total)")).isEqualTo(authFailures);
            assertThat(promql(api, "sum(warden_rate_limit_rejections_total)")).isEqualTo(limited);
            assertThat(promql(api, "sum(warden_guard_findings_total)")).isEqualTo(findings);
            // no subject, tenant or address of the corpus is a label anywhere
            java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
            telemetry.writePrometheus(text);
            assertThat(text.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("alice", "bob",
                    "carol", "dave", "globex", "127.0.0.1", "T-100");
        } finally {
            prometheus.destroy();
            prometheus.waitFor();
        }
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
