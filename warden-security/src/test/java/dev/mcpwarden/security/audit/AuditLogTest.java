package dev.mcpwarden.security.audit;

import static dev.mcpwarden.security.audit.AuditFixtures.eventually;
import static dev.mcpwarden.security.audit.AuditFixtures.json;
import static dev.mcpwarden.security.audit.AuditFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.audit.AuditException.Reason;
import dev.mcpwarden.testkit.FakeClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

class AuditLogTest {

    @TempDir
    Path dir;
    final FakeClock clock = new FakeClock();

    @Test
    void eventsAreWrittenAsChainedJsonLinesBetweenGenesisAndClose() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults(), clock)) {
            log.record(toolCall(clock, "req-1"));
        }

        List<String> lines = sink.lines();
        assertThat(lines).hasSize(3);
        ObjectNode genesis = json(lines.get(0));
        assertThat(genesis.get("seq").asLong()).isZero();
        assertThat(genesis.get("prev").asString()).isEqualTo("0".repeat(64));
        assertThat(genesis.get("type").asString()).isEqualTo("INTEGRITY");
        assertThat(genesis.get("outcome").asString()).isEqualTo("genesis");
        assertThat(genesis.get("detail").get("alg").asString()).isEqualTo("SHA-256");

        assertThat(lines.get(1)).startsWith("{\"seq\":1,\"prev\":\"" + RecordFormat.parse(lines.get(0)).hash()
                + "\",\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"TOOL_CALL\",\"correlationId\":\"req-1\","
                + "\"principal\":{\"issuer\":\"https://issuer.example\",\"subject\":\"alice\","
                + "\"clientId\":\"client-1\",\"tenant\":\"acme\"},\"target\":\"search\",\"outcome\":\"ok\","
                + "\"latencyMicros\":12000,\"detail\":{\"arguments\":\"sha256:00ff\"},\"hash\":\"");
        assertThat(json(lines.get(2)).get("outcome").asString()).isEqualTo("closed");
        assertThat(AuditVerifier.unkeyed().verify(sink.inputStream()).intact()).isTrue();
    }

    @Test
    void manyThreadsRecordEveryEventExactlyOnceInAVerifiableChain() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        int threads = 8;
        int perThread = 1500;
        try (AuditLog log = AuditLog.open(AuditSink.file(file),
                AuditLogOptions.defaults().withQueueCapacity(64).withFsync(FsyncPolicy.never()), clock)) {
            List<Thread> workers = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < perThread; i++) {
                        log.record(toolCall(clock, "t" + id + "-" + i));
                    }
                }));
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertThat(log.stats().accepted()).isEqualTo((long) threads * perThread);
            assertThat(log.stats().rejected()).isZero();
        }

        VerificationResult result = AuditVerifier.unkeyed().verify(file);
        assertThat(result.intact()).as(result.verdict()).isTrue();
        List<String> ids = AuditFixtures.lines(file).stream()
                .map(l -> json(l).get("correlationId").asString())
                .filter(id -> id.startsWith("t"))
                .toList();
        assertThat(ids).hasSize(threads * perThread);
        assertThat(new HashSet<>(ids)).hasSize(threads * perThread);
    }

    @Test
    void slowSinkMakesCallersWaitInsteadOfLosingEvents() throws Exception {
        GatedSink sink = new GatedSink();
        AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults().withQueueCapacity(4)
                .withBackPressureTimeout(Duration.ofSeconds(30)), clock);
        sink.closeGate();
        AtomicInteger recorded = new AtomicInteger();
        Thread caller = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 200; i++) {
                log.record(toolCall(clock, "req-" + i));
                recorded.incrementAndGet();
            }
        });

        // The writer holds one batch (what it gathered while it lingered) at the gate; the queue fills; the caller
        // waits.
        eventually(() -> caller.getState() == Thread.State.TIMED_WAITING && log.stats().queued() == 4,
                "the caller to wait on a full queue");
        assertThat(recorded.get()).isLessThan(200);
        assertThat(log.stats().rejected()).isZero();

        sink.openGate();
        caller.join(5000);
        assertThat(recorded.get()).isEqualTo(200);
        log.close();

        List<String> ids = sink.memory.lines().stream().map(l -> json(l).get("correlationId").asString())
                .filter(id -> id.startsWith("req-")).toList();
        assertThat(ids).containsExactly(java.util.stream.IntStream.range(0, 200).mapToObj(i -> "req-" + i)
                .toArray(String[]::new));
        assertThat(AuditVerifier.unkeyed().verify(sink.memory.inputStream()).intact()).isTrue();
    }

    @Test
    void queueFullBeyondTheTimeoutIsReportedToTheCallerAndCounted() throws Exception {
        GatedSink sink = new GatedSink();
        AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults().withQueueCapacity(1)
                .withBackPressureTimeout(Duration.ofMillis(50)), clock);
        sink.closeGate();
        List<String> accepted = new ArrayList<>();
        AuditException failure = null;
        // The writer may gather a few records into the batch held at the gate before the queue fills.
        for (int i = 0; i < 200 && failure == null; i++) {
            try {
                log.record(toolCall(clock, "req-" + i));
                accepted.add("req-" + i);
            } catch (AuditException e) {
                failure = e;
            }
        }

        assertThat(failure).isNotNull();
        assertThat(failure.reason()).isEqualTo(Reason.BACK_PRESSURE_TIMEOUT);
        assertThat(failure.getMessage()).startsWith("the audit queue (1 events) stayed full for PT0.05S; the event"
                + " (TOOL_CALL req-" + accepted.size() + ") was not recorded");
        assertThat(log.stats().rejected()).isEqualTo(1);

        sink.openGate();
        log.close();
        List<String> ids = sink.memory.lines().stream().map(l -> json(l).get("correlationId").asString())
                .filter(id -> id.startsWith("req-")).toList();
        assertThat(ids).containsExactlyElementsOf(accepted);
    }

    @Test
    void closeDrainsEverythingQueued() throws Exception {
        GatedSink sink = new GatedSink();
        AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults().withQueueCapacity(1000), clock);
        sink.closeGate();
        for (int i = 0; i < 500; i++) {
            log.record(toolCall(clock, "req-" + i));
        }
        Thread closer = Thread.ofPlatform().start(log::close);
        Thread.sleep(20);
        assertThat(closer.isAlive()).isTrue();
        sink.openGate();
        closer.join(5000);

        List<String> lines = sink.memory.lines();
        assertThat(lines).hasSize(1 + 500 + 1);
        assertThat(json(lines.getLast()).get("outcome").asString()).isEqualTo("closed");
        assertThat(log.stats().written()).isEqualTo(500);
        assertThat(sink.memory.forces()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void recordAfterCloseIsRefused() throws IOException {
        AuditLog log = AuditLog.open(AuditSink.memory(), AuditLogOptions.defaults(), clock);
        log.close();
        log.close(); // idempotent

        assertThatThrownBy(() -> log.record(toolCall(clock, "late")))
                .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED))
                .hasMessage("the audit log memory is closed");
    }

    @Test
    void flushReturnsOnlyWhenEverythingIsWrittenAndForced() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults().withFsync(FsyncPolicy.never()), clock)) {
            int forcesAtOpen = sink.forces();
            for (int i = 0; i < 100; i++) {
                log.record(toolCall(clock, "req-" + i));
            }
            log.flush();
            assertThat(sink.lines()).hasSize(101);
            assertThat(sink.forces()).isEqualTo(forcesAtOpen + 1);
        }
    }

    @Test
    void fsyncEveryRecordForcesAfterEachWrite() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults(), clock)) {
            for (int i = 1; i <= 5; i++) {
                log.record(toolCall(clock, "req-" + i));
                int n = i;
                eventually(() -> sink.forces() == 1 + n, "force #" + (1 + n));
            }
        }
    }

    @Test
    void fsyncEveryNRecordsForcesOnceNHaveBeenWritten() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults().withFsync(FsyncPolicy.everyRecords(5)),
                clock)) {
            for (int i = 1; i <= 12; i++) {
                log.record(toolCall(clock, "req-" + i));
                long n = i;
                eventually(() -> log.stats().written() == n, "record " + n + " written");
            }
            // Forced at open, then after records 5 and 10.
            eventually(() -> log.stats().forces() == 3, "three forces");
            assertThat(sink.forces()).isEqualTo(3);
        }
    }

    @Test
    void fsyncIntervalFollowsTheInjectedClock() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        try (AuditLog log = AuditLog.open(sink,
                AuditLogOptions.defaults().withFsync(FsyncPolicy.interval(Duration.ofSeconds(1))), clock)) {
            log.record(toolCall(clock, "req-1"));
            eventually(() -> log.stats().written() == 1, "record written");
            assertThat(sink.forces()).isEqualTo(1); // only at open: the clock has not moved

            clock.advance(Duration.ofSeconds(2));
            log.record(toolCall(clock, "req-2"));
            eventually(() -> sink.forces() == 2, "a force once the interval passed");
        }
    }

    @Test
    void fsyncNeverLeavesForcingToFlushAndClose() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults().withFsync(FsyncPolicy.never()), clock);
        for (int i = 0; i < 10; i++) {
            log.record(toolCall(clock, "req-" + i));
        }
        eventually(() -> log.stats().written() == 10, "records written");
        assertThat(sink.forces()).isEqualTo(1);
        log.close();
        assertThat(sink.forces()).isEqualTo(2);
    }

    @Test
    void sinkFailureStopsTheLogAndIsReportedNotSwallowed() throws IOException {
        GatedSink sink = new GatedSink();
        AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults(), clock);
        log.flush(); // the genesis record is on disk before the disk "fills up"
        sink.failure.set(new IOException("disk full"));

        try {
            log.record(toolCall(clock, "req-1")); // accepted; the write then fails
        } catch (AuditException e) {
            // the writer may fail on this very record before record() returns: then the caller hears of it at once
            assertThat(e.reason()).isEqualTo(Reason.WRITE_FAILED);
        }
        eventually(() -> log.stats().lost() == 1, "the lost record to be counted");

        assertThatThrownBy(() -> log.record(toolCall(clock, "req-2")))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.WRITE_FAILED))
                .hasMessage("the audit log gated failed and stopped; 1 accepted record(s) were not written")
                .hasRootCauseMessage("disk full");
        assertThatThrownBy(log::flush).isInstanceOf(AuditException.class);
        assertThatThrownBy(log::close)
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.WRITE_FAILED));
    }

    @Test
    void eventLargerThanTheRecordLimitIsRejectedAtOnce() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSink.memory(), AuditLogOptions.defaults().withMaxRecordBytes(1024),
                clock)) {
            AuditEvent big = AuditEvent.builder(AuditEventType.GUARD_FINDING, clock.instant(), "req-1")
                    .outcome("blocked").detail("excerpt", "x".repeat(2000)).build();

            assertThatThrownBy(() -> log.record(big))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("more than maxRecordBytes 1024 allows");
        }
    }

    @Test
    void keyedLogNamesItsKeyInTheGenesisButNeverTheKey() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        AuditKey key = AuditKey.generate();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults().withKey(key), clock)) {
            log.record(toolCall(clock, "req-1"));
        }
        ObjectNode genesis = json(sink.lines().getFirst());
        assertThat(genesis.get("detail").get("alg").asString()).isEqualTo("HMAC-SHA256");
        assertThat(genesis.get("detail").get("keyId").asString()).isEqualTo(key.id());
        assertThat(String.join("\n", sink.lines())).doesNotContain(key.toBase64());
        assertThat(AuditVerifier.keyed(key).verify(sink.inputStream()).intact()).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A memory sink whose appends can be held at a gate, or made to fail. */
    static final class GatedSink implements AuditSink {
        final MemoryAuditSink memory = AuditSink.memory();
        final AtomicReference<IOException> failure = new AtomicReference<>();
        private volatile CountDownLatch gate = new CountDownLatch(0);

        void closeGate() {
            gate = new CountDownLatch(1);
        }

        void openGate() {
            gate.countDown();
        }

        @Override
        public Optional<Existing> open() {
            return memory.open();
        }

        @Override
        public void append(byte[] bytes, int offset, int length) throws IOException {
            try {
                if (!gate.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("gate never opened");
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            memory.append(bytes, offset, length);
        }

        @Override
        public void force() {
            memory.force();
        }

        @Override
        public String describe() {
            return "gated";
        }

        @Override
        public void close() {
        }
    }
}
