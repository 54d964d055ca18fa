package dev.mcpwarden.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.guard.InputGuardStage;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real Prometheus (Debian's package) scrapes the admin port of a server that a scripted attack run went through;
 * PromQL over its HTTP API returns the request, authentication-failure, denial and rate-limit counters the run
 * caused, with none of its subjects or arguments as labels.
 */
class PrometheusScrapeTest {

    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    static final TestTokens FORGER = TestTokens.issuer("https://issuer.example");

    final HttpClient http = HttpClient.newHttpClient();
    Telemetry telemetry;
    HttpTransport server;
    AdminServer admin;
    Process prometheus;
    URI prometheusUri;
    McpHttp client;
    String resource;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        assumeTrue(System.getenv("CI") != null || Files.isExecutable(PROMETHEUS),
                "prometheus (Debian's package) is not installed");
        telemetry = Telemetry.create(TelemetryOptions.metricsOnly("helpdesk"));
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(URI.create(resource),
                        List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("tickets:read")))
                .policy(PolicySet.builder()
                        .allow("callers", "tool:*", "true")
                        .deny("no-deletes", "tool:delete_ticket", "true")
                        .build().asAccessPolicy())
                .build();
        McpServer mcp = McpServer.builder("helpdesk", "1.0.0")
                .controls(Security.builder(rs).listener(telemetry.listener())
                        .rateLimit(new RateLimitStage(List.of(new RateLimitRule("five-searches",
                                RateLimitRule.Key.PRINCIPAL, 5, Duration.ofHours(1), Set.of("tools/call"))), List.of(),
                                new LocalRateLimiter(1_000, InstantSource.system()),
                                RateLimitStage.WhenUnavailable.FAIL_CLOSED))
                        .build())
                .tool(Tool.builder("search").description("searches").handler(ctx -> ToolResult.text("found")).build())
                .tool(Tool.builder("delete_ticket").description("deletes").handler(ctx -> ToolResult.text("gone"))
                        .build())
                .build();
        server = mcp.serveHttp(HttpOptions.loopback(port));
        client = new McpHttp(server.uri());
        admin = AdminServer.builder(AdminOptions.loopback(0)).metrics(telemetry).health(server).start();

        int promPort = Ports.free();
        prometheusUri = URI.create("http://127.0.0.1:" + promPort);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: warden
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(admin.port()));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
        if (telemetry != null) {
            telemetry.close();
        }
    }

    McpHttp.Reply call(String authorization, String tool) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/call", tool);
        if (authorization != null) {
            h.put("Authorization", authorization);
        }
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.set("arguments", Json.object());
        p.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(1, "tools/call", p));
    }

    String token(String subject) {
        Map<String, Object> c = ISSUER.claims(subject, resource, "tickets:read");
        c.put("jti", UUID.randomUUID().toString());
        return "Bearer " + ISSUER.sign(c);
    }

    /** The vector PromQL {@code query} answers, as label set (without job and instance) to value. */
    Map<String, Double> query(String query) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prometheusUri + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> out = new TreeMap<>();
        if (r.statusCode() != 200) {
            return out;
        }
        for (JsonNode v : Json.standard().parse(r.body()).path("data").path("result")) {
            ObjectNode labels = ((ObjectNode) v.path("metric")).deepCopy();
            labels.remove(List.of("job", "instance"));
            out.put(labels.toString(), v.path("value").path(1).asDouble());
        }
        return out;
    }

    Map<String, Double> awaitQuery(String q, Map<String, Double> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Double> last = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                last = query(q);
            } catch (java.io.IOException notYetUp) {
                // Prometheus is still starting
            }
            if (last.equals(expected)) {
                return last;
            }
            Thread.sleep(250);
        }
        return last;
    }

    @Test
    void prometheusScrapesTheRequestAndDenialCountersOfAnAttackRunFromTheAdminPort() throws Exception {
        // the attack run: missing, forged and garbage credentials; a denied tool twice; a flood past the limit
        assertThat(call(null, "search").status()).isEqualTo(401);
        Map<String, Object> forged = FORGER.claims("mallory", resource, "tickets:read");
        assertThat(call("Bearer " + FORGER.sign(forged), "search").status()).isEqualTo(401);
        assertThat(call("Bearer not-a-jwt", "search").status()).isEqualTo(401);
        String alice = token("alice");
        for (int i = 0; i < 2; i++) {
            assertThat(call(alice, "delete_ticket").json().path("error").path("code").asInt()).isEqualTo(-32602);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(call(alice, "search").status()).isEqualTo(200);
        }
        assertThat(call(alice, "search").status()).isEqualTo(429);

        assertThat(awaitQuery("sum by (mcp_method_name, outcome) (warden_requests_total)", Map.of(
                "{\"mcp_method_name\":\"tools/call\",\"outcome\":\"answered\"}", 5.0,
                "{\"mcp_method_name\":\"tools/call\",\"outcome\":\"failed\"}", 2.0,
                "{\"mcp_method_name\":\"tools/call\",\"outcome\":\"refused\"}", 1.0)))
                .isEqualTo(Map.of(
                        "{\"mcp_method_name\":\"tools/call\",\"outcome\":\"answered\"}", 5.0,
                        "{\"mcp_method_name\":\"tools/call\",\"outcome\":\"failed\"}", 2.0,
                        "{\"mcp_method_name\":\"tools/call\",\"outcome\":\"refused\"}", 1.0));
        Map<String, Double> denials = Map.of("{\"rule\":\"no-deletes\"}", 2.0);
        assertThat(awaitQuery("sum by (rule) (warden_policy_denials_total)", denials)).isEqualTo(denials);
        Map<String, Double> auth = Map.of("{\"error\":\"invalid_token\"}", 2.0, "{\"error\":\"unauthorized\"}", 1.0);
        assertThat(awaitQuery("sum by (error) (warden_authentication_failures_total)", auth)).isEqualTo(auth);
        Map<String, Double> limited = Map.of("{\"limit\":\"rate-limit\"}", 1.0);
        assertThat(awaitQuery("sum by (limit) (warden_rate_limit_rejections_total)", limited)).isEqualTo(limited);
        // the semantic conventions' duration: one observation per request the pipeline saw, the tool named only
        // where its definition answered
        Map<String, Double> durations = Map.of("{\"gen_ai_tool_name\":\"search\"}", 5.0, "{}", 3.0);
        assertThat(awaitQuery("sum by (gen_ai_tool_name) (mcp_server_operation_duration_seconds_count)", durations))
                .isEqualTo(durations);
        // no subject, address or token is a label anywhere
        HttpResponse<String> text = http.send(HttpRequest.newBuilder(URI.create(admin.uri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
        assertThat(text.body()).contains("warden_requests_total").doesNotContain("alice").doesNotContain("mallory")
                .doesNotContain("127.0.0.1");
    }

    @Test
    void theAdminPortServesHealthAndReadinessAsTheMcpPortDoesAndNothingElse() throws Exception {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(admin.uri() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(admin.uri() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> mainReady = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.port() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(mainReady.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo(mainReady.body());
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(admin.uri() + "/mcp")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(admin.uri() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(admin.uri().getHost()).isEqualTo("127.0.0.1");
    }
}
