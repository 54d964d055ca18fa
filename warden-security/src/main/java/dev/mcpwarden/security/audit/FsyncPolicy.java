package dev.mcpwarden.security.audit;

import java.time.Duration;
import java.util.Objects;

/**
 * When the audit writer asks the operating system to put written records on stable storage ({@code fsync}).
 * Records are always handed to the operating system as soon as the writer takes them from the queue, so a crash
 * of the JVM loses nothing that was written; the policy decides what a power loss or kernel crash can take.
 * {@link AuditLog#flush()} and {@link AuditLog#close()} always force, whatever the policy.
 */
public sealed interface FsyncPolicy {

    /**
     * Force after every write (the default). The writer writes whatever is queued as one batch and forces it
     * before taking the next (group commit), so throughput stays high under load and no record is left written
     * but unforced while the writer does anything else.
     */
    static FsyncPolicy everyRecord() {
        return EveryRecord.INSTANCE;
    }

    /** Force once at least {@code n} records have been written since the last force. */
    static FsyncPolicy everyRecords(int n) {
        return new EveryN(n);
    }

    /** Force when {@code interval} has passed (on the log's clock) since the last force and something was written. */
    static FsyncPolicy interval(Duration interval) {
        return new Interval(interval);
    }

    /** Never force; the operating system writes back when it chooses (typically within 30 s on Linux). */
    static FsyncPolicy never() {
        return Never.INSTANCE;
    }

    /** See {@link #everyRecord()}. */
    enum EveryRecord implements FsyncPolicy { INSTANCE }

    /** See {@link #everyRecords(int)}. */
    record EveryN(int n) implements FsyncPolicy {
        public EveryN {
            if (n < 1) {
                throw new IllegalArgumentException("fsync every N records needs N >= 1, was " + n);
            }
        }
    }

    /** See {@link #interval(Duration)}. */
    record Interval(Duration interval) implements FsyncPolicy {
        public Interval {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("fsync interval must be positive, was " + interval);
            }
        }
    }

    /** See {@link #never()}. */
    enum Never implements FsyncPolicy { INSTANCE }
}
