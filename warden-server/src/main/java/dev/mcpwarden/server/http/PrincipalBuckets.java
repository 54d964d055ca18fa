package dev.mcpwarden.server.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per principal for one kind of session request (starting a session, opening a GET stream, ending a
 * session), so that one caller cannot churn sessions fast enough to matter to anyone else. Bounded: beyond
 * {@link #MAX_KEYS} principals, the buckets that have refilled (and so carry no state) are dropped first.
 */
final class PrincipalBuckets {

    /** The most principals tracked at once. */
    static final int MAX_KEYS = 100_000;

    private final String name;
    private final TransportLimits.Rate rate;
    private final long fullAfterNanos;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    PrincipalBuckets(String name, TransportLimits.Rate rate) {
        this.name = name;
        this.rate = rate;
        this.fullAfterNanos = (long) (rate.burst() / rate.perSecond() * 1e9);
    }

    /** Takes one token for {@code key}, or refuses with 429 and the seconds until one is there. */
    void take(String key) {
        long now = System.nanoTime();
        if (buckets.size() >= MAX_KEYS) {
            buckets.values().removeIf(b -> b.full(now));
            if (buckets.size() >= MAX_KEYS) {
                buckets.clear(); // every one of them busy: forgetting is the bound
            }
        }
        long wait = buckets.computeIfAbsent(key, k -> new Bucket(rate.burst(), now)).take(now);
        if (wait > 0) {
            throw dev.mcpwarden.server.pipeline.Rejection.rateLimited(name,
                    Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
        }
    }

    private final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        /** 0 when a token was taken, else nanoseconds until one is there. */
        synchronized long take(long now) {
            tokens = Math.min(rate.burst(), tokens + (now - updated) / 1e9 * rate.perSecond());
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) ((1 - tokens) / rate.perSecond() * 1e9);
        }

        synchronized boolean full(long now) {
            return now - updated >= fullAfterNanos;
        }
    }
}
