package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.Haproxy;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Three replicas, each its own process, behind a real HAProxy (Debian's) balancing round robin without stickiness,
 * sharing a real Redis: sessions served by whichever replica HAProxy picks, streams resumed elsewhere after a
 * replica is stopped (SIGTERM) or killed (SIGKILL), one rate limit across the fleet, Redis stopped and started
 * under load.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutTest {

    static final int PER_HOUR = 300;
    static RedisServer redis;
    static Path dir;
    static final Map<String, Process> replicas = new ConcurrentHashMap<>();
    static final Map<String, Integer> ports = new ConcurrentHashMap<>();
    static Haproxy haproxy;
    static URI lb;
    static final HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        dir = Files.createTempDirectory("warden-scaleout");
        for (String id : List.of("r1", "r2", "r3")) {
            ports.put(id, Ports.free());
            startReplica(id);
        }
        haproxy = Haproxy.start(dir, new java.util.TreeMap<>(ports));
        int lbPort = haproxy.port();
        lb = URI.create("http://127.0.0.1:" + lbPort + "/mcp");
        awaitAllUp();
    }

    static final Map<String, Integer> starts = new ConcurrentHashMap<>();

    /** Starts a replica; each start is its own replica id (r2, r2.2, ...), so each writes its own audit chain. */
    static void startReplica(String id) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        int n = starts.merge(id, 1, Integer::sum);
        String replicaId = n == 1 ? id : id + "." + n;
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ReplicaMain.class.getName(),
                Integer.toString(ports.get(id)), redis.url(), replicaId, Integer.toString(PER_HOUR),
                Files.createDirectories(dir.resolve("audit")).toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve(id + ".log").toFile())).start();
        replicas.put(id, p);
    }

    /**
     * Waits until HAProxy sends traffic to every replica (its health checks of /readyz pass); asking through it
     * would spend the rate limits the tests count.
     */
    static void awaitAllUp() throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            if (haproxy.up() == 3) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the replicas did not all come up behind HAProxy: "
                + haproxy.log());
    }

    @AfterAll
    static void stop() throws Exception {
        if (haproxy != null) {
            haproxy.close();
        }
        for (Process p : replicas.values()) {
            p.destroyForcibly();
        }
        redis.close();
    }

    @BeforeEach
    void everyReplicaRuns() throws Exception {
        boolean restarted = false;
        for (String id : List.of("r1", "r2", "r3")) {
            if (!replicas.get(id).isAlive()) {
                startReplica(id);
                restarted = true;
            }
        }
        if (restarted) {
            awaitAllUp();
        }
    }

    static String text(JsonNode r) {
        return r.path("result").path("content").get(0).path("text").asString();
    }

    static JsonNode modernCall(String tool) throws IOException, InterruptedException {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        p.set("_meta", McpHttp.meta2026(null));
        HttpRequest.Builder b = HttpRequest.newBuilder(lb).timeout(Duration.ofSeconds(10));
        McpHttp.headers2026("tools/call", tool).forEach(b::header);
        HttpResponse<String> r = jdk.send(b.POST(HttpRequest.BodyPublishers.ofString(
                McpHttp.request(1, "tools/call", p))).build(), HttpResponse.BodyHandlers.ofString());
        return Json.standard().parse(r.body());
    }

    static Map<String, String> legacy(String session) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        if (session != null) {
            h.put("Mcp-Session-Id", session);
            h.put("MCP-Protocol-Version", "2025-11-25");
        }
        return h;
    }

    static HttpResponse<InputStream> send(String method, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(lb);
        headers.forEach(r::header);
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return jdk.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static String initialize() throws Exception {
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "t").put("version", "1");
        HttpResponse<InputStream> r = send("POST", legacy(null), McpHttp.request(0, "initialize", params));
        r.body().close();
        String session = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        send("POST", legacy(session), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").body().close();
        return session;
    }

    static String call(int id, String tool) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        p.putObject("_meta").put("progressToken", "tok");
        return McpHttp.request(id, "tools/call", p);
    }

    /** What one client saw of one ticker call: the ticks in the order received, and the result if it came. */
    record Seen(List<Integer> ticks, String result, int resumes) {
    }

    /**
     * Calls the ticker on a 2025 session through HAProxy and reads its stream; whenever the stream breaks before
     * the result, resumes it with Last-Event-ID (through HAProxy, so on whichever replica it picks) until the
     * result arrives or nothing more can come.
     */
    static Seen tickThrough(String session, CountDownLatch firstTicks) throws Exception {
        List<Integer> ticks = new ArrayList<>();
        String last = null;
        String result = null;
        int resumes = 0;
        HttpResponse<InputStream> r = send("POST", legacy(session), call(7, "ticker"));
        boolean counted = false;
        for (int attempt = 0; attempt < 20 && result == null; attempt++) {
            if (attempt > 0) {
                Map<String, String> h = new LinkedHashMap<>();
                h.put("Accept", "text/event-stream");
                h.put("Mcp-Session-Id", session);
                h.put("MCP-Protocol-Version", "2025-11-25");
                h.put("Last-Event-ID", last);
                r = send("GET", h, null);
                resumes++;
                if (r.statusCode() != 200) {
                    r.body().close();
                    Thread.sleep(200);
                    continue;
                }
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("data: {")) {
                        JsonNode m = Json.standard().parse(line.substring(6));
                        if (id != null) {
                            last = id;
                        }
                        if ("notifications/progress".equals(m.path("method").asString())) {
                            ticks.add(m.path("params").path("progress").asInt());
                            if (!counted && ticks.size() >= 3) {
                                counted = true;
                                firstTicks.countDown();
                            }
                        } else if (m.has("result")) {
                            result = text(m);
                        }
                    } else if (line.startsWith("id: ") || line.isEmpty()) {
                        id = line.isEmpty() ? null : id;
                    }
                }
            } catch (IOException e) {
                // the replica went away mid-stream: resume
            }
            if (last == null) {
                break;
            }
        }
        return new Seen(ticks, result, resumes);
    }

    /** Twenty sessions each running the ticker; {@code signal} is sent to one replica once they all ticked. */
    List<Seen> twentyTickersWhileAReplicaIs(String signal) throws Exception {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sessions.add(initialize());
        }
        CountDownLatch ticking = new CountDownLatch(20);
        List<Future<Seen>> seen = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String s : sessions) {
                seen.add(pool.submit(() -> tickThrough(s, ticking)));
            }
            assertThat(ticking.await(90, TimeUnit.SECONDS)).as("every client saw its first ticks").isTrue();
            Process victim = replicas.get("r2");
            new ProcessBuilder("kill", "-" + signal, Long.toString(victim.pid())).start().waitFor();
            List<Seen> out = new ArrayList<>();
            for (Future<Seen> f : seen) {
                out.add(f.get(90, TimeUnit.SECONDS));
            }
            return out;
        }
    }

    @Test
    @Order(1)
    void everyRequestOfOneSessionMayLandOnAnyReplica() throws Exception {
        String session = initialize();
        Set<String> servedBy = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<InputStream> r = send("POST", legacy(session), call(10 + i, "replica"));
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(body).isEqualTo(200);
            String json = body.contains("data: ") ? body.substring(body.lastIndexOf("data: ") + 6).strip() : body;
            servedBy.add(text(Json.standard().parse(json)));
        }
        assertThat(servedBy).containsExactlyInAnyOrder("r1", "r2", "r3");
    }

    @Test
    @Order(2)
    void aReplicaStoppedGracefullyFinishesItsCallsAndItsClientsResumeElsewhereMissingNothing() throws Exception {
        List<Seen> all = twentyTickersWhileAReplicaIs("TERM");
        assertThat(replicas.get("r2").waitFor(30, TimeUnit.SECONDS)).as("the stopped replica exits").isTrue();

        List<Integer> everyTick = java.util.stream.IntStream.rangeClosed(1, 80).boxed().toList();
        for (Seen s : all) {
            assertThat(s.ticks()).as("ticks of one call, exactly once and in order").isEqualTo(everyTick);
            assertThat(s.result()).as("no call in flight fails").startsWith("ticked 80 on r");
        }
        assertThat(all).as("some clients were on the stopped replica and resumed")
                .anyMatch(s -> s.resumes() > 0 && s.result().endsWith("r2"));
        assertThat(Files.readString(dir.resolve("r2.log"))).contains("replica r2 drained; calls cut short: 0");
    }

    @Test
    @Order(3)
    void aReplicaKilledMidStreamLeavesItsClientsEveryEventItWroteExactlyOnceInOrder() throws Exception {
        List<Seen> all = twentyTickersWhileAReplicaIs("KILL");

        int cut = 0;
        for (Seen s : all) {
            List<Integer> expected = java.util.stream.IntStream.rangeClosed(1, s.ticks().size()).boxed().toList();
            assertThat(s.ticks()).as("what was written before the kill, exactly once and in order")
                    .isEqualTo(expected);
            if (s.result() == null) {
                cut++; // its call died with the replica: the client resumed and got what had been written
                assertThat(s.resumes()).isPositive();
            } else {
                assertThat(s.ticks()).hasSize(80);
            }
        }
        assertThat(cut).as("calls that ran on the killed replica").isBetween(1, 19);
    }

    @Test
    @Order(4)
    void sixtyFourClientsThroughThreeReplicasGetExactlyTheLimitAndThen429WithRetryAfter() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        Set<String> retryAfter = ConcurrentHashMap.newKeySet();
        List<String> other = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newFixedThreadPool(64)) {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < 64; c++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        ObjectNode p = Json.object();
                        p.put("name", "counted");
                        p.putObject("arguments");
                        p.set("_meta", McpHttp.meta2026(null));
                        HttpRequest.Builder b = HttpRequest.newBuilder(lb);
                        McpHttp.headers2026("tools/call", "counted").forEach(b::header);
                        HttpResponse<String> r = jdk.send(b.POST(HttpRequest.BodyPublishers.ofString(
                                McpHttp.request(1, "tools/call", p))).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            accepted.incrementAndGet();
                        } else if (r.statusCode() == 429) {
                            limited.incrementAndGet();
                            r.headers().firstValue("Retry-After").ifPresent(retryAfter::add);
                        } else {
                            other.add(r.statusCode() + " " + r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(other).as("answers neither 200 nor 429").isEmpty();
        assertThat(accepted.get()).isEqualTo(PER_HOUR);
        assertThat(limited.get()).isEqualTo(640 - PER_HOUR);
        assertThat(retryAfter).isNotEmpty().allMatch(v -> Integer.parseInt(v) >= 1);
    }

    @Test
    @Order(5)
    void whileRedisIsDownSessionsAre503AndFullServiceReturnsWithinSecondsWithoutARestart() throws Exception {
        String session = initialize();
        redis.stop();
        try {
            HttpResponse<InputStream> r = send("POST", legacy(session), call(20, "replica"));
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(body).contains("Service unavailable");
        } finally {
            redis.startAgain();
        }
        long back = System.nanoTime();
        String again = null;
        while (System.nanoTime() - back < TimeUnit.SECONDS.toNanos(15)) {
            try {
                again = initialize();
                JsonNode r = modernCall("replica");
                if (r.has("result")) {
                    break;
                }
            } catch (RuntimeException | IOException e) {
                // not back yet
            }
            Thread.sleep(100);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(5));
        assertThat(again).isNotNull();
        for (Process p : replicas.values()) {
            assertThat(p.isAlive()).as("no replica restarted").isTrue();
        }
    }

    @Test
    @Order(6)
    void everyReplicaStoppedGracefullyLeavesAnIntactAuditChainNamedByItsReplicaIdRecordingItsCalls() throws Exception {
        for (Process p : replicas.values()) {
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        }
        for (Process p : replicas.values()) {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        var found = dev.mcpwarden.security.audit.AuditVerifier.unkeyed().verifyDirectory(dir.resolve("audit"));
        assertThat(found.conflicts()).isEmpty();
        List<String> names = new ArrayList<>();
        for (var chain : found.chains()) {
            names.add(chain.file().getFileName().toString());
            if (chain.file().getFileName().toString().equals("audit-r2.2.jsonl")) {
                continue; // killed with SIGKILL mid-write: what it had not written is lost with it
            }
            assertThat(chain.result()).as(chain.file().toString())
                    .isInstanceOfSatisfying(dev.mcpwarden.security.audit.VerificationResult.Intact.class, r -> {
                        assertThat(r.closed()).as("closed after the drain, nothing cut").isTrue();
                        assertThat(r.records()).as("genesis, calls, closed").isGreaterThan(2);
                    });
        }
        assertThat(names).contains("audit-r1.jsonl", "audit-r2.jsonl", "audit-r3.jsonl", "audit-r2.2.jsonl",
                "audit-r2.3.jsonl");
    }
}
