package dev.mcpwarden.server.task;

import java.time.Duration;
import java.util.Objects;

/**
 * How tasks are kept and bounded.
 *
 * @param ttl                    how long a task (and its result) is kept after it was created; a task still running
 *                               then is cancelled ({@code ttlMs} on the wire)
 * @param pollInterval           how often clients are asked to poll ({@code pollIntervalMs})
 * @param maxRunningPerPrincipal how many tasks one principal may have running at once, on this replica
 * @param watchInterval          how often a replica reads the store for what another replica did to a task it runs
 *                               (a cancellation, input responses)
 * @param maxResultBytes         the largest result (or error) one task keeps, in bytes of JSON: a larger one fails the
 *                               task instead, so that no caller parks unbounded results in the store for the ttl
 */
public record TaskOptions(Duration ttl, Duration pollInterval, int maxRunningPerPrincipal, Duration watchInterval,
                          long maxResultBytes) {

    /** One mebibyte: far beyond what a tool's answer is, small enough that a store of tasks stays bounded. */
    public static final long DEFAULT_MAX_RESULT_BYTES = 1L << 20;

    public TaskOptions {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(watchInterval, "watchInterval");
        if (ttl.toMillis() < 1000) {
            throw new IllegalArgumentException("a task's ttl must be at least 1s, was " + ttl);
        }
        if (pollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("pollInterval must be at least 1ms, was " + pollInterval);
        }
        if (watchInterval.toMillis() < 10) {
            throw new IllegalArgumentException("watchInterval must be at least 10ms, was " + watchInterval);
        }
        if (maxRunningPerPrincipal < 1) {
            throw new IllegalArgumentException("maxRunningPerPrincipal must be at least 1, was "
                    + maxRunningPerPrincipal);
        }
        if (maxResultBytes < 1024) {
            throw new IllegalArgumentException("maxResultBytes must be at least 1024, was " + maxResultBytes);
        }
    }

    /** The same options with the ttl, poll and watch intervals and running limit given, results up to 1 MiB. */
    public TaskOptions(Duration ttl, Duration pollInterval, int maxRunningPerPrincipal, Duration watchInterval) {
        this(ttl, pollInterval, maxRunningPerPrincipal, watchInterval, DEFAULT_MAX_RESULT_BYTES);
    }

    /**
     * One hour's retention, polling every second, eight running tasks per principal, watching every 200 ms, results
     * of at most 1 MiB.
     */
    public static TaskOptions defaults() {
        return new TaskOptions(Duration.ofHours(1), Duration.ofSeconds(1), 8, Duration.ofMillis(200));
    }

    public TaskOptions withTtl(Duration value) {
        return new TaskOptions(value, pollInterval, maxRunningPerPrincipal, watchInterval, maxResultBytes);
    }

    public TaskOptions withPollInterval(Duration value) {
        return new TaskOptions(ttl, value, maxRunningPerPrincipal, watchInterval, maxResultBytes);
    }

    public TaskOptions withMaxRunningPerPrincipal(int value) {
        return new TaskOptions(ttl, pollInterval, value, watchInterval, maxResultBytes);
    }

    public TaskOptions withWatchInterval(Duration value) {
        return new TaskOptions(ttl, pollInterval, maxRunningPerPrincipal, value, maxResultBytes);
    }

    public TaskOptions withMaxResultBytes(long value) {
        return new TaskOptions(ttl, pollInterval, maxRunningPerPrincipal, watchInterval, value);
    }
}
