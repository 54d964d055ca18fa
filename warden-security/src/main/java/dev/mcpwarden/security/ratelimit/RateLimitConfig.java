package dev.mcpwarden.security.ratelimit;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The rate and concurrency limits of a {@link RateLimitStage}, where they are counted, and what happens when
 * counting is impossible.
 *
 * @param rules           rate limits (token buckets)
 * @param concurrency     limits on requests in flight at once
 * @param limiter         where rate limits are counted
 * @param whenUnavailable what to do when the limiter's store cannot be reached
 */
public record RateLimitConfig(List<RateLimitRule> rules, List<ConcurrencyLimit> concurrency, LimiterConfig limiter,
                              RateLimitStage.WhenUnavailable whenUnavailable) {

    public RateLimitConfig {
        rules = List.copyOf(rules);
        concurrency = List.copyOf(concurrency);
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(whenUnavailable, "whenUnavailable");
        Set<String> names = new HashSet<>();
        for (RateLimitRule r : rules) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("rate limit names must be unique, '" + r.name() + "' repeats");
            }
        }
        for (ConcurrencyLimit c : concurrency) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("limit names must be unique, '" + c.name() + "' repeats");
            }
        }
    }

    /** No limits, counted locally, failing closed. */
    public static RateLimitConfig none() {
        return new RateLimitConfig(List.of(), List.of(), LimiterConfig.local(),
                RateLimitStage.WhenUnavailable.FAIL_CLOSED);
    }

    /** Whether any limit is configured. */
    public boolean isEmpty() {
        return rules.isEmpty() && concurrency.isEmpty();
    }
}
