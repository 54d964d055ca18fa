package dev.mcpwarden.security.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/** Appends lines to a file; see {@link AuditSink#file(Path)}. */
final class FileAuditSink implements AuditSink {

    private static final int CHUNK = 8192;

    private final Path path;
    private FileChannel channel;
    private FileLock lock;

    FileAuditSink(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    @Override
    public Optional<Existing> open() throws IOException {
        if (channel != null) {
            throw new IllegalStateException("audit file " + path + " is already open");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new AuditException(AuditException.Reason.LOCKED, "audit file " + path
                        + " is held by another writer");
            }
            Optional<Existing> existing = readEnds(ch);
            ch.position(ch.size());
            channel = ch;
            return existing;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private Optional<Existing> readEnds(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) {
            return Optional.empty();
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        ch.read(one, size - 1);
        if (one.get(0) != '\n') {
            throw new AuditException(AuditException.Reason.TORN_TAIL, "audit file " + path + " ends with an"
                    + " incomplete record (no newline after the last " + tailLength(ch, size) + " bytes; the writer"
                    + " probably stopped mid-write). Nothing is appended after a damaged record: run `warden audit"
                    + " verify " + path + "`, keep the file as evidence, and start the log on a new file");
        }
        long lastStart = lineStartBefore(ch, size - 1);
        String last = read(ch, lastStart, size - 1 - lastStart);
        String first = lastStart == 0 ? last : firstLine(ch);
        return Optional.of(new Existing(first, last));
    }

    private long tailLength(FileChannel ch, long size) throws IOException {
        return size - lineStartBefore(ch, size);
    }

    /** The offset just after the last newline before {@code end}, or 0. */
    private static long lineStartBefore(FileChannel ch, long end) throws IOException {
        long pos = end;
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        while (pos > 0) {
            int n = (int) Math.min(CHUNK, pos);
            buf.clear().limit(n);
            long from = pos - n;
            readFully(ch, buf, from);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return from + i + 1;
                }
            }
            pos = from;
        }
        return 0;
    }

    private static String firstLine(FileChannel ch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long pos = 0;
        while (true) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    out.write(buf.array(), 0, i);
                    return out.toString(StandardCharsets.UTF_8);
                }
            }
            out.write(buf.array(), 0, n);
            pos += n;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String read(FileChannel ch, long from, long length) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IOException("audit record of " + length + " bytes is too long");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) length);
        readFully(ch, buf, from);
        return new String(buf.array(), 0, (int) length, StandardCharsets.UTF_8);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long from) throws IOException {
        long pos = from;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    @Override
    public void append(byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    @Override
    public void force() throws IOException {
        channel.force(true);
    }

    /** Written to a temporary file, forced, then moved over the old one: never half a checkpoint. */
    @Override
    public void checkpoint(String line) throws IOException {
        Path target = AuditCheckpoint.beside(path);
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        java.nio.file.Files.move(temporary, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public boolean keepsCheckpoint() {
        return true;
    }

    @Override
    public Optional<String> readCheckpoint() throws IOException {
        Path target = AuditCheckpoint.beside(path);
        if (!java.nio.file.Files.isRegularFile(target)) {
            return Optional.empty();
        }
        return Optional.of(java.nio.file.Files.readString(target, StandardCharsets.UTF_8).strip());
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        if (channel == null) {
            return;
        }
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
            channel = null;
        }
    }
}
