package dev.mcpwarden.security.audit;

import dev.mcpwarden.security.audit.AuditException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: a hash-chained, append-only record of security-relevant events, written off the request thread.
 *
 * <pre>{@code
 * try (AuditLog audit = AuditLog.open(AuditSink.file(Path.of("audit.jsonl")), AuditLogOptions.defaults(), clock)) {
 *     audit.record(AuditEvent.builder(AuditEventType.TOOL_CALL, clock.instant(), requestId)
 *             .principal(AuditPrincipal.of(iss, sub, clientId)).target("search")
 *             .detail("arguments", AuditEvent.argumentDigest(args)).outcome("ok").latency(elapsed).build());
 * }
 * }</pre>
 *
 * <p><b>Nothing is dropped silently.</b> {@link #record} serialises the event on the caller's thread and puts it on a
 * bounded queue that one writer thread drains. When the queue is full the caller waits (back-pressure) up to
 * {@link AuditLogOptions#backPressureTimeout()}, then gets an {@link AuditException} and the event is counted in
 * {@link Stats#rejected()}: the caller knows it was not recorded and can fail the request. If the sink fails, the log
 * stops, logs an error with the number of accepted records it could not write ({@link Stats#lost()}), and every
 * later {@code record}, {@code flush} and {@code close} throws.
 *
 * <p><b>Chain.</b> Each record carries {@code seq} (0, 1, 2, …), {@code prev} (the previous record's hash) and
 * {@code hash}; see {@link AuditVerifier}. A new log starts with a genesis record; opening an existing log continues
 * its chain after checking its first and last records, and writes a {@code reopened} record; {@link #close()} writes
 * a {@code closed} record. A log whose last line is incomplete (a crash mid-write) or does not verify is not
 * continued: {@link #open} throws {@link Reason#TORN_TAIL} or {@link Reason#CORRUPT}, so nothing is ever appended
 * after damage.
 *
 * <p>A shutdown hook closes the log (draining the queue) if the JVM exits while it is open.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int MAX_BATCH = 512;
    /** Bytes a record adds to its event JSON: seq, prev and hash members. */
    private static final int CHAIN_OVERHEAD = 200;
    private static final long WAIT_SLICE_MS = 100;
    /**
     * How long a small batch waits for company before it is written (group commit). A write and a force cost about
     * 90 µs of CPU whatever the batch holds; under load, 3 ms gathers enough records to make that a small share of
     * each record's cost, and it bounds how long a record stays in memory before it reaches the operating system.
     */
    private static final long LINGER_NANOS = 3_000_000;
    /** A batch this large is written at once. */
    private static final int LINGER_TARGET = 256;
    /**
     * How often, at most, the checkpoint (the signed head, {@link AuditCheckpoint}) is replaced while records are
     * forced to storage; it is always replaced when the log closes.
     */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /** Counters for metrics. */
    public record Stats(long accepted, long written, long rejected, long lost, long forces, int queued) {
    }

    private sealed interface Item permits Entry, Barrier {
    }

    private record Entry(byte[] eventJson) implements Item {
    }

    private record Barrier(CompletableFuture<Void> done, boolean stop) implements Item {
    }

    private final AuditSink sink;
    private final AuditLogOptions options;
    private final InstantSource clock;
    private final String logId;
    private final BlockingQueue<Item> queue;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong forces = new AtomicLong();
    private final Thread writer;
    /** Set when a flush or close is queued: a lingering writer stops waiting. */
    private volatile boolean urgent;
    private volatile dev.mcpwarden.server.lifecycle.Shutdown.Registration shutdownHook;
    private volatile boolean closed;
    private volatile Throwable failure;

    // Writer-thread state.
    private final RecordFormat.Hasher hasher;
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream(64 * 1024);
    private long seq;
    private String prev;
    private long sinceForce;
    private Instant lastForce;
    private Instant lastCheckpoint = Instant.EPOCH;
    private boolean dirty;
    private int pendingLines;
    private int pendingEntries;
    private long sessionLines;

    private AuditLog(AuditSink sink, AuditLogOptions options, InstantSource clock) {
        this.sink = sink;
        this.options = options;
        this.clock = clock;
        this.logId = UUID.randomUUID().toString();
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        this.hasher = new RecordFormat.Hasher(options.key().orElse(null));
        this.writer = Thread.ofPlatform().daemon().name("warden-audit-writer").unstarted(this::runWriter);
    }

    /**
     * Opens a log on {@code sink}: starts a new chain with a genesis record, or continues the chain already there.
     *
     * @throws AuditException {@link Reason#TORN_TAIL} if the existing content ends with an incomplete record,
     *                        {@link Reason#CORRUPT} if its first or last record does not verify (or was written with
     *                        another key, or in the other mode), {@link Reason#LOCKED} if another writer holds it
     * @throws IOException    if the sink cannot be opened or written
     */
    public static AuditLog open(AuditSink sink, AuditLogOptions options, InstantSource clock) throws IOException {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(clock, "clock");
        AuditLog log = new AuditLog(sink, options, clock);
        Optional<AuditSink.Existing> existing = sink.open();
        try {
            log.start(existing);
        } catch (IOException | RuntimeException e) {
            try {
                sink.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return log;
    }

    private void start(Optional<AuditSink.Existing> existing) throws IOException {
        lastForce = clock.instant();
        if (existing.isEmpty()) {
            seq = -1;
            prev = RecordFormat.ZERO_HASH;
            AuditEvent.Builder genesis = integrity(RecordFormat.OUTCOME_GENESIS)
                    .detail("format", RecordFormat.FORMAT_VERSION)
                    .detail("alg", hasher.algorithm());
            if (hasher.keyed()) {
                genesis.detail("keyId", hasher.keyId());
            }
            if (sink.keepsCheckpoint()) {
                // hashed with the genesis record: a checkpoint deleted later is reported, not taken for none
                genesis.detail("checkpoint", RecordFormat.CHECKPOINT_KEPT);
            }
            // hashed with the rest of the genesis record, so a chain cannot be passed off as another replica's
            options.replica().ifPresent(r -> genesis.detail("replica", r));
            append(RecordFormat.eventJson(genesis.build()));
        } else {
            continueChain(existing.get());
            AuditEvent.Builder reopened = integrity(RecordFormat.OUTCOME_REOPENED)
                    .detail("format", RecordFormat.FORMAT_VERSION);
            options.replica().ifPresent(r -> reopened.detail("replica", r));
            append(RecordFormat.eventJson(reopened.build()));
        }
        writeBatch();
        force();
        writer.start();
        // Flushed after the transports drained, so the records of the calls they finish are written too.
        shutdownHook = dev.mcpwarden.server.lifecycle.Shutdown.register(
                dev.mcpwarden.server.lifecycle.Shutdown.Phase.FLUSH, "audit log", this::closeOnShutdown);
    }

    private void continueChain(AuditSink.Existing existing) throws IOException {
        String where = "audit log " + sink.describe();
        RecordFormat.Parsed first = RecordFormat.parse(existing.firstLine());
        if (first == null || first.seq() != 0 || !first.isIntegrity(RecordFormat.OUTCOME_GENESIS)) {
            throw corrupt(where + " does not start with a genesis record");
        }
        String alg = first.detailText("alg");
        if (hasher.keyed() && !RecordFormat.ALG_KEYED.equals(alg)) {
            throw corrupt(where + " is not keyed (" + alg + "), but a key was configured");
        }
        if (!hasher.keyed() && RecordFormat.ALG_KEYED.equals(alg)) {
            throw corrupt(where + " is keyed (key id " + first.detailText("keyId") + "); configure its key");
        }
        if (hasher.keyed() && !hasher.keyId().equals(first.detailText("keyId"))) {
            throw corrupt(where + " was written with key id " + first.detailText("keyId")
                    + ", not with the configured key (id " + hasher.keyId() + ")");
        }
        if (!hasher.hash(first.body()).equals(first.hash())) {
            throw corrupt(where + ": its genesis record does not verify");
        }
        String recorded = first.detailText("replica");
        if (!java.util.Objects.equals(recorded, options.replica().orElse(null))) {
            // one chain per replica: continuing another replica's chain would make two writers' records one story
            throw new AuditException(Reason.OTHER_REPLICA, where + " is the chain of "
                    + (recorded == null ? "a process without a replica id" : "replica " + recorded) + ", not of "
                    + options.replica().map(r -> "replica " + r).orElse("a process without a replica id")
                    + "; each replica writes its own file");
        }
        RecordFormat.Parsed last = RecordFormat.parse(existing.lastLine());
        if (last == null || !hasher.hash(last.body()).equals(last.hash())) {
            throw corrupt(where + ": its last record does not verify");
        }
        checkHead(where, first, last);
        seq = last.seq();
        prev = last.hash();
    }

    /** Refuses to continue a log whose tail was cut: it ends before the record its checkpoint names. */
    private void checkHead(String where, RecordFormat.Parsed genesis, RecordFormat.Parsed last) throws IOException {
        Optional<String> line = sink.readCheckpoint();
        if (line.isEmpty()) {
            if (RecordFormat.CHECKPOINT_KEPT.equals(genesis.detailText("checkpoint"))) {
                // the first checkpoint is written with the genesis record: a log without one lost it (even one cut
                // back to its genesis record)
                throw corrupt(where + ": its checkpoint is missing, though the log was started with one (deleted,"
                        + " or the log was moved without it); records may have been cut from its end");
            }
            return;
        }
        AuditCheckpoint checkpoint;
        try {
            checkpoint = AuditCheckpoint.parse(line.get());
        } catch (IllegalArgumentException e) {
            throw corrupt(where + ": its checkpoint is not readable");
        }
        if (!checkpoint.verifies(options.key().orElse(null))) {
            throw corrupt(where + ": its checkpoint does not verify");
        }
        if (last.seq() < checkpoint.seq()) {
            throw corrupt(where + " ends at seq " + last.seq() + " but its checkpoint of " + checkpoint.at()
                    + " names seq " + checkpoint.seq() + ": " + (checkpoint.seq() - last.seq())
                    + " record(s) were cut from its end");
        }
        if (last.seq() == checkpoint.seq() && !last.hash().equals(checkpoint.hash())) {
            throw corrupt(where + ": its last record is not the one its checkpoint names");
        }
    }

    private static AuditException corrupt(String message) {
        return new AuditException(Reason.CORRUPT, message + ". Nothing is appended to a damaged log: run `warden"
                + " audit verify` on it, keep it as evidence, and start the log on a new file");
    }

    private AuditEvent.Builder integrity(String outcome) {
        return AuditEvent.builder(AuditEventType.INTEGRITY, clock.instant(), logId)
                .target(RecordFormat.LOG_TARGET).outcome(outcome);
    }

    // ---- callers -------------------------------------------------------------------------------------------------

    /**
     * Records an event. Returns once the event is queued for the writer, normally at once; waits while the queue
     * is full, up to the back-pressure timeout.
     *
     * @throws AuditException           when the event could not be recorded: {@link Reason#BACK_PRESSURE_TIMEOUT},
     *                                  {@link Reason#INTERRUPTED}, {@link Reason#CLOSED} or
     *                                  {@link Reason#WRITE_FAILED}
     * @throws IllegalArgumentException when the record would exceed {@link AuditLogOptions#maxRecordBytes()}
     */
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        byte[] json = RecordFormat.eventJson(event);
        if (json.length + CHAIN_OVERHEAD > options.maxRecordBytes()) {
            throw new IllegalArgumentException("audit event " + event.type() + " for " + event.correlationId()
                    + " is " + json.length + " bytes, more than maxRecordBytes " + options.maxRecordBytes()
                    + " allows; record less detail");
        }
        Entry entry = new Entry(json);
        ReentrantReadWriteLock.ReadLock lock = gate.readLock();
        lock.lock();
        try {
            checkUsable();
            boolean queued;
            try {
                queued = queue.offer(entry)
                        || queue.offer(entry, options.backPressureTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rejected.incrementAndGet();
                throw new AuditException(Reason.INTERRUPTED, "interrupted while waiting to record an audit event"
                        + " (" + event.type() + " " + event.correlationId() + "); it was not recorded");
            }
            if (!queued) {
                long n = rejected.incrementAndGet();
                LOG.error("Audit queue full for {}: an event ({} {}) was not recorded ({} so far); the writer to {}"
                        + " is not keeping up", options.backPressureTimeout(), event.type(), event.correlationId(),
                        n, sink.describe());
                throw new AuditException(Reason.BACK_PRESSURE_TIMEOUT, "the audit queue (" + options.queueCapacity()
                        + " events) stayed full for " + options.backPressureTimeout() + "; the event ("
                        + event.type() + " " + event.correlationId() + ") was not recorded");
            }
            accepted.incrementAndGet();
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            throw writeFailed();
        }
    }

    /**
     * Waits until every event recorded before this call is written and forced to stable storage.
     *
     * @throws AuditException {@link Reason#CLOSED} or {@link Reason#WRITE_FAILED}
     */
    public void flush() {
        Barrier barrier = new Barrier(new CompletableFuture<>(), false);
        ReentrantReadWriteLock.ReadLock lock = gate.readLock();
        lock.lock();
        try {
            checkUsable();
            enqueueControl(barrier);
        } finally {
            lock.unlock();
        }
        await(barrier.done());
    }

    /** Counters for metrics: accepted, written, rejected (back-pressure), lost (after a sink failure), forces. */
    public Stats stats() {
        long acc = accepted.get();
        long wr = written.get();
        return new Stats(acc, wr, rejected.get(), failure == null ? 0 : Math.max(0, acc - wr), forces.get(),
                queue.size());
    }

    /**
     * Stops accepting events, writes everything queued and a {@code closed} record, forces, and closes the sink.
     * Idempotent.
     *
     * @throws AuditException {@link Reason#WRITE_FAILED} if the sink failed at any time, with the number of accepted
     *                        records that were not written
     */
    @Override
    public void close() {
        boolean first;
        gate.writeLock().lock();
        try {
            first = !closed;
            closed = true;
        } finally {
            gate.writeLock().unlock();
        }
        if (first) {
            if (shutdownHook != null) {
                shutdownHook.cancel();
            }
            if (failure == null) {
                enqueueControl(new Barrier(new CompletableFuture<>(), true));
            }
        }
        await(stopped);
        if (failure != null) {
            throw writeFailed();
        }
    }

    private void closeOnShutdown() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.error("Closing the audit log {} at shutdown failed", sink.describe(), e);
        }
    }

    private void checkUsable() {
        if (failure != null) {
            throw writeFailed();
        }
        if (closed) {
            throw new AuditException(Reason.CLOSED, "the audit log " + sink.describe() + " is closed");
        }
    }

    private AuditException writeFailed() {
        Stats s = stats();
        return new AuditException(Reason.WRITE_FAILED, "the audit log " + sink.describe() + " failed and stopped; "
                + s.lost() + " accepted record(s) were not written", failure);
    }

    /** Enqueues a control item, waiting for space as long as the writer is alive. */
    private void enqueueControl(Barrier barrier) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (queue.offer(barrier, WAIT_SLICE_MS, TimeUnit.MILLISECONDS)) {
                        urgent = true;
                        LockSupport.unpark(writer); // a lingering writer acts on it now
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (failure != null || stopped.isDone()) {
                    throw writeFailed();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for the writer (uninterruptibly: draining must finish), failing if the writer fails. */
    private void await(CompletableFuture<Void> future) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    future.get(WAIT_SLICE_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    if (failure != null && future != stopped) {
                        throw writeFailed();
                    }
                } catch (ExecutionException e) {
                    throw writeFailed();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- writer thread -------------------------------------------------------------------------------------------

    private void runWriter() {
        List<Item> items = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                Item first = next();
                if (first == null) {
                    if (dirty && intervalElapsed()) {
                        force();
                    }
                    continue;
                }
                items.add(first);
                queue.drainTo(items, MAX_BATCH - 1);
                linger(items);
                boolean stop = writeItems(items);
                items.clear();
                if (stop) {
                    sink.close();
                    stopped.complete(null);
                    return;
                }
            }
        } catch (Throwable t) {
            fail(t, items);
        }
    }

    /**
     * Group commit: when a batch starts small, sleep up to {@link #LINGER_NANOS} while records gather, so that under
     * load one write and one force serve many records instead of one each. Records queued meanwhile do not wake the
     * writer (a wake-up per record would cost more than the write); a flush or close does, at once. A record's
     * durability is delayed by at most the linger, and no caller ever waits for it.
     */
    private void linger(List<Item> items) {
        if (items.size() >= LINGER_TARGET || items.getLast() instanceof Barrier) {
            return;
        }
        long deadline = System.nanoTime() + LINGER_NANOS;
        while (queue.size() < LINGER_TARGET - items.size() && !urgent) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(this, left);
            Thread.interrupted(); // the writer is private: an interrupt only ends the wait
        }
        urgent = false;
        queue.drainTo(items, MAX_BATCH - items.size());
    }

    private Item next() {
        try {
            if (options.fsync() instanceof FsyncPolicy.Interval(Duration interval)) {
                return queue.poll(Math.max(1, interval.toMillis()), TimeUnit.MILLISECONDS);
            }
            return queue.take();
        } catch (InterruptedException e) {
            return null; // the writer is private; keep draining
        }
    }

    private boolean writeItems(List<Item> items) throws IOException {
        List<Barrier> barriers = List.of();
        boolean stop = false;
        for (Item item : items) {
            switch (item) {
                case Entry e -> {
                    append(e.eventJson());
                    pendingEntries++;
                }
                case Barrier b -> {
                    if (barriers.isEmpty()) {
                        barriers = new ArrayList<>();
                    }
                    barriers.add(b);
                    stop |= b.stop();
                }
            }
        }
        if (stop) {
            append(RecordFormat.eventJson(integrity(RecordFormat.OUTCOME_CLOSED)
                    .detail("sessionRecords", sessionLines + pendingLines).build()));
        }
        writeBatch();
        if (!barriers.isEmpty() || forceDue()) {
            force();
        }
        if (stop) {
            checkpoint(); // the closing record is the head
        }
        for (Barrier b : barriers) {
            b.done().complete(null);
        }
        return stop;
    }

    private void append(byte[] eventJson) {
        long s = seq + 1;
        byte[] body = RecordFormat.body(s, prev, eventJson);
        String hash = hasher.hash(body);
        batch.writeBytes(RecordFormat.line(body, hash));
        seq = s;
        prev = hash;
        pendingLines++;
    }

    private void writeBatch() throws IOException {
        if (pendingLines == 0) {
            return;
        }
        sink.append(batch.toByteArray(), 0, batch.size());
        batch.reset();
        written.addAndGet(pendingEntries);
        sessionLines += pendingLines;
        sinceForce += pendingLines;
        pendingLines = 0;
        pendingEntries = 0;
        dirty = true;
    }

    private boolean forceDue() {
        if (!dirty) {
            return false;
        }
        return switch (options.fsync()) {
            case FsyncPolicy.EveryRecord r -> true;
            case FsyncPolicy.EveryN(int n) -> sinceForce >= n;
            case FsyncPolicy.Interval i -> intervalElapsed();
            case FsyncPolicy.Never n -> false;
        };
    }

    private boolean intervalElapsed() {
        return options.fsync() instanceof FsyncPolicy.Interval(Duration interval)
                && Duration.between(lastForce, clock.instant()).compareTo(interval) >= 0;
    }

    private void force() throws IOException {
        sink.force();
        forces.incrementAndGet();
        sinceForce = 0;
        dirty = false;
        lastForce = clock.instant();
        if (Duration.between(lastCheckpoint, lastForce).compareTo(CHECKPOINT_INTERVAL) >= 0) {
            checkpoint();
        }
    }

    /** Replaces the checkpoint with the head on storage now (only ever called right after a force). */
    private void checkpoint() throws IOException {
        lastCheckpoint = clock.instant();
        sink.checkpoint(AuditCheckpoint.of(seq, prev, lastCheckpoint, options.key().orElse(null)).toJson());
    }

    private void fail(Throwable t, List<Item> inFlight) {
        failure = t;
        List<Item> rest = new ArrayList<>(inFlight);
        queue.drainTo(rest);
        for (Item item : rest) {
            if (item instanceof Barrier b) {
                b.done().completeExceptionally(t);
            }
        }
        LOG.error("Audit log {} failed and stopped; {} accepted record(s) were not written, and no further events"
                + " are accepted", sink.describe(), stats().lost(), t);
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            t.addSuppressed(e);
        }
        stopped.complete(null);
    }
}
