package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScanSecretsCommandTest {

    // Built at run time, so that this file holds no secret the repository's own scan would find.
    private static final String AWS_KEY = "AKIA" + "Q3EGRT7LZ2" + "XWPM5K";
    private static final String GITHUB_TOKEN = "ghp_" + "8f3KdL2mQ9xW7vB4" + "nR1tY6uZ0aS5cE2hJ3kP";

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    private static Run scan(String... args) {
        CommandLine cli = new CommandLine(new ScanSecretsCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    private Path repository() throws Exception {
        Path repo = Files.createDirectory(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.createDirectories(repo.resolve("src/main"));
        Files.writeString(repo.resolve("src/main/App.java"), "class App {\n    String token = form.get(\"token\");\n"
                + "    String password = this.password;\n}\n");
        Files.writeString(repo.resolve("README.md"), "Set `password: file:/run/secrets/db` in warden.yaml.\n");
        return repo;
    }

    @Test
    void aSecretPlantedInATrackedFileIsFoundWithItsFileLineKindAndFingerprintButNotItsText() throws Exception {
        Path repo = repository();
        Files.writeString(repo.resolve("deploy.env"), "REGION=eu-west-1\naws_access_key_id = " + AWS_KEY + "\n");
        git(repo, "add", "-A");

        Run run = scan(repo.toString());

        String fp = ScanSecretsCommand.fingerprint(AWS_KEY);
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(repo.resolve("deploy.env") + ":2: AWS_KEY " + fp
                + " (to allow it: deploy.env AWS_KEY " + fp + ")\n"
                + "scan-secrets: 3 files scanned, 0 skipped (binary or over 1048576 bytes), 1 finding\n");
        assertThat(run.out() + run.err()).doesNotContain(AWS_KEY);
        assertThat(fp).matches("sha256:[0-9a-f]{16}");
    }

    @Test
    void sourceThatOnlyNamesCredentialsIsClean() throws Exception {
        Path repo = repository();
        git(repo, "add", "-A");

        Run run = scan(repo.toString());

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("scan-secrets: 2 files scanned, 0 skipped (binary or over 1048576 bytes), "
                + "0 findings\n");
    }

    @Test
    void aPasswordWrittenAsAStringLiteralIsASecret() throws Exception {
        Path repo = repository();
        Files.writeString(repo.resolve("src/main/Db.java"), "class Db { String password = \"Xk9mQ2vL7pR4\"; }\n");
        git(repo, "add", "-A");

        Run run = scan(repo.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("Db.java:1: PASSWORD sha256:");
    }

    @Test
    void inAGitWorkTreeOnlyTrackedFilesAreRead() throws Exception {
        Path repo = repository();
        git(repo, "add", "-A");
        Files.writeString(repo.resolve("scratch.txt"), GITHUB_TOKEN + "\n"); // untracked

        Run run = scan(repo.toString());

        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("2 files scanned");
    }

    @Test
    void outsideAGitWorkTreeEveryFileIsReadAndBinaryAndOversizedFilesAreSkipped() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("plain"));
        Files.writeString(dir.resolve("notes.txt"), "token from CI: " + GITHUB_TOKEN + "\n");
        Files.write(dir.resolve("image.bin"), ("\0\1\2" + AWS_KEY).getBytes());
        Files.writeString(dir.resolve("big.log"), "x".repeat(2000) + AWS_KEY + "\n");

        Run run = scan("--max-file-size", "1000", dir.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains(dir.resolve("notes.txt") + ":1: API_KEY ")
                .endsWith("scan-secrets: 1 files scanned, 2 skipped (binary or over 1000 bytes), 1 finding\n");
    }

    @Test
    void anAllowListEntryWithAFingerprintAllowsThatFindingAndNoOther() throws Exception {
        Path repo = repository();
        Files.createDirectories(repo.resolve("src/test"));
        Files.writeString(repo.resolve("src/test/Fixture.java"), "String a = \"aws_access_key_id=" + AWS_KEY
                + "\";\nString b = \"" + GITHUB_TOKEN + "\";\n");
        Files.writeString(repo.resolve(ScanSecretsCommand.ALLOW_FILE), "# fixtures\n"
                + "src/test/** AWS_KEY " + ScanSecretsCommand.fingerprint(AWS_KEY) + "\n"
                + "src/main/*.java TOKEN\n");
        git(repo, "add", "-A");

        Run run = scan(repo.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("Fixture.java:2: API_KEY ").doesNotContain("AWS_KEY sha256");
        assertThat(run.err()).isEqualTo("warning: allow list entry at line 3 (src/main/*.java TOKEN) allowed "
                + "nothing; remove it\n");
    }

    @Test
    void anAllowListEntryNamingAKindAllowsOnlyThatKind() throws Exception {
        Path repo = repository();
        Files.writeString(repo.resolve("fixture.txt"), "aws_access_key_id=" + AWS_KEY + "\n" + GITHUB_TOKEN + "\n");
        Files.writeString(repo.resolve(ScanSecretsCommand.ALLOW_FILE), "fixture.txt AWS_KEY\n");
        git(repo, "add", "-A");

        Run run = scan(repo.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("fixture.txt:2: API_KEY ").doesNotContain("fixture.txt:1:");
    }

    @Test
    void aBlanketAllowListIsRefused() throws Exception {
        Path repo = repository();
        Path allow = repo.resolve(ScanSecretsCommand.ALLOW_FILE);
        for (String entry : List.of("** API_KEY", "* TOKEN", "**/* PASSWORD", "src/** *", "src/**", "src/** EMAIL",
                "src/** TOKEN sha256:xyz")) {
            Files.writeString(allow, entry + "\n");

            Run run = scan(repo.toString());

            assertThat(run.code()).as(entry).isEqualTo(2);
            assertThat(run.err()).as(entry).startsWith("ERROR: " + allow + ":1: ");
        }
        assertThat(scan(repo.toString()).err()).isEqualTo("ERROR: " + allow + ":1: a fingerprint is sha256: and 16 hex "
                + "digits, as scan-secrets prints it, was sha256:xyz\n");
        Files.writeString(allow, "** API_KEY\n");
        assertThat(scan(repo.toString()).err()).isEqualTo("ERROR: " + allow + ":1: the glob ** matches every file; "
                + "name the fixtures' directory or files\n");
    }

    @Test
    void thisRepositoryIsClean() {
        Run run = scan(Path.of("..").toAbsolutePath().normalize().toString());

        assertThat(run.out()).endsWith(", 0 findings\n");
        assertThat(run.err()).isEmpty();
        assertThat(run.code()).isZero();
    }
}
