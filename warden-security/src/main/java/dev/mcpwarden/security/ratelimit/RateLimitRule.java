package dev.mcpwarden.security.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * One limit: at most {@code capacity} requests per {@code period} (a token bucket refilled evenly), counted per
 * key, for the listed methods.
 *
 * @param name     names the limit in errors and the audit log
 * @param key      what is counted separately
 * @param capacity requests allowed per period (also the burst)
 * @param period   the refill period
 * @param methods  the JSON-RPC methods counted (e.g. {@code tools/call}); empty means every method
 */
public record RateLimitRule(String name, Key key, long capacity, Duration period, Set<String> methods) {

    /** What a limit is counted by. */
    public enum Key {
        /** issuer + subject: one person across all their tokens and clients */
        PRINCIPAL,
        /** the OAuth client */
        CLIENT,
        /** the tenant claim */
        TENANT,
        /** the tool called, across callers */
        TOOL,
        /** one principal's calls of one tool */
        PRINCIPAL_TOOL,
        /** the network address */
        ADDRESS
    }

    public RateLimitRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        if (capacity < 1) {
            throw new IllegalArgumentException("rate limit " + name + ": capacity must be at least 1, was " + capacity);
        }
        if (!period.isPositive()) {
            throw new IllegalArgumentException("rate limit " + name + ": period must be positive, was " + period);
        }
        methods = Set.copyOf(methods);
    }

    /** {@code capacity} tool calls per minute per principal. */
    public static RateLimitRule toolCallsPerMinutePerPrincipal(long capacity) {
        return new RateLimitRule("tool-calls-per-principal", Key.PRINCIPAL, capacity, Duration.ofMinutes(1),
                Set.of("tools/call"));
    }
}
