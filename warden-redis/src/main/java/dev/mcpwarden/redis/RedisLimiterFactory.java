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
        io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(redis.url());
        redis.password().ifPresent(p -> uri.setPassword(p.reveal().toCharArray()));
        return Optional.of(new RedisRateLimiter(uri, Duration.ofMillis(500), "warden:rl:"));
    }
}
