package dev.mcpwarden.security.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where audit lines go. Called only from the {@link AuditLog}'s single writer thread, so implementations need no
 * locking of their own. The log owns the sink: it opens it, and closes it when the log closes.
 */
public interface AuditSink extends Closeable {

    /**
     * An append-only UTF-8 JSON-lines file. The file is created if missing (its directory must exist), locked
     * against a second writer, and continued if it already holds records. Rotation is not built in: rotate by
     * closing the log and opening a new one on a new file.
     */
    static AuditSink file(Path path) {
        return new FileAuditSink(path);
    }

    /** An in-memory sink, for tests. */
    static MemoryAuditSink memory() {
        return new MemoryAuditSink();
    }

    /**
     * Opens the sink for appending and returns the first and last lines already in it (without newlines), or empty
     * when it holds nothing.
     *
     * @throws AuditException {@link AuditException.Reason#TORN_TAIL} when the content does not end with a complete
     *                        line; {@link AuditException.Reason#LOCKED} when another writer holds it
     */
    Optional<Existing> open() throws IOException;

    /** Appends bytes (whole lines); returns only when all of them were handed over. */
    void append(byte[] bytes, int offset, int length) throws IOException;

    /** Puts everything appended so far on stable storage. */
    void force() throws IOException;

    /**
     * Replaces the log's checkpoint ({@link AuditCheckpoint}) with {@code line}, atomically: a reader sees the old
     * one or the new one, never part of either. Called only after {@link #force}, for records on stable storage.
     * A sink that keeps none does nothing.
     */
    default void checkpoint(String line) throws IOException {
    }

    /**
     * Whether this sink keeps a checkpoint ({@link #checkpoint}): a log started on it says so in its genesis record,
     * so that a checkpoint missing later is reported, not taken for a log that never had one.
     */
    default boolean keepsCheckpoint() {
        return false;
    }

    /** The checkpoint last written, if the sink keeps one. */
    default Optional<String> readCheckpoint() throws IOException {
        return Optional.empty();
    }

    /** A short description for messages, such as the file path. */
    String describe();

    /** The first and last complete lines of an existing log. */
    record Existing(String firstLine, String lastLine) {
    }
}
