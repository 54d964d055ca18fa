package dev.mcpwarden.redis;

import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimiterFactory;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/** Makes the {@link RedisRateLimiter} of a configured {@code limiter: {kind: redis}}; found by ServiceLoader. */
public final class RedisLimiterFactory implements RateLimiterFactory {

    @Override
    public Optional<RateLimiter> create(LimiterConfig config, InstantSource clock) {
        if (!(config instanceof LimiterConfig.Redis redis)) {
            return Optional.empty();
        }
        return Optional.of(new RedisRateLimiter(RedisStores.shared(RedisStores.Settings.of(redis)), "warden:rl:",
                true));
    }
}
