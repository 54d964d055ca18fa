package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigCommandTest {

    /** The sample's committed configuration (tests run in the module's directory). */
    static final Path SAMPLE = Path.of("..", "examples", "sample-server", "src", "main", "resources", "dev", "mcpwarden",
            "examples", "sample", "warden.yaml");

    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void theSamplesConfigurationIsValid() {
        assertThat(run("config", "check", SAMPLE.toString())).isZero();

        assertThat(out.toString()).isEqualTo(SAMPLE + ": valid" + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void anUnknownKeyAWrongTypeAndAMissingKeyAreThreeLinesAndExitOne() throws IOException {
        Path file = Files.writeString(dir.resolve("warden.yaml"), """
                server:
                  name: acme
                  version: 1.0.0
                http:
                  port: eighty
                security:
                  authentication:
                    issuers:
                      - issuer: https://login.example.com
                  rate-limts: {}
                """);

        assertThat(run("config", "check", file.toString())).isEqualTo(1);

        assertThat(out.toString().lines()).containsExactly(
                file + ":5:9: 'http.port' must be an integer (0-65535), was \"eighty\"",
                file + ":8:5: missing required key 'resource' under 'security.authentication'",
                file + ":10:3: unknown key 'rate-limts' under 'security'; expected one of: authentication, scopes,"
                        + " policy, rate-limits, input-guards, output-guards, integrity, audit");
    }

    @Test
    void warningsGoToStandardErrorAndTheFileIsStillValid() throws IOException {
        Path file = Files.writeString(dir.resolve("warden.yaml"), """
                server: {name: acme, version: 1.0.0}
                security:
                  authentication:
                    resource: https://mcp.example.com/mcp
                    issuers: [{issuer: https://login.example.com}]
                  rate-limits: {when-unavailable: fail-open}
                """);

        assertThat(run("config", "check", file.toString())).isZero();

        assertThat(out.toString()).isEqualTo(file + ": valid" + System.lineSeparator());
        assertThat(err.toString()).isEqualTo(file + ":6:35: warning: 'security.rate-limits.when-unavailable':"
                + " fail-open lets requests through uncounted while the limiter is down" + System.lineSeparator());
    }

    @Test
    void aMissingFileIsAUsageErrorExitingTwo() {
        Path missing = dir.resolve("none.yaml");

        assertThat(run("config", "check", missing.toString())).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("ERROR: " + missing + ":1:1: no such file" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void noFileIsAUsageErrorExitingTwo() {
        assertThat(run("config", "check")).isEqualTo(2);

        assertThat(err.toString()).startsWith("Missing required parameter: 'FILE'");
    }

    @Test
    void schemaPrintsTheCommittedSchema() throws IOException {
        assertThat(run("config", "schema")).isZero();

        assertThat(out.toString()).isEqualTo(Files.readString(Path.of("..", "docs", "warden.schema.json")));
    }
}
