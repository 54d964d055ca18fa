package dev.mcpwarden.redis;

import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.replay.ReplayCache;
import dev.mcpwarden.security.replay.ReplayCacheFactory;
import java.time.Duration;
import java.util.Optional;

/** Makes the {@link RedisReplayCache} in a configured Redis ({@code limiter: {kind: redis}}); found by ServiceLoader. */
public final class RedisReplayCacheFactory implements ReplayCacheFactory {

    @Override
    public Optional<ReplayCache> create(LimiterConfig store) {
        if (!(store instanceof LimiterConfig.Redis redis)) {
            return Optional.empty();
        }
        return Optional.of(new RedisReplayCache(RedisStores.shared(RedisStores.Settings.of(redis)),
                RedisReplayCache.PREFIX, true));
    }
}
