package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.RedisServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate limits shared through a real Redis (a redis-server started by the test on a free loopback port). */
class RedisRateLimiterTest {

    RedisServer redis;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    static final RateLimitRule THREE_PER_MINUTE = new RateLimitRule("test", RateLimitRule.Key.PRINCIPAL, 3,
            Duration.ofMinutes(1), Set.of());

    RedisRateLimiter limiter() {
        return new RedisRateLimiter(redis.url(), Duration.ofMillis(500), "warden:test:");
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
            redis.stop();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> a.tryConsume(THREE_PER_MINUTE, "carol"))
                    .isInstanceOf(RateLimiter.RateLimiterUnavailable.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails within its timeout")
                    .isLessThan(Duration.ofSeconds(3));
            redis.startAgain();
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
