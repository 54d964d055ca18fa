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
 */
public record TaskOptions(Duration ttl, Duration pollInterval, int maxRunningPerPrincipal, Duration watchInterval) {

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
    }

    /** One hour's retention, polling every second, eight running tasks per principal, watching every 200 ms. */
    public static TaskOptions defaults() {
        return new TaskOptions(Duration.ofHours(1), Duration.ofSeconds(1), 8, Duration.ofMillis(200));
    }

    public TaskOptions withTtl(Duration value) {
        return new TaskOptions(value, pollInterval, maxRunningPerPrincipal, watchInterval);
    }

    public TaskOptions withPollInterval(Duration value) {
        return new TaskOptions(ttl, value, maxRunningPerPrincipal, watchInterval);
    }

    public TaskOptions withMaxRunningPerPrincipal(int value) {
        return new TaskOptions(ttl, pollInterval, value, watchInterval);
    }

    public TaskOptions withWatchInterval(Duration value) {
        return new TaskOptions(ttl, pollInterval, maxRunningPerPrincipal, value);
    }
}
