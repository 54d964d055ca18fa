package dev.mcpwarden.security.replay;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;

/** Keys in this process's memory, each expiring after its own ttl; {@code putIfAbsent} is the atomic "first". */
final class InMemoryReplayCache implements ReplayCache {

    private final Cache<String, Duration> seen;

    InMemoryReplayCache(int maxKeys) {
        if (maxKeys < 1 || maxKeys > 100_000_000) {
            throw new IllegalArgumentException("replay cache capacity must be between 1 and 100000000, was "
                    + maxKeys);
        }
        this.seen = Caffeine.newBuilder()
                .executor(Runnable::run) // upkeep on the caller's thread, not a common-pool hand-off per request
                .maximumSize(maxKeys)
                .expireAfter(new Expiry<String, Duration>() {
                    // the value is the key's ttl; a later putIfAbsent never succeeds while it lives, so only
                    // creation sets the expiry
                    @Override
                    public long expireAfterCreate(String key, Duration ttl, long currentTime) {
                        return ttl.toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Duration ttl, long currentTime, long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(String key, Duration ttl, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    @Override
    public boolean firstSeen(String key, Duration ttl) {
        if (!ttl.isPositive()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        return seen.asMap().putIfAbsent(key, ttl) == null;
    }

    @Override
    public boolean mayBlock() {
        return false;
    }
}
