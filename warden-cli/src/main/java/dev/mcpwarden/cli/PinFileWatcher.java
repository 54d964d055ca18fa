package dev.mcpwarden.cli;

import dev.mcpwarden.security.integrity.IntegrityStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a pin file's identity (an atomic replace is a new file), modification time and size and, when either changed, reloads the pins into the running
 * pipeline ({@code warden pins approve} in another process, or an edit) and runs {@code onChange} when other pins
 * are in force. Polling rather than a {@link java.nio.file.WatchService}: the file is replaced by an atomic move,
 * which some file systems (network mounts, container bind mounts) do not report, and one stat a second costs
 * nothing.
 */
final class PinFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PinFileWatcher.class);
    /** Within the two seconds an approval may take to be served. */
    static final Duration POLL = Duration.ofSeconds(1);

    private record Stamp(Object fileKey, long modified, long size) {
    }

    private final Path file;
    private final IntegrityStage integrity;
    private final Runnable onChange;
    private final ScheduledExecutorService poller;
    private Stamp last;

    private PinFileWatcher(Path file, IntegrityStage integrity, Runnable onChange) {
        this.file = file;
        this.integrity = integrity;
        this.onChange = onChange;
        this.last = stamp();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-pin-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Watches {@code file} from now on. */
    static PinFileWatcher start(Path file, IntegrityStage integrity, Runnable onChange) {
        PinFileWatcher w = new PinFileWatcher(Objects.requireNonNull(file, "file"),
                Objects.requireNonNull(integrity, "integrity"), Objects.requireNonNull(onChange, "onChange"));
        w.poller.scheduleWithFixedDelay(w::check, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        return w;
    }

    private void check() {
        Stamp now = stamp();
        if (now == null || now.equals(last)) {
            return; // a missing file (being replaced) is looked at again next time: the pins in force stay
        }
        last = now;
        try {
            if (integrity.reload("pin file " + file)) {
                LOG.info("tool integrity: reloaded the pins of {}", file);
                onChange.run();
            }
        } catch (RuntimeException e) {
            LOG.error("tool integrity: reloading {} failed; the pins in force stay", file, e);
        }
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime().toMillis(), a.size());
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
