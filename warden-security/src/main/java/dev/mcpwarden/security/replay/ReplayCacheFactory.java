package dev.mcpwarden.security.replay;

import dev.mcpwarden.security.ratelimit.LimiterConfig;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes the shared {@link ReplayCache} of a configured store. Until the configuration has a store of its own, the
 * store is the rate limiter's: with {@code limiter: {kind: redis}} the replicas share a Redis, and their replay
 * caches live there too. Implementations (Redis, in warden-redis) register themselves with {@link ServiceLoader}.
 */
public interface ReplayCacheFactory {

    /** The shared cache in {@code store}, or empty when this factory does not make that kind. */
    Optional<ReplayCache> create(LimiterConfig store);

    /**
     * The replay cache shared through {@code store}, or empty when the store is this process's memory (the caller
     * keeps its own in-memory cache).
     *
     * @throws IllegalArgumentException when no registered factory makes it, naming the module to add
     */
    static Optional<ReplayCache> sharedIn(LimiterConfig store) {
        if (store instanceof LimiterConfig.Local) {
            return Optional.empty();
        }
        for (ReplayCacheFactory f : ServiceLoader.load(ReplayCacheFactory.class)) {
            Optional<ReplayCache> made = f.create(store);
            if (made.isPresent()) {
                return made;
            }
        }
        throw new IllegalArgumentException("no replay cache for " + store.getClass().getSimpleName().toLowerCase(
                java.util.Locale.ROOT) + ": add the module that provides it (warden-redis for redis) to the class path");
    }
}
