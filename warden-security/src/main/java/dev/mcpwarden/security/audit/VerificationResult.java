package dev.mcpwarden.security.audit;

import java.util.Objects;

/** What {@link AuditVerifier} found: the chain is intact, or the first problem in it. */
public sealed interface VerificationResult {

    /** True when the whole chain verified. */
    boolean intact();

    /** A one-line verdict for people. */
    String verdict();

    /** The kinds of problem, each reported at the first line where it shows. */
    enum Kind {
        /** A record's content no longer matches its hash, or a rewritten record no longer matches the next one's prev. */
        EDITED,
        /** Records are missing: {@code seq} jumps forward and the missing numbers appear nowhere later in the file. */
        DELETED,
        /** Records are out of order: {@code seq} goes backwards or repeats, or jumps forward to a record that belongs later. */
        REORDERED,
        /** The last line is incomplete: the writer stopped mid-record (a crash), or the file was truncated. */
        TORN,
        /** The log is keyed with another key than the one supplied, or is not keyed although a key was supplied. */
        BAD_KEY,
        /** The log is keyed and no key was supplied, so it cannot be verified. */
        KEY_REQUIRED,
        /**
         * Records were cut from the end: the log ends before the record its checkpoint names, or its record there is
         * another one, or the checkpoint itself was forged or damaged.
         */
        TRUNCATED
    }

    /**
     * The chain verified from genesis to the last record.
     *
     * @param records  the number of records (lines)
     * @param lastSeq  the last record's sequence number
     * @param lastHash the last record's hash: keep it elsewhere to detect later truncation of the tail
     * @param keyed    whether the chain is keyed (HMAC-SHA256)
     * @param closed   whether the last record is the log's {@code closed} record; false while the log is open, after
     *                 a crash, or if records were cut from the end (which only an externally kept hash can prove)
     * @param checkpointSeq the record the log's checkpoint names, which the chain reaches with the same hash; -1
     *                 when there was no checkpoint to compare with
     */
    record Intact(long records, long lastSeq, String lastHash, boolean keyed, boolean closed, long checkpointSeq)
            implements VerificationResult {

        /** Without a checkpoint. */
        public Intact(long records, long lastSeq, String lastHash, boolean keyed, boolean closed) {
            this(records, lastSeq, lastHash, keyed, closed, -1);
        }

        @Override
        public boolean intact() {
            return true;
        }

        @Override
        public String verdict() {
            return "intact: " + records + " record(s), seq 0.." + lastSeq + (keyed ? ", keyed" : "") + ", head "
                    + lastHash + (closed ? ", closed cleanly"
                    : ", no closing record (the log is open, or its writer stopped without closing)")
                    + (checkpointSeq < 0 ? ", no checkpoint to compare with"
                    : ", checkpoint at seq " + checkpointSeq + " matches");
        }
    }

    /**
     * The first problem found.
     *
     * @param line   the 1-based line number where it shows
     * @param kind   what kind of problem
     * @param detail an explanation
     */
    record Problem(long line, Kind kind, String detail) implements VerificationResult {

        public Problem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public boolean intact() {
            return false;
        }

        @Override
        public String verdict() {
            return kind + " at line " + line + ": " + detail;
        }
    }
}
