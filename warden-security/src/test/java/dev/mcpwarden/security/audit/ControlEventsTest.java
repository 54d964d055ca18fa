package dev.mcpwarden.security.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the controls decide about a request travels on the one event stream: every listener hears it (a metrics
 * listener as much as the audit log), between the request's start and its end, and the audit log writes it into the
 * request's one record.
 */
class ControlEventsTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    static final String SECRET = "sk_live_51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8";

    /** What a second listener (as metrics would be) heard, in order: "started m", the events, "ended m". */
    final List<Object> heard = new CopyOnWriteArrayList<>();
    final List<AuditEvent> records = new CopyOnWriteArrayList<>();
    HttpTransport http;
    McpHttp client;
    String resource;

    @BeforeEach
    void serve() {
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(URI.create(resource),
                        List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("tickets:read")))
                .policy(PolicySet.builder()
                        .allow("callers", "tool:*", "true")
                        .deny("no-deletes", "tool:delete", "true")
                        .build().asAccessPolicy())
                .build();
        SecurityEventListener metrics = new SecurityEventListener() {
            @Override
            public void requestStarted(Call call) {
                heard.add("started " + call.method());
            }

            @Override
            public void controlled(Call call, ControlEvent event) {
                heard.add(event);
            }

            @Override
            public void requestEnded(Call call, Ending ending, long elapsedNanos) {
                heard.add("ended " + call.method());
            }
        };
        McpServer server = McpServer.builder("observed", "1.0.0")
                .controls(Security.builder(rs).audit(Audit.to(records::add)).listener(metrics)
                        .rateLimit(new RateLimitStage(List.of(new RateLimitRule("one-read", RateLimitRule.Key.PRINCIPAL,
                                1, Duration.ofHours(1), Set.of("tools/call"))), List.of(),
                                new LocalRateLimiter(1_000, InstantSource.system()),
                                RateLimitStage.WhenUnavailable.FAIL_CLOSED))
                        .outputGuards(OutputGuardStage.builder().build())
                        .build())
                .stage(Position.Slot.AFTER_AUTHORIZATION, (call, chain) -> {
                    SecurityEvents.report(call, new ControlEvent.Noted("ticket_queue", "support"));
                    SecurityEvents.report(call, new ControlEvent.Noted("method", "forged"));
                    return chain.proceed(call);
                })
                .tool(Tool.builder("leak").description("returns a configuration with a key in it")
                        .handler(ctx -> ToolResult.text("key=" + SECRET)).build())
                .tool(Tool.builder("delete").description("deletes").handler(ctx -> ToolResult.text("deleted")).build())
                .build();
        http = server.serveHttp(HttpOptions.loopback(port));
        client = new McpHttp(http.uri());
    }

    @AfterEach
    void stop() {
        http.close();
    }

    String token() {
        Map<String, Object> c = ISSUER.claims("alice", resource, "tickets:read");
        c.put("jti", UUID.randomUUID().toString());
        return ISSUER.sign(c);
    }

    McpHttp.Reply post(String token, String method, String tool) throws Exception {
        Map<String, String> h = McpHttp.headers2026(method, tool);
        h.put("Authorization", "Bearer " + token);
        ObjectNode p = Json.object();
        if (tool != null) {
            p.put("name", tool);
            p.set("arguments", Json.object());
        }
        p.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(1, method, p));
    }

    AuditEvent awaitRecord(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (records.stream().filter(e -> e.type() != AuditEventType.AUTHENTICATION).count() < n) {
            assertThat(System.nanoTime()).as("records so far: %s", records).isLessThan(deadline);
            Thread.sleep(5);
        }
        return records.stream().filter(e -> e.type() != AuditEventType.AUTHENTICATION).toList().get(n - 1);
    }

    @Test
    void aMetricsListenerHearsThePolicyDecisionTheGuardsFindingAndTheUserStagesNotesBetweenStartAndEnd()
            throws Exception {
        assertThat(post(token(), "tools/call", "leak").status()).isEqualTo(200);
        awaitRecord(1);

        assertThat(heard).containsExactly(
                "started tools/call",
                new ControlEvent.PolicyDecided("callers", true, "allowed by rule 'callers'"),
                new ControlEvent.Noted("ticket_queue", "support"),
                new ControlEvent.Noted("method", "forged"),
                new ControlEvent.Finding(ControlEvent.Control.OUTPUT_GUARD, "API_KEY", "redacted", 1),
                "ended tools/call");
    }

    @Test
    void theAuditRecordCarriesAUserStagesNoteButANoteNeverOverwritesWhatWardenRecords() throws Exception {
        post(token(), "tools/call", "leak");

        AuditEvent record = awaitRecord(1);
        assertThat(record.detail()).containsEntry("ticket_queue", "support").containsEntry("method", "tools/call");
        assertThat(record.detail().get("findings")).isEqualTo(List.of(Map.of("control", "output-guard",
                "kind", "API_KEY", "action", "redacted", "count", 1)));
    }

    @Test
    void aHiddenDefinitionAndARateLimitRefusalAreEventsOnTheStreamAndInTheRecord() throws Exception {
        String token = token();
        post(token, "tools/list", null);
        post(token, "tools/call", "leak");
        assertThat(post(token, "tools/call", "leak").status()).isEqualTo(429);

        assertThat(heard).contains(new ControlEvent.Hidden("tool:delete", "no-deletes"),
                new ControlEvent.Blocked(ControlEvent.Control.RATE_LIMIT, "rule one-read (PRINCIPAL)"));
        AuditEvent list = awaitRecord(1);
        assertThat(list.outcome()).isEqualTo("filtered");
        assertThat(list.detail()).containsEntry("hidden", Map.of("tool:delete", "no-deletes"));
        AuditEvent limited = awaitRecord(3);
        assertThat(limited.type()).isEqualTo(AuditEventType.RATE_LIMIT);
        assertThat(limited.detail()).containsEntry("blocked", Map.of("control", "rate-limit",
                "reason", "rule one-read (PRINCIPAL)"));
    }
}
