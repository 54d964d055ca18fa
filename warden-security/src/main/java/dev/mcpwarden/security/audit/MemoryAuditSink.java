package dev.mcpwarden.security.audit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An in-memory {@link AuditSink} for tests. Its content survives {@link #close()}, so a second log can be opened
 * on it to test continuation, and it can be read back with {@link #lines()} or {@link #inputStream()}.
 */
public final class MemoryAuditSink implements AuditSink {

    private final ByteArrayOutputStream content = new ByteArrayOutputStream();
    private int forces;

    MemoryAuditSink() {
    }

    @Override
    public synchronized Optional<Existing> open() {
        List<String> lines = lines();
        byte[] bytes = content.toByteArray();
        if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
            throw new AuditException(AuditException.Reason.TORN_TAIL, "the in-memory audit log ends with an"
                    + " incomplete record");
        }
        return lines.isEmpty() ? Optional.empty() : Optional.of(new Existing(lines.getFirst(), lines.getLast()));
    }

    @Override
    public synchronized void append(byte[] bytes, int offset, int length) {
        content.write(bytes, offset, length);
    }

    @Override
    public synchronized void force() {
        forces++;
    }

    private String checkpoint;

    @Override
    public synchronized void checkpoint(String line) {
        this.checkpoint = line;
    }

    @Override
    public boolean keepsCheckpoint() {
        return true;
    }

    @Override
    public synchronized Optional<String> readCheckpoint() {
        return Optional.ofNullable(checkpoint);
    }

    /** For tests: replaces the checkpoint (null: none). */
    public synchronized void replaceCheckpoint(String line) {
        this.checkpoint = line;
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {
    }

    /** The complete lines written so far, without newlines. */
    public synchronized List<String> lines() {
        String text = content.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> lines = Arrays.asList(text.split("\n", -1));
        return List.copyOf(text.endsWith("\n") ? lines.subList(0, lines.size() - 1) : lines);
    }

    /** Everything written so far. */
    public synchronized byte[] bytes() {
        return content.toByteArray();
    }

    /** Everything written so far, to hand to {@link AuditVerifier#verify(InputStream)}. */
    public InputStream inputStream() {
        return new ByteArrayInputStream(bytes());
    }

    /** How many times the writer forced. */
    public synchronized int forces() {
        return forces;
    }

    /** Replaces the content (for tests that damage a log). */
    public synchronized void replace(byte[] bytes) {
        content.reset();
        content.write(bytes, 0, bytes.length);
    }
}
