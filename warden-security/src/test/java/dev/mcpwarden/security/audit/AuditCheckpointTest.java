package dev.mcpwarden.security.audit;

import static dev.mcpwarden.security.audit.AuditFixtures.lines;
import static dev.mcpwarden.security.audit.AuditFixtures.toolCall;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLines;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.audit.VerificationResult.Intact;
import dev.mcpwarden.security.audit.VerificationResult.Kind;
import dev.mcpwarden.security.audit.VerificationResult.Problem;
import dev.mcpwarden.testkit.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed head of the log: records cut from its end, which the hash chain alone cannot show, are reported by
 * {@code warden audit verify} and refused by a writer about to continue the log.
 */
class AuditCheckpointTest {

    @TempDir
    Path dir;

    /** Lines: 1 genesis (seq 0), 2..6 tool calls (seq 1..5), 7 closed (seq 6); its checkpoint names seq 6. */
    Path cleanLog(AuditLogOptions options) throws IOException {
        return writeLog(dir.resolve("audit.jsonl"), 5, options);
    }

    static void cutLast(Path file, int records) throws IOException {
        List<String> lines = lines(file);
        writeLines(file, lines.subList(0, lines.size() - records));
    }

    @Test
    void aClosedLogHasACheckpointNamingItsClosingRecordAndVerifiesAgainstIt() throws IOException {
        Path file = cleanLog(AuditLogOptions.defaults());
        AuditCheckpoint checkpoint = AuditCheckpoint.parse(Files.readString(AuditCheckpoint.beside(file)));
        assertThat(checkpoint.seq()).isEqualTo(6);
        assertThat(checkpoint.hash()).isEqualTo(RecordFormat.parse(lines(file).getLast()).hash());
        VerificationResult result = AuditVerifier.unkeyed().verify(file);
        assertThat(result).isInstanceOfSatisfying(Intact.class, i -> assertThat(i.checkpointSeq()).isEqualTo(6));
        assertThat(result.verdict()).endsWith(", closed cleanly, checkpoint at seq 6 matches");
    }

    @Test
    void recordsCutFromTheEndAreReportedAsTruncatedWithHowManyAreMissing() throws IOException {
        Path file = cleanLog(AuditLogOptions.defaults());
        AuditCheckpoint checkpoint = AuditCheckpoint.parse(Files.readString(AuditCheckpoint.beside(file)));
        cutLast(file, 2); // the chain that is left (seq 0..4) verifies on its own

        VerificationResult result = AuditVerifier.unkeyed().verify(file);

        assertThat(result).isInstanceOf(Problem.class);
        Problem p = (Problem) result;
        assertThat(p.kind()).isEqualTo(Kind.TRUNCATED);
        assertThat(p.line()).isEqualTo(5);
        assertThat(p.verdict()).isEqualTo("TRUNCATED at line 5: 2 record(s) missing from the end: the log ends at"
                + " seq 4, its checkpoint of " + checkpoint.at() + " names seq 6");
    }

    @Test
    void aCheckpointForgedWithoutTheKeyDoesNotVerify() throws IOException {
        AuditKey key = AuditKey.generate();
        Path file = cleanLog(AuditLogOptions.defaults().withKey(key));
        cutLast(file, 3);
        // Whoever cut the tail writes a checkpoint naming the new end, with a key of their own.
        RecordFormat.Parsed end = RecordFormat.parse(lines(file).getLast());
        AuditCheckpoint forged = AuditCheckpoint.of(end.seq(), end.hash(), java.time.Instant.now(),
                AuditKey.generate());
        Files.writeString(AuditCheckpoint.beside(file), forged.toJson());

        VerificationResult result = AuditVerifier.keyed(key).verify(file);

        assertThat(result.verdict()).isEqualTo("TRUNCATED at line 4: the checkpoint does not verify with the"
                + " supplied key: it was forged or damaged");
    }

    @Test
    void aCopyOfTheCheckpointKeptElsewhereCatchesACutThatAlsoRemovedTheOneBesideTheLog() throws IOException {
        Path file = cleanLog(AuditLogOptions.defaults());
        Path copy = dir.resolve("elsewhere.checkpoint");
        Files.copy(AuditCheckpoint.beside(file), copy);
        cutLast(file, 1);
        Files.delete(AuditCheckpoint.beside(file));

        VerificationResult alone = AuditVerifier.unkeyed().verify(file);
        assertThat(alone).as("the log says it was started with a checkpoint").isInstanceOfSatisfying(Problem.class,
                p -> {
                    assertThat(p.kind()).isEqualTo(Kind.TRUNCATED);
                    assertThat(p.detail()).isEqualTo("the checkpoint " + AuditCheckpoint.beside(file) + " is missing,"
                            + " though the log was started with one (deleted, or the log was moved without it):"
                            + " records may have been cut from its end");
                });
        VerificationResult withCopy = AuditVerifier.unkeyed().verify(file, copy);
        assertThat(withCopy).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.kind()).isEqualTo(Kind.TRUNCATED);
            assertThat(p.detail()).startsWith("1 record(s) missing from the end: the log ends at seq 5");
        });
    }

    @Test
    void aLogCutBackToItsGenesisRecordWithItsCheckpointDeletedIsTruncatedToo() throws IOException {
        Path file = cleanLog(AuditLogOptions.defaults());
        writeLines(file, lines(file).subList(0, 1));
        Files.delete(AuditCheckpoint.beside(file));
        assertThat(AuditVerifier.unkeyed().verify(file)).isInstanceOfSatisfying(Problem.class,
                p -> assertThat(p.kind()).isEqualTo(Kind.TRUNCATED));
    }

    @Test
    void aLogWrittenWithoutACheckpointIsVerifiedByItsChainAlone() throws IOException {
        Path file = dir.resolve("stream.jsonl");
        MemoryAuditSink memory = new MemoryAuditSink();
        AuditSink stream = new AuditSink() { // a sink that keeps no checkpoint, as a stream to another system
            @Override
            public java.util.Optional<Existing> open() throws IOException {
                return memory.open();
            }

            @Override
            public void append(byte[] bytes, int offset, int length) throws IOException {
                memory.append(bytes, offset, length);
            }

            @Override
            public void force() throws IOException {
                memory.force();
            }

            @Override
            public String describe() {
                return "stream";
            }

            @Override
            public void close() throws IOException {
                memory.close();
            }
        };
        FakeClock clock = new FakeClock();
        try (AuditLog log = AuditLog.open(stream, AuditLogOptions.defaults(), clock)) {
            log.record(toolCall(clock, "a"));
        }
        Files.write(file, memory.bytes());
        assertThat(AuditVerifier.unkeyed().verify(file).verdict()).endsWith(", no checkpoint to compare with");
    }

    @Test
    void aWriterRefusesToContinueALogWhoseCheckpointWasDeleted() throws IOException {
        Path file = cleanLog(AuditLogOptions.defaults());
        cutLast(file, 2);
        Files.delete(AuditCheckpoint.beside(file));
        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), new FakeClock()))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.CORRUPT))
                .hasMessageContaining(": its checkpoint is missing, though the log was started with one (deleted,"
                        + " or the log was moved without it); records may have been cut from its end");
    }

    @Test
    void aWriterRefusesToContinueALogWhoseTailWasCut() throws IOException {
        Path file = cleanLog(AuditLogOptions.defaults());
        cutLast(file, 2);
        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), new FakeClock()))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.CORRUPT))
                .hasMessageContaining(" ends at seq 4 but its checkpoint of ")
                .hasMessageContaining(" names seq 6: 2 record(s) were cut from its end");
    }

    @Test
    void theCheckpointFollowsTheHeadWhileTheLogIsOpenAtMostEverySecond() throws IOException {
        FakeClock clock = new FakeClock();
        MemoryAuditSink sink = AuditSink.memory();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults(), clock)) {
            assertThat(AuditCheckpoint.parse(sink.readCheckpoint().orElseThrow()).seq()).isZero(); // genesis
            log.record(toolCall(clock, "a"));
            log.flush();
            // Within the second: the checkpoint still names the genesis record.
            assertThat(AuditCheckpoint.parse(sink.readCheckpoint().orElseThrow()).seq()).isZero();
            clock.advance(Duration.ofSeconds(1));
            log.record(toolCall(clock, "b"));
            log.flush();
            AuditCheckpoint head = AuditCheckpoint.parse(sink.readCheckpoint().orElseThrow());
            assertThat(head.seq()).isEqualTo(2);
            assertThat(head.hash()).isEqualTo(RecordFormat.parse(sink.lines().getLast()).hash());
            assertThat(head.verifies(null)).isTrue();
        }
        assertThat(AuditCheckpoint.parse(sink.readCheckpoint().orElseThrow()).seq()).isEqualTo(3); // closed
    }
}
