package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 15, acceptance 2 (the login flood), over real HTTP against {@code warden demo}: the authorization server
 * mounted in the same process as the MCP endpoint, with the demo's real Argon2id cost. 64 clients, each from its
 * own loopback address (127.0.0.2 to 127.0.0.65, so the per-address budget does not end the flood early), POST
 * /login for 30 s, 56 with made-up names and 8 with the demo user's name; meanwhile a client with a valid token
 * calls a tool. The tool calls' p99 stays under a second, and /login answers 429 with Retry-After beyond its cap.
 */
class DemoLoginFloodTest {

    static final int FLOODERS = 64;
    static final Duration FLOOD = Duration.ofSeconds(30);

    @TempDir
    Path state;

    @Test
    @Timeout(value = 90)
    void aLoginFloodOf64ClientsLeavesToolCallsUnderOneSecondAtP99AndLoginAnswers429BeyondItsCap()
            throws Exception {
        try (DemoCommand.Running demo = DemoCommand.start(0, state, null)) {
            URI base = demo.http().uri().resolve("/");
            String clientId = register(base);
            String token = token(demo);
            List<Long> quiet = toolCalls(demo.http().uri(), token, System.nanoTime() + Duration.ofSeconds(3)
                    .toNanos()); // the machine's own pace, for comparison
            Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
            AtomicInteger without429RetryAfter = new AtomicInteger();
            long end = System.nanoTime() + FLOOD.toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(FLOODERS + 1);
            try {
                List<Future<?>> flood = new ArrayList<>();
                for (int i = 0; i < FLOODERS; i++) {
                    String user = i < 8 ? DemoAuth.USER : null;
                    InetAddress from = InetAddress.getByName("127.0.0." + (2 + i));
                    flood.add(pool.submit(() -> {
                        flood(base, clientId, from, user, end, statuses, without429RetryAfter);
                        return null;
                    }));
                }
                List<Long> latencies = toolCalls(demo.http().uri(), token, end);
                for (Future<?> f : flood) {
                    f.get();
                }

                List<Long> sorted = new ArrayList<>(latencies);
                Collections.sort(sorted);
                long p50 = sorted.get(sorted.size() / 2);
                long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
                long max = sorted.get(sorted.size() - 1);
                Collections.sort(quiet);
                System.out.printf("before the flood: %d tool calls, p50 %d ms, p99 %d ms%n", quiet.size(),
                        quiet.get(quiet.size() / 2) / 1_000_000,
                        quiet.get((int) Math.ceil(quiet.size() * 0.99) - 1) / 1_000_000);
                System.out.printf("login flood: %d tool calls, p50 %d ms, p99 %d ms, max %d ms; /login answers %s%n",
                        sorted.size(), p50 / 1_000_000, p99 / 1_000_000, max / 1_000_000, statuses);

                assertThat(sorted).hasSizeGreaterThan(100);
                assertThat(Duration.ofNanos(p99)).isLessThan(Duration.ofSeconds(1));
                assertThat(count(statuses, "429")).as("refused beyond the cap").isGreaterThan(0);
                assertThat(without429RetryAfter.get()).as("429 answers without Retry-After").isZero();
                assertThat(count(statuses, "401")).as("wrong passwords checked").isGreaterThan(0);
                assertThat(statuses.keySet()).as("no other answer").isSubsetOf("401", "429", "400");
                // at most one hash per slot at a time: even at 20 ms a hash (the demo's cost is ~50 ms) the cap
                // lets no more than this many checks through in the flood's time
                int slots = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
                assertThat(count(statuses, "401")).isLessThanOrEqualTo(slots * FLOOD.toMillis() / 20);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static long count(Map<String, LongAdder> statuses, String status) {
        LongAdder a = statuses.get(status);
        return a == null ? 0 : a.sum();
    }

    /** One flooding client: its own address and cookie, a new pending request whenever the last one closed. */
    private static void flood(URI base, String clientId, InetAddress from, String user, long end,
                              Map<String, LongAdder> statuses, AtomicInteger without429RetryAfter) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().localAddress(from).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            String cookie = null;
            String pending = null;
            while (System.nanoTime() < end) {
                if (pending == null) {
                    HttpRequest.Builder get = HttpRequest.newBuilder(base.resolve("/authorize?response_type=code"
                            + "&client_id=" + UserAgent.enc(clientId) + "&redirect_uri="
                            + UserAgent.enc("http://127.0.0.1:9/cb") + "&code_challenge=" + Pkce.fresh().challenge()
                            + "&code_challenge_method=S256&resource=" + UserAgent.enc(base.resolve("/mcp")
                            .toString()) + "&scope=tickets%3Aread")).timeout(Duration.ofSeconds(20));
                    if (cookie != null) {
                        get.header("Cookie", cookie);
                    }
                    HttpResponse<String> r = http.send(get.build(), HttpResponse.BodyHandlers.ofString());
                    String location = r.headers().firstValue("Location").orElse("");
                    if (r.statusCode() != 302 || !location.startsWith("/login?request=")) {
                        Thread.sleep(50);
                        continue;
                    }
                    if (cookie == null) {
                        cookie = r.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
                    }
                    pending = location.substring("/login?request=".length());
                }
                String name = user != null ? user : "made-up-" + UUID.randomUUID();
                HttpRequest post = HttpRequest.newBuilder(base.resolve("/login")).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.ofString(UserAgent.form(Map.of("request", pending,
                                "username", name, "password", "not-the-password")))).build();
                HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
                statuses.computeIfAbsent(Integer.toString(r.statusCode()), k -> new LongAdder()).increment();
                if (r.statusCode() == 429 && r.headers().firstValue("Retry-After").isEmpty()) {
                    without429RetryAfter.incrementAndGet();
                }
                if (r.statusCode() == 400 || r.statusCode() == 401 && !r.body().contains("id=\"sign-in\"")) {
                    pending = null; // closed after its fifth failure (or expired): start a new one
                }
            }
        }
    }

    /** Sequential tool calls with a valid token until {@code end}; their latencies in nanoseconds. */
    private static List<Long> toolCalls(URI endpoint, String token, long end) throws Exception {
        McpHttp mcp = new McpHttp(endpoint);
        Map<String, String> h = McpHttp.headers2026("tools/call", "get_ticket");
        h.put("Authorization", "Bearer " + token);
        ObjectNode params = Json.object();
        params.put("name", "get_ticket");
        params.set("arguments", Json.object().put("ticket_id", "T-100"));
        params.set("_meta", McpHttp.meta2026(null));
        String body = McpHttp.request(1, "tools/call", params);
        List<Long> latencies = new ArrayList<>();
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            McpHttp.Reply r = mcp.post(h, body);
            latencies.add(System.nanoTime() - t0);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("Printer on fire");
            Thread.sleep(200); // at most 5 a second: within the demo's 300 calls a minute, flood and baseline together
        }
        return latencies;
    }

    private static String register(URI base) throws Exception {
        UserAgent.Page r = new UserAgent().postJson(base.resolve("/register").toString(),
                "{\"client_name\":\"flood\",\"redirect_uris\":[\"http://127.0.0.1:9/cb\"],"
                        + "\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return Json.standard().parse(r.body()).get("client_id").asString();
    }

    private String token(DemoCommand.Running demo) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new TokenCommand());
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("--url", demo.http().uri().toString(), "--state-dir", state.toString())).isZero();
        return out.toString().strip();
    }
}
