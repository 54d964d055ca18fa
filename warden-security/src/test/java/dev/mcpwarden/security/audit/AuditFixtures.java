package dev.mcpwarden.security.audit;

import dev.mcpwarden.testkit.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.node.ObjectNode;

/** Shared helpers for the audit tests. */
final class AuditFixtures {

    private AuditFixtures() {
    }

    static AuditEvent toolCall(FakeClock clock, String correlationId) {
        return AuditEvent.builder(AuditEventType.TOOL_CALL, clock.instant(), correlationId)
                .principal(new AuditPrincipal("https://issuer.example", "alice", "client-1", "acme"))
                .target("search")
                .outcome("ok")
                .latency(Duration.ofMillis(12))
                .detail("arguments", "sha256:00ff")
                .build();
    }

    /** Writes a closed log with a genesis record, {@code events} tool calls and a closing record. */
    static Path writeLog(Path file, int events, AuditLogOptions options) throws IOException {
        FakeClock clock = new FakeClock();
        try (AuditLog log = AuditLog.open(AuditSink.file(file), options, clock)) {
            for (int i = 0; i < events; i++) {
                clock.advance(Duration.ofSeconds(1));
                log.record(toolCall(clock, "req-" + i));
            }
        }
        return file;
    }

    static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static void writeLines(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** Rebuilds a line with a recomputed hash (what an attacker without the key can do). */
    static String rehash(String line, RecordFormat.Hasher hasher) {
        RecordFormat.Parsed p = RecordFormat.parse(line);
        return new String(RecordFormat.line(p.body(), hasher.hash(p.body())), StandardCharsets.UTF_8).strip();
    }

    /** Parses a line's body as JSON (without its hash member). */
    static ObjectNode json(String line) {
        return RecordFormat.parse(line).json();
    }

    static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
