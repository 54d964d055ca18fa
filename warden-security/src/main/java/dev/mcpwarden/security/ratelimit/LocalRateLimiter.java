package dev.mcpwarden.security.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Token buckets (Bucket4j) in this process, one per rule and key, kept in a bounded cache so that many distinct
 * keys cannot exhaust memory. An evicted bucket starts full again, which errs towards availability for keys
 * nobody has used recently.
 */
public final class LocalRateLimiter implements RateLimiter {

    /** Counts in this process's memory. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private final Cache<String, Bucket> buckets;
    private final TimeMeter time;

    /** The default bound on buckets kept: {@value}, as the configuration file's {@code limiter.capacity}. */
    public static final int DEFAULT_MAX_KEYS = 100_000;

    /** Buckets in memory, at most {@link #DEFAULT_MAX_KEYS} of them. */
    public static LocalRateLimiter create(InstantSource clock) {
        return new LocalRateLimiter(DEFAULT_MAX_KEYS, clock);
    }

    /**
     * Buckets in memory, at most {@code maxKeys} of them (one per rule and key: principal, client, address...): the
     * bound that keeps many distinct callers from filling memory; the least recently used bucket is dropped first.
     */
    public LocalRateLimiter(int maxKeys, InstantSource clock) {
        this.buckets = Caffeine.newBuilder()
                .executor(Runnable::run) // upkeep on the caller's thread, not a common-pool hand-off per request
                .maximumSize(maxKeys).expireAfterAccess(Duration.ofHours(1)).build();
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                var i = clock.instant();
                return i.getEpochSecond() * 1_000_000_000L + i.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    @Override
    public Decision tryConsume(RateLimitRule rule, String key) {
        Bucket bucket = buckets.get(rule.name() + "\u0000" + key, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(rule.capacity()).refillGreedy(rule.capacity(), rule.period())
                .build())
                .withCustomTimePrecision(time)
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? new Allowed(probe.getRemainingTokens())
                : new Limited(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }
}
