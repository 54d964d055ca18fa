package dev.mcpwarden.security.ratelimit;

import java.time.Duration;

/**
 * Counts requests against limits. The local implementation keeps buckets in this process; a distributed one
 * (Redis) shares them across replicas.
 */
public interface RateLimiter {

    /** The outcome of one attempt. */
    sealed interface Decision permits Allowed, Limited {
    }

    /** Within the limit; {@code remaining} requests are left right now. */
    record Allowed(long remaining) implements Decision {
    }

    /** Over the limit; a request may succeed after {@code retryAfter}. */
    record Limited(Duration retryAfter) implements Decision {
    }

    /**
     * Takes one token from the bucket of {@code key} under {@code rule}.
     *
     * @throws RateLimiterUnavailable when the shared store cannot be reached
     */
    Decision tryConsume(RateLimitRule rule, String key);

    /** Whether {@link #tryConsume} may block (a shared store over the network); the safe default is yes. */
    default boolean mayBlock() {
        return true;
    }

    /** The shared store behind a distributed limiter is unreachable. */
    final class RateLimiterUnavailable extends RuntimeException {
        public RateLimiterUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
