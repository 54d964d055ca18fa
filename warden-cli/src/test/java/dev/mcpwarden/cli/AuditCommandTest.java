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
    void intactLogExitsZeroWithAOneLineVerdict() throws IOException {
        Path file = log(AuditLogOptions.defaults());

        assertThat(run("verify", file.toString())).isZero();

        assertThat(out.toString()).startsWith("OK " + file + ": intact: 5 record(s), seq 0..4, head ")
                .endsWith(", closed cleanly" + System.lineSeparator());
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

    @Test
    void missingFileAndMissingArgumentsAreUsageErrors() {
        assertThat(run("verify", dir.resolve("nope.jsonl").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("ERROR: audit log " + dir.resolve("nope.jsonl") + " does not exist");

        assertThat(run("verify")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
    }
}
