package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.audit.AuditEvent;
import dev.mcpwarden.security.audit.AuditEventType;
import dev.mcpwarden.security.audit.AuditKey;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.security.audit.AuditLogOptions;
import dev.mcpwarden.security.audit.AuditSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AuditCommandTest {

    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new AuditCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path log(AuditLogOptions options) throws IOException {
        Path file = dir.resolve("audit.jsonl");
        InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
        try (AuditLog log = AuditLog.open(AuditSink.file(file), options, clock)) {
            for (int i = 0; i < 3; i++) {
                log.record(AuditEvent.builder(AuditEventType.TOOL_CALL, clock.instant(), "req-" + i)
                        .target("search").outcome("ok").build());
            }
        }
        return file;
    }

    @Test
    void aLogWhoseTailWasCutIsTamperedTruncatedWithHowManyRecordsAreMissing() throws IOException {
        Path file = log(AuditLogOptions.defaults());
        java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
        java.nio.file.Files.writeString(file, String.join("\n", lines.subList(0, 3)) + "\n");

        assertThat(run("verify", file.toString())).isEqualTo(1);

        assertThat(out.toString()).startsWith("TAMPERED " + file + ": TRUNCATED at line 3: 2 record(s) missing from"
                + " the end: the log ends at seq 2, its checkpoint of ").endsWith(" names seq 4"
                + System.lineSeparator());
    }

    @Test
    void intactLogExitsZeroWithAOneLineVerdict() throws IOException {
        Path file = log(AuditLogOptions.defaults());

        assertThat(run("verify", file.toString())).isZero();

        assertThat(out.toString()).startsWith("OK " + file + ": intact: 5 record(s), seq 0..4, head ")
                .endsWith(", closed cleanly, checkpoint at seq 4 matches" + System.lineSeparator());
        assertThat(out.toString().lines()).hasSize(1);
    }

    @Test
    void deletedRecordExitsOneNamingTheLineAndKind() throws IOException {
        Path file = log(AuditLogOptions.defaults());
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.remove(2);
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

        assertThat(run("verify", file.toString())).isEqualTo(1);

        assertThat(out.toString()).isEqualTo("TAMPERED " + file
                + ": DELETED at line 3: 1 record(s) missing before this line (seq 2)" + System.lineSeparator());
    }

    @Test
    void keyedLogVerifiesWithItsKeyFileAndFailsWithAnother() throws IOException {
        AuditKey key = AuditKey.generate();
        Path file = log(AuditLogOptions.defaults().withKey(key));
        Path keyFile = Files.writeString(dir.resolve("audit.key"), key.toBase64() + "\n");
        Path otherKey = Files.writeString(dir.resolve("other.key"), AuditKey.generate().toBase64());

        assertThat(run("verify", file.toString(), "--key-file", keyFile.toString())).isZero();
        assertThat(run("verify", file.toString(), "--key-file", otherKey.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("TAMPERED " + file + ": BAD_KEY at line 1: the log was written with key id "
                + key.id());
        assertThat(run("verify", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("KEY_REQUIRED at line 1");
    }

    private Path replicaLog(Path in, String replica) throws IOException {
        Path file = in.resolve("audit-" + replica + ".jsonl");
        InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
        try (AuditLog log = AuditLog.open(AuditSink.file(file), AuditLogOptions.defaults().withReplica(replica),
                clock)) {
            log.record(AuditEvent.builder(AuditEventType.TOOL_CALL, clock.instant(), "req-" + replica)
                    .target("search").outcome("ok").build());
        }
        return file;
    }

    private Path threeReplicas() throws IOException {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        for (String r : List.of("r1", "r2", "r3")) {
            replicaLog(logs, r);
        }
        return logs;
    }

    @Test
    void aDirectoryOfThreeIntactChainsExitsZeroWithOneLinePerReplica() throws IOException {
        Path logs = threeReplicas();

        assertThat(run("verify", logs.toString())).isZero();

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 3; i++) {
            String r = "r" + (i + 1);
            assertThat(lines.get(i)).startsWith("OK audit-" + r + ".jsonl [replica " + r + "]: intact: 3 record(s),"
                    + " seq 0..2, head ").endsWith(", closed cleanly, checkpoint at seq 2 matches");
        }
        assertThat(lines.get(3)).isEqualTo("3 chain(s) in " + logs + ": 3 intact");
    }

    @Test
    void aTamperedChainInTheDirectoryExitsOneNamingItsFileAndLine() throws IOException {
        Path logs = threeReplicas();
        Path r2 = logs.resolve("audit-r2.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(r2));
        lines.set(1, lines.get(1).replace("search", "delete"));
        Files.writeString(r2, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

        assertThat(run("verify", logs.toString())).isEqualTo(1);

        assertThat(out.toString().lines()).filteredOn(l -> !l.startsWith("OK ")).containsExactly(
                "TAMPERED audit-r2.jsonl [replica r2]: EDITED at line 2: the record (seq 1) does not match its hash",
                "3 chain(s) in " + logs + ": 2 intact");
    }

    @Test
    void twoFilesClaimingOneReplicaExitOne() throws IOException {
        Path logs = threeReplicas();
        Files.copy(logs.resolve("audit-r3.jsonl"), logs.resolve("audit-r3-copy.jsonl"));
        Files.copy(logs.resolve("audit-r3.jsonl.checkpoint"), logs.resolve("audit-r3-copy.jsonl.checkpoint"));

        assertThat(run("verify", logs.toString())).isEqualTo(1);

        assertThat(out.toString().lines()).filteredOn(l -> !l.startsWith("OK ")).containsExactly(
                "TAMPERED replica r3 is claimed by 2 files: audit-r3-copy.jsonl, audit-r3.jsonl; each replica writes"
                        + " one chain",
                "4 chain(s) in " + logs + ": 4 intact, 1 replica id(s) claimed twice");
    }

    @Test
    void aDirectoryWithoutChainsIsAUsageError() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));

        assertThat(run("verify", empty.toString())).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("ERROR: no audit logs (*.jsonl) in " + empty + System.lineSeparator());
    }

    @Test
    void missingFileAndMissingArgumentsAreUsageErrors() {
        assertThat(run("verify", dir.resolve("nope.jsonl").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("ERROR: audit log " + dir.resolve("nope.jsonl") + " does not exist");

        assertThat(run("verify")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
    }
}
