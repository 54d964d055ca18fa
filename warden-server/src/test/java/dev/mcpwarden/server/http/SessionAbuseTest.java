package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.session.EventStore;
import dev.mcpwarden.server.session.SessionStore;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.node.ObjectNode;

/**
 * One principal against everyone else's 2025 sessions, over real HTTP: floods of {@code initialize} (a share per
 * principal, a rate per principal), of GET and DELETE, and what an ended session leaves behind (nothing).
 */
@Timeout(120)
class SessionAbuseTest {

    static final HttpClient jdk = HttpClient.newHttpClient();

    /** The principal is whoever the {@code X-User} header names: a fake authenticator, real HTTP. */
    static Controls controls() {
        return Controls.builder().authenticator(head -> {
            String user = head.header("X-User");
            if (user == null) {
                throw Rejection.badRequest("Bad Request: X-User is required");
            }
            return new Principal("https://issuer.test", user, "client", Set.of(), null, Set.of(), Map.of());
        }).build();
    }

    static McpServer server() {
        return McpServer.builder("sessions", "1.0.0").controls(controls())
                .tool(Tool.builder("progress").description("Reports progress, then answers").handler(ctx -> {
                    ctx.progress(1, 2.0, "half");
                    return ToolResult.text("done");
                }).build())
                .build();
    }

    static HttpOptions options(int maxSessions, Duration idle) {
        HttpOptions o = HttpOptions.loopback(0);
        return new HttpOptions(o.host(), 0, o.path(), o.allowedHosts(), o.allowedOrigins(), o.maxBodyBytes(),
                o.maxJsonDepth(), maxSessions, idle, 100, o.sseRetry(), o.keepAlive());
    }

    static Map<String, String> legacy(String user, String session) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        h.put("X-User", user);
        if (session != null) {
            h.put("Mcp-Session-Id", session);
            h.put("MCP-Protocol-Version", "2025-11-25");
        }
        return h;
    }

    static McpHttp.Reply initialize(McpHttp client, String user) throws Exception {
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "t").put("version", "1");
        return client.post(legacy(user, null), McpHttp.request(7, "initialize", params));
    }

    static ObjectNode progressCall() {
        ObjectNode p = Json.object().put("name", "progress");
        p.putObject("_meta").put("progressToken", "p1");
        return p;
    }

    static McpHttp.Reply ping(McpHttp client, String user, String session) throws Exception {
        return client.post(legacy(user, session), McpHttp.request(3, "ping", Json.object()));
    }

    static HttpResponse<InputStream> openGet(HttpTransport http, String user, String session) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.uri()).GET().header("Accept", "text/event-stream");
        legacy(user, session).forEach((k, v) -> {
            if (!k.equals("Content-Type") && !k.equals("Accept")) {
                b.header(k, v);
            }
        });
        return jdk.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads an SSE body up to the end of its first event and returns that event's id. */
    static String firstEventId(InputStream in) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (!seen.toString(StandardCharsets.UTF_8).contains("\n\n")) {
            int b = in.read();
            assertThat(b).as("the stream ended before its first event").isNotEqualTo(-1);
            seen.write(b);
        }
        return seen.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("id: ")).findFirst()
                .orElseThrow().substring(4);
    }

    /** Reads the rest of a stream: completes when the server ends it. */
    static CompletableFuture<String> rest(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "closed: " + e.getMessage();
            }
        });
    }

    static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void tenThousandFiftyInitializeCallsByOnePrincipalLeaveAnotherPrincipalsSessionAndNothingOfTheEvictedRemains()
            throws Exception {
        SessionStore sessions = SessionStore.inMemory(100, Duration.ofMinutes(30), InstantSource.system());
        EventStore events = EventStore.inMemory(100);
        // A rate high enough that every initialize is served: this test is about the share, not the rate.
        HttpTransport http = HttpTransport.builder(server(), options(100, Duration.ofMinutes(30)))
                .sessions(sessions).events(events)
                .limits(TransportLimits.DEFAULTS.withSessionStarts(new TransportLimits.Rate(20_000, 10_000)))
                .start();
        try {
            McpHttp client = new McpHttp(http.uri());
            String bob = initialize(client, "bob").header("Mcp-Session-Id");
            String first = initialize(client, "mallory").header("Mcp-Session-Id");
            HttpResponse<InputStream> stream = openGet(http, "mallory", first);
            assertThat(stream.statusCode()).isEqualTo(200);
            String primed = firstEventId(stream.body());
            CompletableFuture<String> ended = rest(stream.body());
            McpHttp.Reply called = client.post(legacy("mallory", first), McpHttp.request(4, "tools/call",
                    progressCall()));
            assertThat(called.body()).contains("notifications/progress").contains("done");
            assertThat(events.streamOf(first, primed)).isPresent();
            eventually(() -> http.liveStreams() == 1); // the call's stream goes as its answer completes
            assertThat(http.liveStreams()).isEqualTo(1);

            AtomicInteger created = new AtomicInteger();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<?>> all = new java.util.ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int share = t < 2 ? 1257 : 1256; // 10,050 in all
                    all.add(pool.submit(() -> {
                        McpHttp own = new McpHttp(http.uri());
                        for (int i = 0; i < share; i++) {
                            McpHttp.Reply r = initialize(own, "mallory");
                            assertThat(r.status()).isEqualTo(200);
                            created.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get();
                }
            }
            assertThat(created.get()).isEqualTo(10_050);

            // Another principal's session is untouched; the flooder holds its share (a tenth of 100, at least 8).
            assertThat(ping(client, "bob", bob).status()).isEqualTo(200);
            assertThat(sessions.size()).isEqualTo(SessionStore.perPrincipal(100) + 1);
            // The flooder's first session was evicted: its stream ended, its events are gone, it is unknown.
            assertThat(ended.get(5, TimeUnit.SECONDS)).doesNotContain("closed:");
            eventually(() -> http.liveStreams() == 0);
            assertThat(http.liveStreams()).isZero();
            assertThat(events.streamOf(first, primed)).isEmpty();
            assertThat(events.after(first, primed)).isEmpty();
            McpHttp.Reply gone = ping(client, "mallory", first);
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.json().get("error").get("message").asString()).isEqualTo("Session not found");
        } finally {
            http.close();
        }
    }

    @Test
    void initializeBeyondThePerPrincipalRateIs429WithRetryAfterWhileOthersStartTheirs() throws Exception {
        HttpTransport http = HttpTransport.builder(server(), options(1_000, Duration.ofMinutes(30)))
                // Three at once, then one an hour: the wait is about an hour however slow this machine is.
                .limits(TransportLimits.DEFAULTS.withSessionStarts(new TransportLimits.Rate(3, 1.0 / 3600)))
                .start();
        try {
            McpHttp client = new McpHttp(http.uri());
            for (int i = 0; i < 3; i++) {
                assertThat(initialize(client, "mallory").status()).isEqualTo(200);
            }
            McpHttp.Reply limited = initialize(client, "mallory");
            assertThat(limited.status()).isEqualTo(429);
            assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(3_400, 3_600);
            assertThat(limited.header("Mcp-Session-Id")).isNull();
            assertThat(limited.json().get("id").asInt()).isEqualTo(7);
            assertThat(limited.json().get("error").get("code").asInt()).isEqualTo(-32000);
            assertThat(limited.json().get("error").get("message").asString())
                    .isEqualTo("Too Many Requests: rate limit session-starts exceeded");
            assertThat(limited.json().get("error").get("data").get("limit").asString()).isEqualTo("session-starts");
            assertThat(initialize(client, "bob").status()).isEqualTo(200);
        } finally {
            http.close();
        }
    }

    @Test
    void getAndDeleteBeyondThePerPrincipalRateAre429BeforeAnySessionIsLookedUp() throws Exception {
        HttpTransport http = HttpTransport.builder(server(), options(1_000, Duration.ofMinutes(30)))
                .limits(TransportLimits.DEFAULTS.withSessionRequests(new TransportLimits.Rate(2, 1.0 / 3600)))
                .start();
        try {
            McpHttp client = new McpHttp(http.uri());
            for (String method : List.of("GET", "DELETE")) {
                for (int i = 0; i < 2; i++) {
                    McpHttp.Reply unknown = client.send(method, legacy("mallory", "no-such-session"), null);
                    assertThat(unknown.status()).as(method).isEqualTo(404);
                }
                McpHttp.Reply limited = client.send(method, legacy("mallory", "no-such-session"), null);
                assertThat(limited.status()).as(method).isEqualTo(429);
                assertThat(Integer.parseInt(limited.header("Retry-After"))).as(method).isBetween(3_400, 3_600);
                assertThat(limited.json().get("error").get("message").asString()).as(method)
                        .isEqualTo("Too Many Requests: rate limit "
                                + (method.equals("GET") ? "session-streams" : "session-ends") + " exceeded");
                // Another principal's requests are counted apart.
                assertThat(client.send(method, legacy("bob", "no-such-session"), null).status()).as(method)
                        .isEqualTo(404);
            }
        } finally {
            http.close();
        }
    }

    @Test
    void anAbandonedSessionEndsOnTimeWithItsStreamAndItsEventsThoughNobodyAsksForIt() throws Exception {
        EventStore events = EventStore.inMemory(100);
        SessionStore sessions = SessionStore.inMemory(100, Duration.ofSeconds(2), InstantSource.system());
        HttpTransport http = HttpTransport.builder(server(), options(100, Duration.ofSeconds(2)))
                .sessions(sessions).events(events).start();
        try {
            McpHttp client = new McpHttp(http.uri());
            String session = initialize(client, "alice").header("Mcp-Session-Id");
            HttpResponse<InputStream> stream = openGet(http, "alice", session);
            String primed = firstEventId(stream.body());
            CompletableFuture<String> ended = rest(stream.body());
            assertThat(events.streamOf(session, primed)).isPresent();
            // Nobody sends a request: the sweep ends the session after its idle time (2 s, swept every second).
            assertThat(ended.get(10, TimeUnit.SECONDS)).doesNotContain("closed:");
            assertThat(sessions.size()).isZero();
            // The connection ends as the stream is forgotten: the two are one step apart.
            eventually(() -> http.liveStreams() == 0);
            assertThat(http.liveStreams()).isZero();
            assertThat(events.streamOf(session, primed)).isEmpty();
        } finally {
            http.close();
        }
    }
}
