package dev.mcpwarden.security.ratelimit;

import java.util.Objects;

/**
 * At most {@code maxInFlight} requests at once per key (e.g. per principal), for the listed methods; the next one
 * is refused (429) rather than queued.
 */
public record ConcurrencyLimit(String name, RateLimitRule.Key key, int maxInFlight, java.util.Set<String> methods) {
    public ConcurrencyLimit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("concurrency limit " + name + ": maxInFlight must be at least 1");
        }
        methods = java.util.Set.copyOf(methods);
    }
}
