package dev.mcpwarden.security.audit;

import static dev.mcpwarden.security.audit.AuditFixtures.json;
import static dev.mcpwarden.security.audit.AuditFixtures.lines;
import static dev.mcpwarden.security.audit.AuditFixtures.toolCall;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLines;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.audit.AuditException.Reason;
import dev.mcpwarden.testkit.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening an existing log: continue its chain, or refuse to append after damage. */
class AuditContinuationTest {

    @TempDir
    Path dir;
    final FakeClock clock = new FakeClock();

    @Test
    void reopeningContinuesTheChainAcrossRestarts() throws IOException {
        Path file = writeLog(dir.resolve("audit.jsonl"), 3, AuditLogOptions.defaults()); // seq 0..4

        try (AuditLog log = AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), clock)) {
            log.record(toolCall(clock, "after-restart"));
        }

        List<String> lines = lines(file);
        assertThat(lines).hasSize(5 + 3);
        assertThat(json(lines.get(5)).get("seq").asLong()).isEqualTo(5);
        assertThat(json(lines.get(5)).get("outcome").asString()).isEqualTo("reopened");
        assertThat(json(lines.get(5)).get("prev").asString()).isEqualTo(RecordFormat.parse(lines.get(4)).hash());
        assertThat(json(lines.get(6)).get("correlationId").asString()).isEqualTo("after-restart");
        VerificationResult result = AuditVerifier.unkeyed().verify(file);
        assertThat(result).isEqualTo(new VerificationResult.Intact(8, 7, RecordFormat.parse(lines.get(7)).hash(),
                false, true, 7));
    }

    @Test
    void tornTailIsNeverAppendedTo() throws IOException {
        Path file = writeLog(dir.resolve("audit.jsonl"), 3, AuditLogOptions.defaults());
        Files.writeString(file, "{\"seq\":5,\"prev\":\"ab", StandardOpenOption.APPEND); // a crash mid-write
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), clock))
                .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TORN_TAIL))
                .hasMessageStartingWith("audit file " + file + " ends with an incomplete record (no newline after"
                        + " the last 19 bytes");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        VerificationResult.Problem p = (VerificationResult.Problem) AuditVerifier.unkeyed().verify(file);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.TORN);
        assertThat(p.line()).isEqualTo(6);
    }

    @Test
    void editedLastRecordIsNeverAppendedTo() throws IOException {
        Path file = writeLog(dir.resolve("audit.jsonl"), 2, AuditLogOptions.defaults());
        List<String> lines = lines(file);
        lines.set(lines.size() - 1, lines.getLast().replace("closed", "clozed"));
        writeLines(file, lines);

        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), clock))
                .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
                .hasMessageStartingWith("audit log " + file + ": its last record does not verify.");
    }

    @Test
    void keyedLogIsNotContinuedWithAnotherKeyOrWithoutOne() throws IOException {
        AuditKey key = AuditKey.generate();
        Path file = writeLog(dir.resolve("audit.jsonl"), 2, AuditLogOptions.defaults().withKey(key));

        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file),
                AuditLogOptions.defaults().withKey(AuditKey.generate()), clock))
                .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
                .hasMessageContaining("was written with key id " + key.id());
        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), clock))
                .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
                .hasMessageContaining("is keyed (key id " + key.id() + "); configure its key");

        try (AuditLog log = AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults().withKey(key), clock)) {
            log.record(toolCall(clock, "same-key"));
        }
        assertThat(AuditVerifier.keyed(key).verify(file).intact()).isTrue();
    }

    @Test
    void secondWriterOnTheSameFileIsRefused() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog first = AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), clock)) {
            assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), clock))
                    .isInstanceOfSatisfying(AuditException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.LOCKED));
            first.record(toolCall(clock, "still-fine"));
        }
        assertThat(AuditVerifier.unkeyed().verify(file).intact()).isTrue();
    }

    @Test
    void keyFileHoldsTheKeyInBase64() throws IOException {
        AuditKey key = AuditKey.generate();
        Path keyFile = dir.resolve("audit.key");
        Files.writeString(keyFile, key.toBase64() + "\n", StandardCharsets.US_ASCII);

        assertThat(AuditKey.fromFile(keyFile).id()).isEqualTo(key.id());
        assertThat(AuditKey.fromFile(keyFile).toString()).isEqualTo("AuditKey[id=" + key.id() + "]");

        Files.writeString(keyFile, "c2hvcnQ=");
        assertThatThrownBy(() -> AuditKey.fromFile(keyFile))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an audit key needs at least 32 bytes, was 5");
    }
}
