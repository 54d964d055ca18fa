package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.Ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate limits shared through a real Redis (a redis-server started by the test on a free loopback port). */
class RedisRateLimiterTest {

    Process redis;
    int port;
    Path dir;

    static String redisServer() {
        for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        throw new IllegalStateException("redis-server is not installed (apt-get install redis-server); "
                + ".ci/run installs it");
    }

    void startRedis() throws Exception {
        redis = new ProcessBuilder(redisServer(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
    }

    void stopRedis() throws Exception {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
            redis = null;
        }
    }

    @BeforeEach
    void start() throws Exception {
        port = Ports.free();
        dir = Files.createTempDirectory("warden-redis");
        startRedis();
    }

    @AfterEach
    void stop() throws Exception {
        stopRedis();
    }

    static final RateLimitRule THREE_PER_MINUTE = new RateLimitRule("test", RateLimitRule.Key.PRINCIPAL, 3,
            Duration.ofMinutes(1), Set.of());

    RedisRateLimiter limiter() {
        return new RedisRateLimiter("redis://127.0.0.1:" + port, Duration.ofMillis(500), "warden:test:");
    }

    @Test
    void twoReplicasShareOneBucket() {
        try (RedisRateLimiter a = limiter(); RedisRateLimiter b = limiter()) {
            assertThat(a.tryConsume(THREE_PER_MINUTE, "bob")).isInstanceOf(RateLimiter.Allowed.class);
            assertThat(b.tryConsume(THREE_PER_MINUTE, "bob")).isInstanceOf(RateLimiter.Allowed.class);
            assertThat(a.tryConsume(THREE_PER_MINUTE, "bob")).isEqualTo(new RateLimiter.Allowed(0));
            RateLimiter.Decision d = b.tryConsume(THREE_PER_MINUTE, "bob");
            assertThat(d).isInstanceOfSatisfying(RateLimiter.Limited.class,
                    l -> assertThat(l.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(21)));
            assertThat(a.tryConsume(THREE_PER_MINUTE, "alice")).isInstanceOf(RateLimiter.Allowed.class);
        }
    }

    @Test
    void redisDownIsUnavailableAndRecoveryWorks() throws Exception {
        try (RedisRateLimiter a = limiter()) {
            assertThat(a.tryConsume(THREE_PER_MINUTE, "carol")).isInstanceOf(RateLimiter.Allowed.class);
            stopRedis();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> a.tryConsume(THREE_PER_MINUTE, "carol"))
                    .isInstanceOf(RateLimiter.RateLimiterUnavailable.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails within its timeout")
                    .isLessThan(Duration.ofSeconds(3));
            startRedis();
            long deadline = System.currentTimeMillis() + 15_000;
            RateLimiter.Decision d = null;
            while (d == null && System.currentTimeMillis() < deadline) {
                try {
                    d = a.tryConsume(THREE_PER_MINUTE, "carol");
                } catch (RateLimiter.RateLimiterUnavailable e) {
                    Thread.sleep(200);
                }
            }
            assertThat(d).as("the limiter reconnects by itself").isInstanceOf(RateLimiter.Allowed.class);
        }
    }

    @Test
    void unreachableAtStartIsUnavailableNotACrash() {
        try (RedisRateLimiter nowhere = new RedisRateLimiter("redis://127.0.0.1:1", Duration.ofMillis(300), "w:")) {
            assertThatThrownBy(() -> nowhere.tryConsume(THREE_PER_MINUTE, "dave"))
                    .isInstanceOf(RateLimiter.RateLimiterUnavailable.class)
                    .hasMessageStartingWith("cannot connect to Redis");
        }
    }
}
