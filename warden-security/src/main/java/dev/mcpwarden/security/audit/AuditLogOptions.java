package dev.mcpwarden.security.audit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How an {@link AuditLog} queues and writes.
 *
 * @param queueCapacity       events that may wait for the writer; when full, {@link AuditLog#record} waits
 * @param backPressureTimeout how long {@link AuditLog#record} waits for queue space before it throws
 *                            {@link AuditException.Reason#BACK_PRESSURE_TIMEOUT}
 * @param fsync               when written records are forced to stable storage
 * @param maxRecordBytes      the largest record line accepted; a larger event is rejected by
 *                            {@link AuditLog#record} with an {@link IllegalArgumentException}
 * @param key                 the key for keyed mode (HMAC-SHA256 chain), or empty for a plain SHA-256 chain
 * @param replica             the replica whose chain this is ({@value #REPLICA_PATTERN}), recorded in the genesis
 *                            record; with several replicas each writes its own chain, and
 *                            {@link AuditConfig#chainFile()} names its file. Empty for a single process
 */
public record AuditLogOptions(int queueCapacity, Duration backPressureTimeout, FsyncPolicy fsync,
                              int maxRecordBytes, Optional<AuditKey> key, Optional<String> replica) {

    /** What a replica id may be: safe in a file name and in a log line. */
    public static final String REPLICA_PATTERN = "[A-Za-z0-9._-]{1,64}";

    private static final java.util.regex.Pattern REPLICA = java.util.regex.Pattern.compile(REPLICA_PATTERN);

    /** The largest {@link #maxRecordBytes} allowed; the verifier reads lines up to this length. */
    public static final int MAX_RECORD_BYTES_LIMIT = 1 << 20;

    public AuditLogOptions {
        if (queueCapacity < 1 || queueCapacity > 1_000_000) {
            throw new IllegalArgumentException("queueCapacity must be between 1 and 1000000, was " + queueCapacity);
        }
        Objects.requireNonNull(backPressureTimeout, "backPressureTimeout");
        if (backPressureTimeout.isNegative()) {
            throw new IllegalArgumentException("backPressureTimeout must not be negative, was "
                    + backPressureTimeout);
        }
        Objects.requireNonNull(fsync, "fsync");
        if (maxRecordBytes < 1024 || maxRecordBytes > MAX_RECORD_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxRecordBytes must be between 1024 and " + MAX_RECORD_BYTES_LIMIT
                    + ", was " + maxRecordBytes);
        }
        Objects.requireNonNull(key, "key (use Optional.empty() for an unkeyed log)");
        Objects.requireNonNull(replica, "replica (use Optional.empty() for a single process)");
        replica.ifPresent(AuditLogOptions::checkReplica);
    }

    /** Options of a single process's log (no replica id). */
    public AuditLogOptions(int queueCapacity, Duration backPressureTimeout, FsyncPolicy fsync, int maxRecordBytes,
                           Optional<AuditKey> key) {
        this(queueCapacity, backPressureTimeout, fsync, maxRecordBytes, key, Optional.empty());
    }

    static String checkReplica(String id) {
        // "." and ".." match the pattern but would name a directory, not a replica, in a file name
        if (!REPLICA.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("replica id must match " + REPLICA_PATTERN + " (and not be . or ..),"
                    + " was '" + id + "'");
        }
        return id;
    }

    /** 8192 queued events, 5 s back-pressure, fsync every record (group commit), 64 KiB records, unkeyed. */
    public static AuditLogOptions defaults() {
        return new AuditLogOptions(8192, Duration.ofSeconds(5), FsyncPolicy.everyRecord(), 64 * 1024,
                Optional.empty());
    }

    public AuditLogOptions withQueueCapacity(int capacity) {
        return new AuditLogOptions(capacity, backPressureTimeout, fsync, maxRecordBytes, key, replica);
    }

    public AuditLogOptions withBackPressureTimeout(Duration timeout) {
        return new AuditLogOptions(queueCapacity, timeout, fsync, maxRecordBytes, key, replica);
    }

    public AuditLogOptions withFsync(FsyncPolicy policy) {
        return new AuditLogOptions(queueCapacity, backPressureTimeout, policy, maxRecordBytes, key, replica);
    }

    public AuditLogOptions withMaxRecordBytes(int bytes) {
        return new AuditLogOptions(queueCapacity, backPressureTimeout, fsync, bytes, key, replica);
    }

    /** Keyed mode: chain with HMAC-SHA256 under {@code key}. */
    public AuditLogOptions withKey(AuditKey key) {
        return new AuditLogOptions(queueCapacity, backPressureTimeout, fsync, maxRecordBytes,
                Optional.of(Objects.requireNonNull(key, "key")), replica);
    }

    /** The chain of replica {@code id}: named in its genesis record (and its file, by {@link AuditConfig}). */
    public AuditLogOptions withReplica(String id) {
        return new AuditLogOptions(queueCapacity, backPressureTimeout, fsync, maxRecordBytes, key,
                Optional.of(checkReplica(Objects.requireNonNull(id, "id"))));
    }
}
