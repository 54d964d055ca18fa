package dev.mcpwarden.security.audit;

import java.util.Objects;

/**
 * The audit log could not accept, write or open something. Never swallowed: an event that could not be recorded
 * is reported to the caller through this exception, so the caller can fail the request instead of serving it
 * unaudited.
 */
public final class AuditException extends RuntimeException {

    /** Why. */
    public enum Reason {
        /** The queue stayed full for the whole back-pressure timeout; the event was not recorded. */
        BACK_PRESSURE_TIMEOUT,
        /** The caller was interrupted while waiting for queue space; the event was not recorded. */
        INTERRUPTED,
        /** The log is closed; the event was not recorded. */
        CLOSED,
        /** The sink failed; the log has stopped and reports how many accepted records it could not write. */
        WRITE_FAILED,
        /** The existing log ends with an incomplete record (a crash mid-write); the log refuses to append after it. */
        TORN_TAIL,
        /** The existing log's first or last record does not verify (edited, or written with another key). */
        CORRUPT,
        /** Another writer holds the log file. */
        LOCKED,
        /** The existing log is the chain of another replica (its genesis record names it), or of none. */
        OTHER_REPLICA
    }

    private final Reason reason;

    public AuditException(Reason reason, String message) {
        this(reason, message, null);
    }

    public AuditException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
