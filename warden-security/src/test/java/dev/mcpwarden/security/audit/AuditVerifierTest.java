package dev.mcpwarden.security.audit;

import static dev.mcpwarden.security.audit.AuditFixtures.lines;
import static dev.mcpwarden.security.audit.AuditFixtures.rehash;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLines;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLog;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.audit.VerificationResult.Intact;
import dev.mcpwarden.security.audit.VerificationResult.Kind;
import dev.mcpwarden.security.audit.VerificationResult.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditVerifierTest {

    @TempDir
    Path dir;
    Path file;

    /** Lines: 1 genesis (seq 0), 2..6 tool calls (seq 1..5), 7 closed (seq 6). */
    @BeforeEach
    void writeCleanLog() throws IOException {
        file = writeLog(dir.resolve("audit.jsonl"), 5, AuditLogOptions.defaults());
    }

    private VerificationResult verify() throws IOException {
        return AuditVerifier.unkeyed().verify(file);
    }

    private static Problem problem(VerificationResult result) {
        assertThat(result).isInstanceOf(Problem.class);
        return (Problem) result;
    }

    @Test
    void cleanLogIsIntactAndClosed() throws IOException {
        VerificationResult result = verify();

        assertThat(result).isInstanceOf(Intact.class);
        Intact intact = (Intact) result;
        assertThat(intact.records()).isEqualTo(7);
        assertThat(intact.lastSeq()).isEqualTo(6);
        assertThat(intact.closed()).isTrue();
        assertThat(intact.keyed()).isFalse();
        assertThat(intact.lastHash()).isEqualTo(RecordFormat.parse(lines(file).getLast()).hash());
        assertThat(result.verdict()).startsWith("intact: 7 record(s), seq 0..6, head ")
                .endsWith(", closed cleanly, checkpoint at seq 6 matches");
    }

    @Test
    void editedRecordIsReportedAsEditedAtItsLine() throws IOException {
        List<String> lines = lines(file);
        lines.set(2, lines.get(2).replace("\"outcome\":\"ok\"", "\"outcome\":\"deny\""));
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.EDITED);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.detail()).isEqualTo("the record (seq 2) does not match its hash");
        assertThat(p.verdict()).isEqualTo("EDITED at line 3: the record (seq 2) does not match its hash");
    }

    @Test
    void editedAndRehashedRecordIsCaughtByTheNextRecordsPrev() throws IOException {
        List<String> lines = lines(file);
        String edited = lines.get(2).replace("\"subject\":\"alice\"", "\"subject\":\"mallory\"");
        lines.set(2, rehash(edited, new RecordFormat.Hasher(null)));
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.EDITED);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.detail()).contains("was rewritten").contains("line 4");
    }

    @Test
    void deletedRecordIsReportedAsDeletedWhereTheGapShows() throws IOException {
        List<String> lines = lines(file);
        lines.remove(2); // seq 2
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.DELETED);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.detail()).isEqualTo("1 record(s) missing before this line (seq 2)");
    }

    @Test
    void severalDeletedRecordsAreCounted() throws IOException {
        List<String> lines = lines(file);
        lines.subList(2, 5).clear(); // seq 2..4
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.DELETED);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.detail()).isEqualTo("3 record(s) missing before this line (seq 2..4)");
    }

    @Test
    void deletedGenesisIsReportedAsDeletedAtLineOne() throws IOException {
        List<String> lines = lines(file);
        lines.removeFirst();
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.DELETED);
        assertThat(p.line()).isEqualTo(1);
        assertThat(p.detail()).contains("including the genesis record");
    }

    @Test
    void swappedRecordsAreReportedAsReordered() throws IOException {
        List<String> lines = lines(file);
        Collections.swap(lines, 2, 3); // seq 3 now before seq 2
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.REORDERED);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.detail()).isEqualTo("expected seq 2 but found seq 3; seq 2 appear(s) later in the file");
    }

    @Test
    void recordMovedToTheEndIsReportedAsReorderedNotDeleted() throws IOException {
        List<String> lines = lines(file);
        lines.add(lines.remove(1)); // seq 1 moved after the closing record
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.REORDERED);
        assertThat(p.line()).isEqualTo(2);
    }

    @Test
    void repeatedRecordIsReportedAsReordered() throws IOException {
        List<String> lines = lines(file);
        lines.add(3, lines.get(2));
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.REORDERED);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.detail()).isEqualTo("seq 2 comes after seq 2; records are out of order or repeated");
    }

    @Test
    void fileCutMidRecordIsTorn() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 40));

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.TORN);
        assertThat(p.line()).isEqualTo(7);
        assertThat(p.detail()).startsWith("the last line is incomplete (");
    }

    @Test
    void completeLastRecordWithoutNewlineIsStillTorn() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));

        assertThat(problem(verify()).kind()).isEqualTo(Kind.TORN);
    }

    @Test
    void fileCutAtALineBoundaryIsTruncatedAgainstItsCheckpointAndWithoutOneVerifiesButIsNotClosed()
            throws IOException {
        List<String> lines = lines(file);
        writeLines(file, lines.subList(0, 4));

        Problem cut = problem(verify());
        assertThat(cut.kind()).isEqualTo(Kind.TRUNCATED);
        assertThat(cut.detail()).startsWith("3 record(s) missing from the end: the log ends at seq 3");

        Files.delete(AuditCheckpoint.beside(file));
        assertThat(problem(verify()).detail()).as("the log was started with a checkpoint").contains(" is missing");
        Intact intact = (Intact) AuditVerifier.unkeyed().verify(file, null); // the chain alone

        assertThat(intact.records()).isEqualTo(4);
        assertThat(intact.closed()).isFalse();
        assertThat(intact.verdict()).contains("no closing record");
    }

    @Test
    void garbageLineInTheMiddleIsReportedAsEdited() throws IOException {
        List<String> lines = lines(file);
        lines.set(3, "{\"seq\":3,");
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.EDITED);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.detail()).isEqualTo("not a well-formed audit record");
    }

    @Test
    void duplicateKeysCannotSmuggleAValuePastTheHash() throws IOException {
        List<String> lines = lines(file);
        lines.set(2, lines.get(2).replace("\"outcome\":\"ok\"", "\"outcome\":\"ok\",\"outcome\":\"deny\""));
        writeLines(file, lines);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.EDITED);
        assertThat(p.line()).isEqualTo(3);
    }

    @Test
    void emptyFileHasLostItsGenesis() throws IOException {
        Files.write(file, new byte[0]);

        Problem p = problem(verify());

        assertThat(p.kind()).isEqualTo(Kind.DELETED);
        assertThat(p.line()).isEqualTo(1);
    }

    @Test
    void keyedLogVerifiesOnlyWithItsKey() throws IOException {
        AuditKey key = AuditKey.generate();
        Path keyed = writeLog(dir.resolve("keyed.jsonl"), 3, AuditLogOptions.defaults().withKey(key));

        Intact intact = (Intact) AuditVerifier.keyed(key).verify(keyed);
        assertThat(intact.keyed()).isTrue();
        assertThat(intact.records()).isEqualTo(5);

        AuditKey other = AuditKey.generate();
        Problem wrongKey = problem(AuditVerifier.keyed(other).verify(keyed));
        assertThat(wrongKey.kind()).isEqualTo(Kind.BAD_KEY);
        assertThat(wrongKey.line()).isEqualTo(1);
        assertThat(wrongKey.detail()).isEqualTo("the log was written with key id " + key.id()
                + ", the supplied key has id " + other.id());

        Problem noKey = problem(AuditVerifier.unkeyed().verify(keyed));
        assertThat(noKey.kind()).isEqualTo(Kind.KEY_REQUIRED);
    }

    @Test
    void keyedLogEditedAndRehashedWithoutTheKeyIsEdited() throws IOException {
        AuditKey key = AuditKey.generate();
        Path keyed = writeLog(dir.resolve("keyed.jsonl"), 3, AuditLogOptions.defaults().withKey(key));
        List<String> lines = lines(keyed);
        lines.set(2, rehash(lines.get(2).replace("\"outcome\":\"ok\"", "\"outcome\":\"deny\""),
                new RecordFormat.Hasher(null)));
        writeLines(keyed, lines);

        Problem p = problem(AuditVerifier.keyed(key).verify(keyed));

        assertThat(p.kind()).isEqualTo(Kind.EDITED);
        assertThat(p.line()).isEqualTo(3);
    }

    @Test
    void keyedLogRebuiltAsAnUnkeyedChainIsABadKey() throws IOException {
        AuditKey key = AuditKey.generate();
        Path keyed = writeLog(dir.resolve("keyed.jsonl"), 3, AuditLogOptions.defaults().withKey(key));
        // An attacker without the key rewrites the whole log as a plain SHA-256 chain.
        Path forged = writeLog(dir.resolve("forged.jsonl"), 3, AuditLogOptions.defaults());
        Files.move(forged, keyed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Problem p = problem(AuditVerifier.keyed(key).verify(keyed));

        assertThat(p.kind()).isEqualTo(Kind.BAD_KEY);
        assertThat(p.detail()).startsWith("the log is not keyed, but a key was supplied");
    }

    @Test
    void inMemoryLogVerifiesFromItsStream() throws IOException {
        MemoryAuditSink sink = AuditSink.memory();
        dev.mcpwarden.testkit.FakeClock clock = new dev.mcpwarden.testkit.FakeClock();
        try (AuditLog log = AuditLog.open(sink, AuditLogOptions.defaults(), clock)) {
            log.record(AuditFixtures.toolCall(clock, "r1"));
        }
        assertThat(AuditVerifier.unkeyed().verify(sink.inputStream()).intact()).isTrue();

        List<String> lines = sink.lines();
        sink.replace((lines.get(0) + "\n" + lines.get(2) + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(problem(AuditVerifier.unkeyed().verify(sink.inputStream())).kind()).isEqualTo(Kind.DELETED);
    }
}
