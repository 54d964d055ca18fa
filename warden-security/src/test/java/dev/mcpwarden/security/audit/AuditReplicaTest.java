package dev.mcpwarden.security.audit;

import static dev.mcpwarden.security.audit.AuditFixtures.json;
import static dev.mcpwarden.security.audit.AuditFixtures.lines;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLines;
import static dev.mcpwarden.security.audit.AuditFixtures.writeLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.testkit.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One hash chain per replica, named by its replica id, and a directory of them verified together. */
class AuditReplicaTest {

    @TempDir
    Path dir;

    static AuditLogOptions replica(String id) {
        return AuditLogOptions.defaults().withReplica(id);
    }

    @Test
    void aReplicaIdIsLettersDigitsDotsUnderscoresOrDashesUpTo64() {
        assertThat(replica("warden-0.eu_1").replica()).contains("warden-0.eu_1");
        assertThat(replica("a".repeat(64)).replica()).contains("a".repeat(64));
        for (String bad : List.of("", "a".repeat(65), "r/2", "r 2", "..", ".", "ä")) {
            assertThatThrownBy(() -> replica(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("replica id must match [A-Za-z0-9._-]{1,64} (and not be . or ..), was '" + bad + "'");
        }
        assertThat(AuditLogOptions.defaults().replica()).isEmpty();
        assertThat(replica("r2").withQueueCapacity(10).withKey(AuditKey.generate()).replica()).contains("r2");
    }

    @Test
    void theReplicaIdNamesTheFileBeforeItsExtensionInTheSameDirectory() {
        Path audit = dir.resolve("audit.jsonl");
        assertThat(new AuditConfig(Optional.of(audit), replica("r2")).chainFile())
                .contains(dir.resolve("audit-r2.jsonl"));
        assertThat(new AuditConfig(Optional.of(dir.resolve("audit")), replica("r2")).chainFile())
                .contains(dir.resolve("audit-r2"));
        assertThat(new AuditConfig(Optional.of(dir.resolve("audit.log.jsonl")), replica("r2")).chainFile())
                .contains(dir.resolve("audit.log-r2.jsonl"));
        assertThat(new AuditConfig(Optional.of(dir.resolve(".audit")), replica("r2")).chainFile())
                .contains(dir.resolve(".audit-r2"));
        assertThat(new AuditConfig(Optional.of(audit), AuditLogOptions.defaults()).chainFile()).contains(audit);
        assertThat(AuditConfig.none().chainFile()).isEmpty();
    }

    @Test
    void theGenesisAndReopenedRecordsNameTheReplica() throws IOException {
        Path file = writeLog(dir.resolve("audit-r2.jsonl"), 1, replica("r2"));
        writeLog(file, 1, replica("r2"));
        List<String> lines = lines(file);
        assertThat(json(lines.get(0)).get("outcome").asString()).isEqualTo("genesis");
        assertThat(json(lines.get(0)).get("detail").get("replica").asString()).isEqualTo("r2");
        assertThat(json(lines.get(3)).get("outcome").asString()).isEqualTo("reopened");
        assertThat(json(lines.get(3)).get("detail").get("replica").asString()).isEqualTo("r2");
        assertThat(AuditVerifier.unkeyed().verify(file).intact()).isTrue();
    }

    @Test
    void anotherReplicasChainIsNeverContinued() throws IOException {
        Path file = writeLog(dir.resolve("audit.jsonl"), 1, replica("r1"));
        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), replica("r2"), new FakeClock()))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.OTHER_REPLICA))
                .hasMessage("audit log " + file + " is the chain of replica r1, not of replica r2; each replica"
                        + " writes its own file");
        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults(), new FakeClock()))
                .hasMessage("audit log " + file + " is the chain of replica r1, not of a process without a replica"
                        + " id; each replica writes its own file");
        Path single = writeLog(dir.resolve("single.jsonl"), 1, AuditLogOptions.defaults());
        assertThatThrownBy(() -> AuditLog.open(AuditSink.file(single), replica("r1"), new FakeClock()))
                .hasMessage("audit log " + single + " is the chain of a process without a replica id, not of"
                        + " replica r1; each replica writes its own file");
    }

    void threeReplicas() throws IOException {
        for (String r : List.of("r1", "r2", "r3")) {
            writeLog(dir.resolve("audit-" + r + ".jsonl"), 2, replica(r));
        }
        Files.writeString(dir.resolve("README.txt"), "not a chain");
        Files.createDirectory(dir.resolve("old.jsonl"));
    }

    @Test
    void aDirectoryOfThreeChainsVerifiesEachNamingItsReplica() throws IOException {
        threeReplicas();
        DirectoryVerification found = AuditVerifier.unkeyed().verifyDirectory(dir);
        assertThat(found.intact()).isTrue();
        assertThat(found.conflicts()).isEmpty();
        assertThat(found.chains()).extracting(DirectoryVerification.Chain::file)
                .containsExactly(dir.resolve("audit-r1.jsonl"), dir.resolve("audit-r2.jsonl"),
                        dir.resolve("audit-r3.jsonl"));
        assertThat(found.chains()).extracting(c -> c.replica().orElseThrow()).containsExactly("r1", "r2", "r3");
        assertThat(found.chains()).allSatisfy(c -> assertThat(c.result())
                .isInstanceOfSatisfying(VerificationResult.Intact.class, i -> {
                    assertThat(i.records()).isEqualTo(4);
                    assertThat(i.closed()).isTrue();
                }));
    }

    @Test
    void oneTamperedChainFailsTheDirectoryNamingItsFileAndLine() throws IOException {
        threeReplicas();
        Path r2 = dir.resolve("audit-r2.jsonl");
        List<String> lines = lines(r2);
        lines.set(2, lines.get(2).replace("req-1", "req-9"));
        writeLines(r2, lines);

        DirectoryVerification found = AuditVerifier.unkeyed().verifyDirectory(dir);

        assertThat(found.intact()).isFalse();
        assertThat(found.chains().get(0).result().intact()).isTrue();
        assertThat(found.chains().get(1).file()).isEqualTo(r2);
        assertThat(found.chains().get(1).result())
                .isEqualTo(new VerificationResult.Problem(3, VerificationResult.Kind.EDITED,
                        "the record (seq 2) does not match its hash"));
        assertThat(found.chains().get(2).result().intact()).isTrue();
    }

    @Test
    void twoFilesClaimingOneReplicaIdAreAConflictThoughEachVerifies() throws IOException {
        threeReplicas();
        Files.copy(dir.resolve("audit-r1.jsonl"), dir.resolve("audit-r4.jsonl"));
        Files.copy(dir.resolve("audit-r1.jsonl.checkpoint"), dir.resolve("audit-r4.jsonl.checkpoint"));

        DirectoryVerification found = AuditVerifier.unkeyed().verifyDirectory(dir);

        assertThat(found.chains()).allSatisfy(c -> assertThat(c.result().intact()).isTrue());
        assertThat(found.conflicts()).containsExactly(new DirectoryVerification.Conflict("r1",
                List.of(dir.resolve("audit-r1.jsonl"), dir.resolve("audit-r4.jsonl"))));
        assertThat(found.conflicts().get(0).verdict())
                .isEqualTo("replica r1 is claimed by 2 files: audit-r1.jsonl, audit-r4.jsonl");
        assertThat(found.intact()).isFalse();
    }

    @Test
    void chainsWithoutAReplicaIdNeverConflictAndAnEmptyDirectoryIsNotIntact() throws IOException {
        assertThat(AuditVerifier.unkeyed().verifyDirectory(dir).intact()).isFalse();
        writeLog(dir.resolve("a.jsonl"), 1, AuditLogOptions.defaults());
        writeLog(dir.resolve("b.jsonl"), 1, AuditLogOptions.defaults());
        DirectoryVerification found = AuditVerifier.unkeyed().verifyDirectory(dir);
        assertThat(found.conflicts()).isEmpty();
        assertThat(found.chains()).extracting(DirectoryVerification.Chain::replica)
                .containsExactly(Optional.empty(), Optional.empty());
        assertThat(found.intact()).isTrue();
    }
}
