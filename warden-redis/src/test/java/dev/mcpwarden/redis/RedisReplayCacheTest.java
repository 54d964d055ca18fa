package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.replay.ReplayCache;
import dev.mcpwarden.security.replay.ReplayCacheFactory;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Replay caches shared through a real Redis (a redis-server started by the test on a free loopback port). */
class RedisReplayCacheTest {

    RedisServer redis;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    RedisReplayCache cache() {
        return new RedisReplayCache(redis.url(), Duration.ofMillis(500));
    }

    @Test
    void aKeyIsFirstSeenByExactlyOneOfTwoReplicas() {
        try (RedisReplayCache a = cache(); RedisReplayCache b = cache()) {
            assertThat(a.firstSeen("dpop\u0000jti-1", Duration.ofMinutes(2))).isTrue();
            assertThat(b.firstSeen("dpop\u0000jti-1", Duration.ofMinutes(2))).isFalse();
            assertThat(a.firstSeen("dpop\u0000jti-1", Duration.ofMinutes(2))).isFalse();
            assertThat(b.firstSeen("dpop\u0000jti-2", Duration.ofMinutes(2))).isTrue();
        }
    }

    @Test
    void theKeyIsHashedUnderTheReplayPrefixAndExpiresAfterItsTtl() throws Exception {
        RedisClient raw = RedisClient.create(redis.url());
        try (RedisReplayCache a = cache(); StatefulRedisConnection<String, String> c = raw.connect()) {
            assertThat(a.firstSeen("dpop\u0000secret-jti", Duration.ofSeconds(90))).isTrue();
            assertThat(c.sync().keys("*")).containsExactly("warden:replay:"
                    + RedisReplayCache.digest("dpop\u0000secret-jti"));
            assertThat(RedisReplayCache.digest("dpop\u0000secret-jti")).hasSize(64).matches("[0-9a-f]{64}");
            long pttl = c.sync().pttl("warden:replay:" + RedisReplayCache.digest("dpop\u0000secret-jti"));
            assertThat(pttl).isBetween(85_000L, 90_000L);

            assertThat(a.firstSeen("short", Duration.ofMillis(100))).isTrue();
            Thread.sleep(300);
            assertThat(a.firstSeen("short", Duration.ofMillis(100))).as("forgotten after its ttl").isTrue();
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void redisDownIsUnavailableWithinTheTimeoutAndRecoveryWorks() throws Exception {
        try (RedisReplayCache a = cache()) {
            assertThat(a.firstSeen("k1", Duration.ofMinutes(1))).isTrue();
            redis.stop();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> a.firstSeen("k2", Duration.ofMinutes(1)))
                    .isInstanceOf(ReplayCache.ReplayCacheUnavailable.class)
                    .hasMessageStartingWith("Redis did not answer: ");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails within its timeout")
                    .isLessThan(Duration.ofSeconds(3));
            redis.startAgain();
            long deadline = System.currentTimeMillis() + 15_000;
            Boolean first = null;
            while (first == null && System.currentTimeMillis() < deadline) {
                try {
                    first = a.firstSeen("k2", Duration.ofMinutes(1));
                } catch (ReplayCache.ReplayCacheUnavailable e) {
                    Thread.sleep(200);
                }
            }
            assertThat(first).as("the cache reconnects by itself").isTrue();
        }
    }

    @Test
    void unreachableAtStartIsUnavailableNotACrash() {
        try (RedisReplayCache nowhere = new RedisReplayCache("redis://127.0.0.1:1", Duration.ofMillis(300))) {
            assertThatThrownBy(() -> nowhere.firstSeen("k", Duration.ofMinutes(1)))
                    .isInstanceOf(ReplayCache.ReplayCacheUnavailable.class)
                    .hasMessageStartingWith("cannot connect to Redis");
        }
    }

    @Test
    void aConfiguredRedisLimiterMakesTheReplayCacheSharedInTheSameRedis() throws Exception {
        Optional<ReplayCache> shared = ReplayCacheFactory.sharedIn(new LimiterConfig.Redis(URI.create(redis.url()),
                Optional.empty()));
        assertThat(shared).get().isInstanceOf(RedisReplayCache.class);
        try (RedisReplayCache a = (RedisReplayCache) shared.get(); RedisReplayCache b = cache()) {
            assertThat(a.firstSeen("via-config", Duration.ofMinutes(1))).isTrue();
            assertThat(b.firstSeen("via-config", Duration.ofMinutes(1))).isFalse();
        }
    }
}
