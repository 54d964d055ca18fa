package dev.mcpwarden.security.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.guard.InputGuardStage;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.guard.ShellArgumentGuard;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit log wired into a real server over HTTP: resource server, access policy, rate limit, input and output
 * guards, 2026 requests and 2025 sessions. Each request must leave exactly the events that say what happened to it,
 * with the same correlation id, and never a credential or a redacted value.
 */
class AuditWiringTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    static final String SECRET = "sk_live_51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8";
    static final String UNAVAILABLE = "Service unavailable: the audit log cannot record this request";
    static final String WITHHELD = "[token-like value withheld]";
    /** A well-formed HS256 JWT ({"alg":"HS256"} / {"sub":"x"}), as short as a token gets. */
    static final String SHORT_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz";

    final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    final AtomicInteger handlerRuns = new AtomicInteger();
    HttpTransport http;
    McpHttp client;
    String resource;

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
    }

    // ---- the server ----------------------------------------------------------------------------------------------

    void serve() {
        serve(events::add, 1_000);
    }

    /** Starts the guarded server on loopback, recording on {@code trail}, with {@code toolCalls} per principal. */
    void serve(AuditTrail trail, long toolCalls) {
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        Audit audit = Audit.to(trail);
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(URI.create(resource),
                        List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("tickets:read")))
                .policy((p, kind, name) -> !(kind == Target.Kind.TOOL && name.equals("delete")) || p.hasRole("admin"))
                .build();
        McpServer server = McpServer.builder("audited", "1.0.0")
                .controls(Security.builder(rs).audit(audit)
                        .rateLimit(new RateLimitStage(List.of(new RateLimitRule("tiny", RateLimitRule.Key.PRINCIPAL,
                                toolCalls, Duration.ofHours(1), Set.of("tools/call"))), List.of(),
                                new LocalRateLimiter(1_000, InstantSource.system()),
                                RateLimitStage.WhenUnavailable.FAIL_CLOSED))
                        .outputGuards(OutputGuardStage.builder().build())
                        .inputGuards(InputGuardStage.builder().guard("ping", "host", ShellArgumentGuard.standard())
                                .build())
                        .build())
                .tool(Tool.builder("read").description("reads")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}")
                        .handler(ctx -> {
                            handlerRuns.incrementAndGet();
                            return ToolResult.text("read ok");
                        }).build())
                .tool(Tool.builder("write").description("writes").requiredScopes("tickets:write")
                        .handler(ctx -> ToolResult.text("write ok")).build())
                .tool(Tool.builder("delete").description("deletes").handler(ctx -> ToolResult.text("deleted")).build())
                .tool(Tool.builder("ping").description("pings")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"host\":{\"type\":\"string\"}}}")
                        .handler(ctx -> {
                            handlerRuns.incrementAndGet();
                            return ToolResult.text("pinged");
                        }).build())
                .tool(Tool.builder("count").description("counts")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},"
                                + "\"required\":[\"n\"],\"additionalProperties\":false}")
                        .handler(ctx -> {
                            handlerRuns.incrementAndGet();
                            return ToolResult.text("counted");
                        }).build())
                .tool(Tool.builder("leak").description("returns a configuration with a key in it")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"note\":{\"type\":\"string\"}}}")
                        .handler(ctx -> ToolResult.text("key=" + SECRET)).build())
                .build();
        http = server.serveHttp(HttpOptions.loopback(port));
        client = new McpHttp(http.uri());
    }

    // ---- requests --------------------------------------------------------------------------------------------------

    /**
     * A new connection for the next request: a request refused before its body was read may leave the old one closed
     * by the server without notice (see {@link #aRequestRefusedBeforeItsBodyIsReadSaysTheConnectionCloses}).
     */
    void reconnect() {
        client = new McpHttp(http.uri());
    }

    /** A fresh token (unique jti, so its credential fingerprint is new) for {@code subject}. */
    String token(String subject, String scope, String... roles) {
        Map<String, Object> c = ISSUER.claims(subject, resource, scope);
        c.put("jti", UUID.randomUUID().toString());
        if (roles.length > 0) {
            c.put("roles", List.of(roles));
        }
        return ISSUER.sign(c);
    }

    McpHttp.Reply call(String token, String tool, ObjectNode args) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/call", tool);
        h.put("Authorization", "Bearer " + token);
        ObjectNode p = Json.object();
        p.put("name", tool);
        if (args != null) {
            p.set("arguments", args);
        }
        p.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(1, "tools/call", p));
    }

    McpHttp.Reply list(String token) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Authorization", "Bearer " + token);
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(2, "tools/list", p));
    }

    static Map<String, String> legacyHeaders(String token, String session) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        if (session != null) {
            h.put("Mcp-Session-Id", session);
        }
        return h;
    }

    McpHttp.Reply initialize(String token) throws Exception {
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "t").put("version", "1");
        return client.post(legacyHeaders(token, null), McpHttp.request(0, "initialize", params));
    }

    McpHttp.Reply legacy(String token, String session, String method, ObjectNode params) throws Exception {
        return client.post(legacyHeaders(token, session), McpHttp.request(7, method, params));
    }

    // ---- reading the trail -----------------------------------------------------------------------------------------

    List<AuditEvent> ofType(AuditEventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    List<AuditEvent> except(AuditEventType type) {
        return events.stream().filter(e -> e.type() != type).toList();
    }

    /** The one event that matches, once it was recorded (events after the response are recorded asynchronously). */
    AuditEvent await(Predicate<AuditEvent> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (events.stream().noneMatch(wanted)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such audit event; recorded: " + events);
            }
            Thread.sleep(5);
        }
        List<AuditEvent> found = events.stream().filter(wanted).toList();
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    static String json(AuditEvent e) {
        return new String(RecordFormat.eventJson(e), StandardCharsets.UTF_8);
    }

    static String allJson(List<AuditEvent> events) {
        StringBuilder b = new StringBuilder();
        events.forEach(e -> b.append(json(e)).append('\n'));
        return b.toString();
    }

    static AuditPrincipal principal(String subject) {
        return new AuditPrincipal(ISSUER.issuer(), subject, "test-client", null);
    }

    static String text(McpHttp.Reply r) {
        return r.json().get("result").get("content").get(0).get("text").asString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(AuditEvent e, String key) {
        return (Map<String, Object>) e.detail().get(key);
    }

    // ---- tool calls ------------------------------------------------------------------------------------------------

    @Test
    void aSuccessfulToolCallLeavesOneToolCallEventCorrelatedWithItsAuthentication() throws Exception {
        serve();
        String alice = token("alice", "tickets:read");
        ObjectNode args = Json.object().put("q", "printer");
        McpHttp.Reply r = call(alice, "read", args);
        assertThat(r.status()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("read ok");

        assertThat(events).hasSize(2);
        AuditEvent auth = ofType(AuditEventType.AUTHENTICATION).getFirst();
        assertThat(auth.outcome()).isEqualTo("accepted");
        assertThat(auth.target()).isEqualTo("authentication");
        assertThat(auth.principal()).isEqualTo(principal("alice"));
        assertThat(auth.detail()).isEqualTo(Map.of("credential", Audit.fingerprint("Bearer " + alice),
                "scopes", "tickets:read", "remote_address", "127.0.0.1"));

        AuditEvent tool = ofType(AuditEventType.TOOL_CALL).getFirst();
        assertThat(tool.principal()).isEqualTo(principal("alice"));
        assertThat(tool.target()).isEqualTo("read");
        assertThat(tool.outcome()).isEqualTo("ok");
        assertThat(tool.latency()).isNotNull().isPositive();
        assertThat(tool.detail()).isEqualTo(Map.of(
                "method", "tools/call",
                "arguments", AuditEvent.argumentDigest(args),
                "remote_address", "127.0.0.1",
                "protocol_version", "2026-07-28",
                "policy", Map.of("rule", "access-policy", "effect", "allow")));
        assertThat(tool.correlationId()).isEqualTo(auth.correlationId());

        // The same token again: a new request (new correlation id), no second authentication event.
        assertThat(call(alice, "read", Json.object().put("q", "scanner")).status()).isEqualTo(200);
        assertThat(ofType(AuditEventType.AUTHENTICATION)).hasSize(1);
        List<AuditEvent> calls = ofType(AuditEventType.TOOL_CALL);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).correlationId()).isNotEqualTo(tool.correlationId());
        assertThat(calls.get(1).detail().get("arguments"))
                .isEqualTo(AuditEvent.argumentDigest(Json.object().put("q", "scanner")));
        assertThat(allJson(events)).doesNotContain(alice);
    }

    @Test
    void aBadOrExpiredTokenLeavesOneAuthenticationEventSayingInvalidTokenAndNoRequestEvent() throws Exception {
        serve();
        Map<String, Object> expired = ISSUER.claims("alice", resource, "tickets:read");
        expired.put("exp", Instant.now().getEpochSecond() - 3600);
        String expiredJwt = ISSUER.sign(expired);
        for (String bad : List.of("not-a-jwt", expiredJwt)) {
            events.clear();
            reconnect();
            McpHttp.Reply r = call(bad, "read", null);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\", resource_metadata=");

            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo(AuditEventType.AUTHENTICATION);
                assertThat(e.outcome()).isEqualTo("invalid_token");
                assertThat(e.target()).isEqualTo("authentication");
                assertThat(e.principal()).isEqualTo(AuditPrincipal.NONE);
                assertThat(e.latency()).isNull();
                assertThat(e.detail()).isEqualTo(Map.of("status", 401, "error", "invalid_token",
                        "remote_address", "127.0.0.1"));
            });
            assertThat(allJson(events)).doesNotContain(bad);
        }
    }

    @Test
    void aRequestWithoutATokenLeavesOneUnauthorizedAuthenticationEventWithTheReason() throws Exception {
        serve();
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        assertThat(client.post(h, McpHttp.request(2, "tools/list", p)).status()).isEqualTo(401);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.AUTHENTICATION);
            assertThat(e.outcome()).isEqualTo("unauthorized");
            assertThat(e.detail()).isEqualTo(Map.of("status", 401,
                    "reason", "Unauthorized: a bearer token is required", "remote_address", "127.0.0.1"));
        });
    }

    @Test
    void aCallTheAccessPolicyDeniesIsAPolicyDecisionDeniedWithTheRule() throws Exception {
        serve();
        McpHttp.Reply r = call(token("bob", "tickets:read"), "delete", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Unknown tool: delete");

        List<AuditEvent> decided = except(AuditEventType.AUTHENTICATION);
        assertThat(decided).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.POLICY_DECISION);
            assertThat(e.outcome()).isEqualTo("denied");
            assertThat(e.target()).isEqualTo("delete");
            assertThat(e.principal()).isEqualTo(principal("bob"));
            assertThat(e.detail()).isEqualTo(Map.of(
                    "method", "tools/call",
                    "code", ErrorCodes.INVALID_PARAMS,
                    "remote_address", "127.0.0.1",
                    "protocol_version", "2026-07-28",
                    "policy", Map.of("rule", "access-policy", "effect", "deny",
                            "reason", "denied by the access policy")));
        });
        assertThat(decided.getFirst().correlationId())
                .isEqualTo(ofType(AuditEventType.AUTHENTICATION).getFirst().correlationId());

        // An admin may: the same tool is an ordinary tool call for them.
        events.clear();
        assertThat(text(call(token("root", "tickets:read", "admin"), "delete", null))).isEqualTo("deleted");
        assertThat(except(AuditEventType.AUTHENTICATION)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.TOOL_CALL);
            assertThat(e.outcome()).isEqualTo("ok");
            assertThat(map(e, "policy")).isEqualTo(Map.of("rule", "access-policy", "effect", "allow"));
        });
    }

    @Test
    void aToolsListThatHidesToolsIsAPolicyDecisionFilteredNamingThem() throws Exception {
        serve();
        McpHttp.Reply r = list(token("bob", "tickets:read"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result").get("tools").findValuesAsString("name"))
                .containsExactly("read", "ping", "count", "leak");

        assertThat(except(AuditEventType.AUTHENTICATION)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.POLICY_DECISION);
            assertThat(e.outcome()).isEqualTo("filtered");
            assertThat(e.target()).isEqualTo("tools/list");
            assertThat(e.detail()).isEqualTo(Map.of(
                    "method", "tools/list",
                    "remote_address", "127.0.0.1",
                    "protocol_version", "2026-07-28",
                    "hidden", Map.of("tool:delete", "access-policy", "tool:write", "scope")));
        });
    }

    @Test
    void aToolsListThatHidesNothingIsAnOrdinaryRequest() throws Exception {
        serve();
        assertThat(list(token("root", "tickets:read tickets:write", "admin")).status()).isEqualTo(200);
        assertThat(except(AuditEventType.AUTHENTICATION)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.REQUEST);
            assertThat(e.outcome()).isEqualTo("ok");
            assertThat(e.target()).isEqualTo("tools/list");
            assertThat(e.detail()).doesNotContainKey("hidden");
        });
    }

    @Test
    void aCallWithoutTheToolsScopeIsAPolicyDecisionInsufficientScope403() throws Exception {
        serve();
        McpHttp.Reply r = call(token("alice", "tickets:read"), "write", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer error=\"insufficient_scope\", scope=\"tickets:write\"");

        assertThat(except(AuditEventType.AUTHENTICATION)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.POLICY_DECISION);
            assertThat(e.outcome()).isEqualTo("insufficient_scope");
            assertThat(e.target()).isEqualTo("write");
            assertThat(e.detail()).isEqualTo(Map.of(
                    "method", "tools/call",
                    "status", 403,
                    "code", ErrorCodes.INVALID_REQUEST,
                    "remote_address", "127.0.0.1",
                    "protocol_version", "2026-07-28",
                    "required_scopes", "tickets:write",
                    "policy", Map.of("rule", "access-policy", "effect", "allow")));
        });
        // Recorded once: the HTTP-level stage leaves refusals of a started call to the MCP-level one.
        assertThat(ofType(AuditEventType.REQUEST)).isEmpty();
    }

    @Test
    void aRateLimitedCallIsARateLimitEventNamingTheControl() throws Exception {
        serve(events::add, 1);
        String alice = token("alice", "tickets:read");
        assertThat(call(alice, "read", null).status()).isEqualTo(200);
        McpHttp.Reply limited = call(alice, "read", null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isNotNull();
        assertThat(handlerRuns.get()).isEqualTo(1);

        List<AuditEvent> calls = except(AuditEventType.AUTHENTICATION);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).type()).isEqualTo(AuditEventType.TOOL_CALL);
        AuditEvent e = calls.get(1);
        assertThat(e.type()).isEqualTo(AuditEventType.RATE_LIMIT);
        assertThat(e.outcome()).isEqualTo("rate_limited");
        assertThat(e.target()).isEqualTo("read");
        assertThat(e.principal()).isEqualTo(principal("alice"));
        assertThat(e.detail()).isEqualTo(Map.of(
                "method", "tools/call",
                "status", 429,
                "code", ErrorCodes.RATE_LIMITED,
                "remote_address", "127.0.0.1",
                "protocol_version", "2026-07-28",
                // Authorization runs before the rate limit: the record names the rule that allowed the call.
                "policy", Map.of("rule", "access-policy", "effect", "allow"),
                "blocked", Map.of("control", "rate-limit", "reason", "rule tiny (PRINCIPAL)")));
    }

    @Test
    void anInputGuardBlockIsAGuardFindingBlockedWithTheGuardsKind() throws Exception {
        serve();
        McpHttp.Reply r = call(token("alice", "tickets:read"), "ping", Json.object().put("host", "example.com; id"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result").get("isError").asBoolean()).isTrue();
        assertThat(text(r)).startsWith("Rejected by input guard: argument 'host' ");
        assertThat(handlerRuns.get()).isZero();

        assertThat(except(AuditEventType.AUTHENTICATION)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.GUARD_FINDING);
            assertThat(e.outcome()).isEqualTo("blocked");
            assertThat(e.target()).isEqualTo("ping");
            assertThat(e.detail().get("findings")).isEqualTo(List.of(Map.of("control", "input-guard",
                    "kind", "SHELL_INJECTION", "action", "blocked", "count", 1)));
            assertThat(map(e, "blocked")).containsEntry("control", "input-guard");
            assertThat((String) map(e, "blocked").get("reason"))
                    .isEqualTo(text(r).substring("Rejected by input guard: ".length()));
            assertThat(e.detail().get("arguments"))
                    .isEqualTo(AuditEvent.argumentDigest(Json.object().put("host", "example.com; id")));
            assertThat(json(e)).doesNotContain("example.com; id");
        });
    }

    @Test
    void anArgumentSchemaViolationIsAGuardFindingBlockedBySchema() throws Exception {
        serve();
        McpHttp.Reply r = call(token("alice", "tickets:read"), "count", Json.object().put("n", "many"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result").get("isError").asBoolean()).isTrue();
        String answer = text(r);
        assertThat(answer).startsWith("Invalid arguments for tool count: ");
        assertThat(handlerRuns.get()).isZero();

        assertThat(except(AuditEventType.AUTHENTICATION)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.GUARD_FINDING);
            assertThat(e.outcome()).isEqualTo("blocked");
            assertThat(e.target()).isEqualTo("count");
            assertThat(map(e, "blocked")).isEqualTo(Map.of("control", "schema",
                    "reason", answer.substring("Invalid arguments for tool count: ".length())));
            assertThat(e.detail()).doesNotContainKey("findings");
        });
    }

    @Test
    void anOutputRedactionIsAGuardFindingGuardedAndTheSecretIsInNoRecord() throws Exception {
        MemoryAuditSink sink = AuditSink.memory();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults(), InstantSource.system())) {
            AuditTrail logged = AuditTrail.of(log);
            serve(e -> {
                events.add(e);
                logged.record(e);
            }, 1_000);
            McpHttp.Reply r = call(token("alice", "tickets:read"), "leak", Json.object().put("note", SECRET));
            assertThat(r.status()).isEqualTo(200);
            assertThat(text(r)).isEqualTo("key=[REDACTED-API_KEY]");
            assertThat(r.body()).doesNotContain(SECRET);

            assertThat(except(AuditEventType.AUTHENTICATION)).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo(AuditEventType.GUARD_FINDING);
                assertThat(e.outcome()).isEqualTo("guarded");
                assertThat(e.target()).isEqualTo("leak");
                assertThat(e.detail().get("findings")).isEqualTo(List.of(Map.of("control", "output-guard",
                        "kind", "API_KEY", "action", "redacted", "count", 1)));
                assertThat(e.detail().get("arguments"))
                        .isEqualTo(AuditEvent.argumentDigest(Json.object().put("note", SECRET)));
            });
            assertThat(allJson(events)).doesNotContain(SECRET).doesNotContain("sk_live_");

            log.flush();
            assertThat(new String(sink.bytes(), StandardCharsets.UTF_8)).doesNotContain(SECRET)
                    .contains("\"type\":\"GUARD_FINDING\"").contains("\"type\":\"AUTHENTICATION\"");
            assertThat(AuditVerifier.unkeyed().verify(sink.inputStream()).intact()).isTrue();
            // genesis, the authentication and the guarded call: one chain, one record per event
            assertThat(sink.lines()).hasSize(3);
        }
    }

    // ---- refusals at the transport and sessions ---------------------------------------------------------------------

    @Test
    void aForeignOriginIsARequestRejected403BeforeAuthentication() throws Exception {
        serve();
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Authorization", "Bearer " + token("alice", "tickets:read"));
        h.put("Origin", "https://evil.example");
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        McpHttp.Reply r = client.post(h, McpHttp.request(2, "tools/list", p));
        assertThat(r.status()).isEqualTo(403);

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.REQUEST);
            assertThat(e.outcome()).isEqualTo("rejected");
            assertThat(e.target()).isEqualTo("/mcp");
            assertThat(e.principal()).isEqualTo(AuditPrincipal.NONE);
            assertThat(e.detail()).isEqualTo(Map.of(
                    "status", 403,
                    "code", ErrorCodes.INVALID_REQUEST,
                    "reason", "Forbidden: Origin not allowed",
                    "remote_address", "127.0.0.1",
                    "http_method", "POST"));
        });
    }

    @Test
    void sessionsAreCreatedEndedAndRefusedToAnotherPrincipalWithAPlain404() throws Exception {
        serve();
        String alice = token("alice", "tickets:read");
        McpHttp.Reply init = initialize(alice);
        assertThat(init.status()).isEqualTo(200);
        String session = init.header("Mcp-Session-Id");
        assertThat(session).isNotBlank();
        String fingerprint = Audit.fingerprint(session);

        AuditEvent created = await(e -> e.type() == AuditEventType.SESSION && e.outcome().equals("created"));
        assertThat(created.principal()).isEqualTo(principal("alice"));
        assertThat(created.target()).isEqualTo("/mcp");
        assertThat(created.detail()).isEqualTo(Map.of("session", fingerprint, "remote_address", "127.0.0.1",
                "http_method", "POST"));
        assertThat(created.correlationId())
                .isEqualTo(ofType(AuditEventType.AUTHENTICATION).getFirst().correlationId());

        // Another principal presenting it: the client learns nothing, the audit log learns why.
        String bob = token("bob", "tickets:read");
        McpHttp.Reply hijack = legacy(bob, session, "tools/list", null);
        assertThat(hijack.status()).isEqualTo(404);
        assertThat(hijack.json().get("error").get("message").asString()).isEqualTo("Session not found");
        assertThat(hijack.body()).doesNotContain("mismatch");
        AuditEvent refused = await(e -> e.type() == AuditEventType.SESSION && e.outcome().equals("refused"));
        assertThat(refused.principal()).isEqualTo(principal("bob"));
        assertThat(refused.detail()).isEqualTo(Map.of(
                "status", 404,
                "code", ErrorCodes.INVALID_REQUEST,
                "reason", "session_principal_mismatch",
                "session", fingerprint,
                "remote_address", "127.0.0.1",
                "http_method", "POST"));
        assertThat(events.stream().filter(e -> e.correlationId().equals(refused.correlationId())
                && e.type() != AuditEventType.AUTHENTICATION)).containsExactly(refused);

        // The owner's request in the session is an ordinary request of the 2025 wire.
        assertThat(legacy(alice, session, "tools/list", null).status()).isEqualTo(200);
        AuditEvent listed = await(e -> "tools/list".equals(e.target()));
        assertThat(listed.detail()).containsEntry("protocol_version", "2025-11-25");

        McpHttp.Reply delete = client.send("DELETE", legacyHeaders(alice, session), null);
        assertThat(delete.status()).isEqualTo(200);
        AuditEvent ended = await(e -> e.type() == AuditEventType.SESSION && e.outcome().equals("ended"));
        assertThat(ended.principal()).isEqualTo(principal("alice"));
        assertThat(ended.detail()).isEqualTo(Map.of("session", fingerprint, "remote_address", "127.0.0.1",
                "http_method", "DELETE"));

        // Once ended, the id is unknown to everyone.
        assertThat(legacy(alice, session, "tools/list", null).status()).isEqualTo(404);
        AuditEvent unknown = await(e -> e.type() == AuditEventType.SESSION
                && "session_unknown".equals(e.detail().get("reason")));
        assertThat(unknown.outcome()).isEqualTo("refused");
        assertThat(unknown.detail()).containsEntry("session", fingerprint);
        assertThat(allJson(events)).doesNotContain(session);
    }

    // ---- an audit trail that cannot record ------------------------------------------------------------------------

    /** A sink that works until told to fail. */
    static final class FailingSink implements AuditSink {
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public Optional<Existing> open() {
            return Optional.empty();
        }

        @Override
        public void append(byte[] bytes, int offset, int length) throws IOException {
            if (failing.get()) {
                throw new IOException("disk gone");
            }
        }

        @Override
        public void force() throws IOException {
            if (failing.get()) {
                throw new IOException("disk gone");
            }
        }

        @Override
        public String describe() {
            return "failing";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void anAuditLogWhoseSinkFailedRefusesRequestsWith503InsteadOfServingThemUnrecorded() throws Exception {
        FailingSink sink = new FailingSink();
        AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults(), InstantSource.system());
        try {
            sink.failing.set(true);
            // The writer notices the failure on its next write or force, whichever comes first.
            assertThatThrownBy(() -> {
                log.record(AuditEvent.builder(AuditEventType.REQUEST, Instant.now(), "warm-up").outcome("ok").build());
                log.flush();
            }).isInstanceOf(AuditException.class);
            serve(AuditTrail.of(log), 1_000);

            McpHttp.Reply r = call(token("alice", "tickets:read"), "read", null);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().get("error").get("message").asString()).isEqualTo(UNAVAILABLE);
            assertThat(r.json().get("error").get("code").asInt()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
            assertThat(r.body()).doesNotContain("read ok");
            assertThat(handlerRuns.get()).isZero();
        } finally {
            assertThatThrownBy(log::close).isInstanceOf(AuditException.class);
        }
    }

    @Test
    void aToolCallWhoseEventCannotBeRecordedIsAnswered503NotServedSilently() throws Exception {
        serve(e -> {
            if (e.type() == AuditEventType.TOOL_CALL) {
                throw Rejection.unavailable(UNAVAILABLE, 0).because("audit_unavailable");
            }
            events.add(e);
        }, 1_000);
        McpHttp.Reply r = call(token("alice", "tickets:read"), "read", null);
        assertThat(handlerRuns.get()).isEqualTo(1);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().get("id").asInt()).isEqualTo(1);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo(UNAVAILABLE);
        assertThat(r.body()).doesNotContain("read ok");
        // Nothing else pretends the request was recorded: only the authentication made it.
        assertThat(events).extracting(AuditEvent::type).containsExactly(AuditEventType.AUTHENTICATION);
    }

    @Test
    void aRefusalWhoseEventCannotBeRecordedIsAnswered503Too() throws Exception {
        serve(e -> {
            throw Rejection.unavailable(UNAVAILABLE, 0).because("audit_unavailable");
        }, 1_000);
        McpHttp.Reply bad = call("not-a-jwt", "read", null);
        assertThat(bad.status()).isEqualTo(503);
        assertThat(bad.json().get("error").get("message").asString()).isEqualTo(UNAVAILABLE);
        reconnect();
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Origin", "https://evil.example");
        assertThat(client.post(h, McpHttp.request(2, "tools/list", Json.object())).status()).isEqualTo(503);
    }

    @Test
    void aRequestRefusedBeforeItsBodyIsReadSaysTheConnectionCloses() throws Exception {
        serve();
        String body = McpHttp.request(1, "tools/list", Json.object());
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", http.port())) {
            s.setSoTimeout(3_000);
            var out = s.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + http.port() + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nAuthorization: Bearer not-a-jwt\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The refusal is answered without waiting for the body; the body arrives after the answer.
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 401");
            out.write(body.getBytes(StandardCharsets.UTF_8));
            out.flush();
            boolean closes = head.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close");
            if (!closes) {
                // Without the header the connection must stay usable for the next request.
                String next;
                Thread.sleep(200); // time for the server to act on the late body
                try {
                    out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + http.port() + "\r\nContent-Type: "
                            + "application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    next = readHead(s.getInputStream());
                } catch (IOException e) {
                    next = "connection failed: " + e;
                }
                assertThat(next).as("the next request on a connection the refusal did not say it closes")
                        .startsWith("HTTP/1.1 401");
            }
        }
    }

    /** Reads one response's head and its Content-Length body; empty when the connection was closed. */
    static String readHead(java.io.InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
            head.append((char) c);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        }
        return head.toString();
    }

    // ---- credentials never reach the log ---------------------------------------------------------------------------

    @Test
    void aJwtUsedAsAToolNameNeverAppearsInAnyEvent() throws Exception {
        serve();
        String alice = token("alice", "tickets:read");
        String jwt = token("mallory", "admin");

        McpHttp.Reply modern = call(alice, jwt, Json.object().put("q", jwt));
        assertThat(modern.json().get("error").get("message").asString()).isEqualTo("Unknown tool: " + jwt);
        AuditEvent e = ofType(AuditEventType.TOOL_CALL).getFirst();
        assertThat(e.target()).isEqualTo(WITHHELD);
        assertThat(e.outcome()).isEqualTo("invalid_params");

        // Header and body disagreeing: refused at the transport, the name still withheld.
        Map<String, String> h = McpHttp.headers2026("tools/call", "read");
        h.put("Authorization", "Bearer " + alice);
        ObjectNode p = Json.object();
        p.put("name", jwt);
        p.set("_meta", McpHttp.meta2026(null));
        assertThat(client.post(h, McpHttp.request(1, "tools/call", p)).status()).isEqualTo(400);

        // And in a 2025 session.
        String session = initialize(alice).header("Mcp-Session-Id");
        ObjectNode legacyParams = Json.object();
        legacyParams.put("name", jwt);
        McpHttp.Reply old = legacy(alice, session, "tools/call", legacyParams);
        assertThat(old.json().get("error").get("message").asString()).isEqualTo("Unknown tool: " + jwt);
        await(x -> x.type() == AuditEventType.TOOL_CALL && "2025-11-25".equals(x.detail().get("protocol_version")));

        assertThat(ofType(AuditEventType.TOOL_CALL)).extracting(AuditEvent::target).containsOnly(WITHHELD);
        assertThat(allJson(events)).doesNotContain(jwt).doesNotContain(alice);
    }

    @Test
    void aJwtUsedAsAMethodNameOnThe2026WireNeverAppearsInAnyEvent() throws Exception {
        serve();
        String alice = token("alice", "tickets:read");
        // Short enough to survive the 256-character cut of the reason whole (a longer one leaks its first 255).
        String jwt = SHORT_JWT;
        Map<String, String> h = McpHttp.headers2026(jwt, null);
        h.put("Authorization", "Bearer " + alice);
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        McpHttp.Reply r = client.post(h, McpHttp.request(1, jwt, p));
        assertThat(r.status()).isEqualTo(404);
        AuditEvent refused = await(e -> e.type() == AuditEventType.REQUEST);
        assertThat(refused.outcome()).isEqualTo("rejected");
        assertThat(allJson(events)).doesNotContain(jwt);
    }

    @Test
    void aJwtUsedAsAMethodNameInASessionIsAnsweredAsAnUnknownMethodAndRecordedWithheld() throws Exception {
        serve();
        String alice = token("alice", "tickets:read");
        String jwt = SHORT_JWT;
        // The mechanism: an event refuses a detail value that looks like a token.
        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.REQUEST, Instant.now(), "c").outcome("error")
                .detail("method", jwt).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("detail.method looks like a token");
        String session = initialize(alice).header("Mcp-Session-Id");
        await(e -> e.type() == AuditEventType.SESSION);
        events.clear();
        McpHttp.Reply r = legacy(alice, session, jwt, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
        AuditEvent e = await(x -> x.type() == AuditEventType.REQUEST);
        assertThat(e.target()).isEqualTo(WITHHELD);
        assertThat(allJson(events)).doesNotContain(jwt);
    }
}
