package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.mcpwarden.authserver.store.AuthStoreContract.NOW;
import static dev.mcpwarden.authserver.store.AuthStoreContract.code;
import static dev.mcpwarden.authserver.store.AuthStoreContract.grant;
import static dev.mcpwarden.authserver.store.AuthStoreContract.race;

import dev.mcpwarden.authserver.store.CodeGrant;
import dev.mcpwarden.authserver.store.CodeRedemption;
import dev.mcpwarden.authserver.store.Grant;
import dev.mcpwarden.authserver.store.RefreshRotation;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.session.EventStore;
import dev.mcpwarden.server.session.Session;
import dev.mcpwarden.server.session.SessionStore;
import dev.mcpwarden.testkit.Ports;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The shared stores on a Redis Cluster (three masters, made with redis-cli) and on a Sentinel-managed Redis, real
 * servers from Debian's package: every script touches one hash slot, and the stores reach the master Sentinel
 * names.
 */
@Timeout(90)
class RedisTopologiesTest {

    final List<Process> processes = new ArrayList<>();
    Path dir;

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    Process redis(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(redisServer()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        processes.add(p);
        return p;
    }

    static String redisServer() {
        return Files.isExecutable(Path.of("/usr/bin/redis-server")) ? "/usr/bin/redis-server"
                : "/usr/local/bin/redis-server";
    }

    static void awaitPort(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(25);
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }

    static Session session(String id) {
        return new Session(id, ProtocolVersion.V2025_11_25, Json.object(), null, "issuer|alice",
                Clock.systemUTC().instant());
    }

    /** Two replicas on one topology share sessions, their changes, their events and answers. */
    static void replicasShareEverything(RedisStores.Settings settings) throws Exception {
        try (RedisStores one = RedisStores.connect(settings); RedisStores two = RedisStores.connect(settings)) {
            SessionStore a = one.sessions(1000, Duration.ofMinutes(5), Clock.systemUTC());
            SessionStore b = two.sessions(1000, Duration.ofMinutes(5), Clock.systemUTC());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) { // spread over the slots of every master
                String id = "topology-session-" + i;
                ids.add(id);
                Session s = session(id);
                a.put(s);
                s.subscribe("file:///" + i);
                s.logLevel(LogLevel.ERROR);
            }
            for (int i = 0; i < 20; i++) {
                Session seen = b.find(ids.get(i)).orElseThrow();
                assertThat(seen.subscriptions()).containsExactly("file:///" + i);
                assertThat(seen.logLevel()).isEqualTo(LogLevel.ERROR);
            }
            EventStore ea = one.events(10, Duration.ofMinutes(5));
            EventStore eb = two.events(10, Duration.ofMinutes(5));
            String first = ea.append(ids.get(3), "s1", "{\"n\":1}".getBytes());
            ea.append(ids.get(3), "s1", "{\"n\":2}".getBytes());
            assertThat(eb.after(ids.get(3), first)).extracting(e -> new String(e.data())).containsExactly("{\"n\":2}");
            assertThat(eb.writing(ids.get(3), "s1")).isTrue();

            Session waiting = a.find(ids.get(5)).orElseThrow();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            String requestId = waiting.nextServerRequestId();
            waiting.pendingClientRequests().put(requestId, answer);
            Thread.sleep(200);
            b.relayAnswer(ids.get(5), requestId, Json.object().put("ok", true), false);
            assertThat(answer.get(5, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();

            assertThat(b.remove(ids.get(0))).isPresent();
            assertThat(a.find(ids.get(0))).isEmpty();
            assertThat(one.reachable()).isTrue();

            authorizationServerStateAndReplaysAndLimitsAreShared(one, two);
        }
    }

    /**
     * The authorization server's once-only transitions, the DPoP replay cache and the rate limiter hold across two
     * replicas on this topology too (on a Cluster, over keys spread across every master).
     */
    static void authorizationServerStateAndReplaysAndLimitsAreShared(RedisStores one, RedisStores two)
            throws Exception {
        try (RedisAuthStore a = one.authStore().clock(java.time.InstantSource.fixed(NOW)).build();
             RedisAuthStore b = two.authStore().clock(java.time.InstantSource.fixed(NOW)).build()) {
            for (int i = 0; i < 12; i++) {
                CodeGrant g = code("g" + i, NOW.plusSeconds(60));
                String codeHash = "code-" + i;
                a.putCode(codeHash, g);
                List<CodeRedemption> out = race(8, () -> b.redeemCode(codeHash, NOW));
                assertThat(out).filteredOn(r -> r instanceof CodeRedemption.Redeemed)
                        .containsExactly(new CodeRedemption.Redeemed(g));
                assertThat(a.redeemCode("code-" + i, NOW)).isEqualTo(new CodeRedemption.Replayed(g));

                Grant family = grant("family-" + i, NOW.plusSeconds(3600));
                a.putGrant(family, "rt0-" + i);
                assertThat(b.rotateRefresh("rt0-" + i, "rt1-" + i, NOW)).isEqualTo(new RefreshRotation.Rotated(family));
                assertThat(a.rotateRefresh("rt0-" + i, "rt-thief-" + i, NOW))
                        .as("reused on the other replica: the family is revoked")
                        .isEqualTo(new RefreshRotation.Reused(family));
                assertThat(b.grantByRefresh("rt1-" + i, NOW)).isEmpty();
            }
        }
        dev.mcpwarden.security.replay.ReplayCache cacheA = one.replayCache();
        dev.mcpwarden.security.replay.ReplayCache cacheB = two.replayCache();
        for (int i = 0; i < 12; i++) {
            assertThat(cacheA.firstSeen("jti-" + i, Duration.ofMinutes(1))).isTrue();
            assertThat(cacheB.firstSeen("jti-" + i, Duration.ofMinutes(1))).as("replayed to the other replica")
                    .isFalse();
        }
        dev.mcpwarden.security.ratelimit.RateLimitRule rule = new dev.mcpwarden.security.ratelimit.RateLimitRule(
                "calls", dev.mcpwarden.security.ratelimit.RateLimitRule.Key.PRINCIPAL, 10, Duration.ofHours(1),
                java.util.Set.of());
        int allowed = 0;
        for (int i = 0; i < 30; i++) {
            if ((i % 2 == 0 ? one : two).rateLimiter().tryConsume(rule, "alice")
                    instanceof dev.mcpwarden.security.ratelimit.RateLimiter.Allowed) {
                allowed++;
            }
        }
        assertThat(allowed).as("ten across both replicas").isEqualTo(10);
    }


    @Test
    void onARedisClusterEveryStoreWorksAcrossTheMasters() throws Exception {
        dir = Files.createTempDirectory("warden-cluster");
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int port = Ports.free();
            Path node = Files.createDirectories(dir.resolve("n" + i));
            redis("--port", Integer.toString(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", node.resolve("nodes.conf").toString(), "--save", "",
                    "--appendonly", "no", "--dir", node.toString());
            awaitPort(port);
            nodes.add("127.0.0.1:" + port);
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        create.addAll(nodes);
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process made = new ProcessBuilder(create).redirectErrorStream(true).start();
        String out = new String(made.getInputStream().readAllBytes());
        assertThat(made.waitFor()).as(out).isZero();
        awaitClusterOk(nodes.getFirst());

        replicasShareEverything(new RedisStores.Settings(nodes.stream().map(n -> "redis://" + n).toList(), true,
                Optional.empty(), Duration.ofSeconds(2)));
    }

    static void awaitClusterOk(String node) throws Exception {
        String[] hp = node.split(":");
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            Process p = new ProcessBuilder("redis-cli", "-h", hp[0], "-p", hp[1], "cluster", "info")
                    .redirectErrorStream(true).start();
            if (new String(p.getInputStream().readAllBytes()).contains("cluster_state:ok")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the cluster did not become ok");
    }

    @Test
    void behindSentinelTheStoresReachTheMasterItNames() throws Exception {
        dir = Files.createTempDirectory("warden-sentinel");
        int master = Ports.free();
        redis("--port", Integer.toString(master), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString());
        awaitPort(master);
        int sentinel = Ports.free();
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, """
                port %d
                bind 127.0.0.1
                sentinel monitor wardenmaster 127.0.0.1 %d 1
                sentinel down-after-milliseconds wardenmaster 5000
                """.formatted(sentinel, master));
        redis(conf.toString(), "--sentinel");
        awaitPort(sentinel);

        replicasShareEverything(new RedisStores.Settings(
                List.of("redis-sentinel://127.0.0.1:" + sentinel + "#wardenmaster"), false, Optional.empty(),
                Duration.ofSeconds(2)));
    }
}
