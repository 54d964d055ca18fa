package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Ports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

class GatewayCommandTest {

    @TempDir
    Path dir;
    final StringWriter err = new StringWriter();
    HttpTransport upstream;
    GatewayCommand.Started started;

    @AfterEach
    void stop() {
        if (started != null) {
            started.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Parses {@code args} as {@code warden gateway ...} and starts it, as the command does before it waits. */
    GatewayCommand.Started start(String... args) throws Exception {
        GatewayCommand command = new GatewayCommand();
        CommandLine cli = new CommandLine(command);
        cli.setErr(new PrintWriter(err, true));
        cli.parseArgs(args);
        command.spec = cli.getCommandSpec();
        started = command.start(new PrintWriter(err, true));
        return started;
    }

    String everything() {
        upstream = EverythingServer.create().serveHttp(HttpOptions.loopback(Ports.free()));
        return upstream.uri().toString();
    }

    @Test
    void withoutAnIssuerOrAllowAnonymousTheGatewayDoesNotStartAndSaysWhatToGive() throws Exception {
        assertThat(start("--port", "0", "--upstream", "e=" + everything()).exitCode()).isEqualTo(2);

        assertThat(err.toString().strip()).isEqualTo(
                "warden gateway: give --issuer, --jwks-file and --resource, or --allow-anonymous");
    }

    @Test
    void aStdioUpstreamStartsInTheSandboxByDefaultWhichLooksItsProgramUpFirst() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "fs=stdio:no-such-program-4711 /srv")
                .exitCode()).isEqualTo(1);

        assertThat(err.toString().strip()).isEqualTo("warden gateway: upstream fs: no-such-program-4711 is not on "
                + "the PATH");
    }

    @Test
    void anEraFlagForAnUpstreamThatIsNotThereIsRefused() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "e=http://127.0.0.1:1/mcp",
                "--upstream-era", "x=2025").exitCode()).isEqualTo(2);

        assertThat(err.toString().strip()).isEqualTo("warden gateway: --upstream-era names no upstream: x");
    }

    @Test
    void aMissingPinFileIsRefusedUnlessTrustOnFirstUseIsAskedFor() throws Exception {
        Path pins = dir.resolve("pins.json");
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "e=" + everything(), "--pins",
                pins.toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("warden gateway: the pin file " + pins + " does not exist "
                + "(write it with warden scan --write-pins, or add --trust-on-first-use)");
    }

    @Test
    void theGatewayServesItsUpstreamPinsItOnFirstUseAndAuditsTheCallNamingTheTool() throws Exception {
        Path pins = dir.resolve("pins.json");
        Path audit = dir.resolve("audit.jsonl");
        int port = Ports.free();
        GatewayCommand.Started s = start("--port", String.valueOf(port), "--allow-anonymous", "--upstream",
                "everything=" + everything(), "--upstream-era", "everything=2025", "--pins", pins.toString(),
                "--trust-on-first-use", "--audit-file", audit.toString());
        assertThat(s.exitCode()).isZero();
        assertThat(err.toString()).contains("warden gateway: upstream everything (2025-11-25): ")
                .contains("warden gateway listening on http://127.0.0.1:" + port + "/mcp");
        assertThat(PinFile.read(pins).pins(DefinitionKind.TOOL)).containsKey("test_simple_text");

        try (McpClient c = McpClient.http(s.http().uri()).era(McpClient.Era.MODERN).build()) {
            ObjectNode p = Json.object();
            p.put("name", "test_simple_text");
            p.putObject("arguments");
            assertThat(c.request("tools/call", p).path("content").path(0).path("text").asString())
                    .isEqualTo("This is a simple text response for testing.");
        }
        s.audit().flush();
        assertThat(Files.readString(audit)).contains("\"target\":\"test_simple_text\"").contains("\"outcome\":\"ok\"");
    }

    @Test
    void anUpstreamThatIsNotThereExitsOneNamingIt() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "gone=http://127.0.0.1:" + Ports.free()
                + "/mcp").exitCode()).isEqualTo(1);

        assertThat(err.toString()).startsWith("warden gateway: upstream gone did not list its definitions: ");
    }
}
