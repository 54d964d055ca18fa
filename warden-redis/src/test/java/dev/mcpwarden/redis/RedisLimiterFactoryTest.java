package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimiterFactory;
import java.net.URI;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedisLimiterFactoryTest {

    @Test
    void aConfiguredRedisLimiterIsMadeByWardenRedisOnceItIsOnTheClassPath() throws Exception {
        var limiter = RateLimiterFactory.of(new LimiterConfig.Redis(URI.create("redis://127.0.0.1:6399"),
                Optional.empty()), InstantSource.system());
        assertThat(limiter).isInstanceOf(RedisRateLimiter.class);
        ((RedisRateLimiter) limiter).close();
    }
}
