package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import dev.mcpwarden.testkit.RedisServer;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The authorization server's quotas in Redis hold for every replica together, not once per replica. */
class RedisAuthQuotasTest {

    @Test
    void twoReplicasShareOneQuotaAndClosingOneLeavesTheOtherConnected() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RedisStores a = RedisStores.connect(RedisStores.Settings.of(redis.url()));
             RedisStores b = RedisStores.connect(RedisStores.Settings.of(redis.url()))) {
            RateLimitRule rule = new RateLimitRule("as-register", RateLimitRule.Key.ADDRESS, 2,
                    Duration.ofMinutes(1), Set.of());
            RateLimiter qa = a.authQuotas();
            RateLimiter qb = b.authQuotas();
            assertThat(qa.tryConsume(rule, "*")).isInstanceOf(RateLimiter.Allowed.class);
            assertThat(qb.tryConsume(rule, "*")).isInstanceOf(RateLimiter.Allowed.class);
            assertThat(qa.tryConsume(rule, "*")).isInstanceOf(RateLimiter.Limited.class);
            assertThat(qb.tryConsume(rule, "*")).isInstanceOf(RateLimiter.Limited.class);
            ((RedisRateLimiter) qa).close();
            assertThat(a.reachable()).as("the limiter does not own the stores' connection").isTrue();
        }
    }
}
