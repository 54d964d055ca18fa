package dev.mcpwarden.security.replay;

import java.time.Duration;

/**
 * Remembers one-time values (a DPoP proof's {@code jti}, and any other identifier that must be used at most once) for
 * as long as a replay could still be accepted. The in-memory cache ({@link #inMemory()}) knows only this process; a
 * shared one (Redis, in warden-redis) makes "once" mean once across every replica that shares it, so a value
 * replayed to another replica is refused too.
 *
 * <p>Replay protection never fails open: when a shared store cannot be reached, {@link #firstSeen} throws
 * {@link ReplayCacheUnavailable} and the caller refuses the request (as a 503, since the client did nothing wrong).
 */
public interface ReplayCache {

    /**
     * Atomically records {@code key} for {@code ttl}: true only for the first caller that records it, on any replica
     * sharing this cache, until it expires; false for every later one.
     *
     * @param key a caller-namespaced key (callers prefix their own purpose, so two uses never collide)
     * @param ttl how long the key must be remembered; positive
     * @throws ReplayCacheUnavailable when the shared store cannot be reached or did not answer in time
     */
    boolean firstSeen(String key, Duration ttl);

    /** Whether {@link #firstSeen} may block (a shared store over the network); the safe default is yes. */
    default boolean mayBlock() {
        return true;
    }

    /** The in-memory cache of this process with room for 1,000,000 keys, the behaviour of a single replica. */
    static ReplayCache inMemory() {
        return inMemory(1_000_000);
    }

    /**
     * The in-memory cache of this process, bounded. Beyond {@code maxKeys} the oldest keys are dropped, so a flood of
     * new values cannot exhaust memory; a dropped key's replay would still have to pass every other check (a DPoP
     * proof's age window, for one).
     *
     * @param maxKeys keys kept at once, between 1 and 100,000,000
     */
    static ReplayCache inMemory(int maxKeys) {
        return new InMemoryReplayCache(maxKeys);
    }

    /** The shared store behind a replay cache cannot be reached; the value must be treated as not checked. */
    final class ReplayCacheUnavailable extends RuntimeException {
        public ReplayCacheUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
