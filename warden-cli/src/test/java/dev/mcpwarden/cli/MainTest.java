package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    private static final String[] ALL = {"demo", "everything-server", "sample-server", "gateway", "bench-server", "audit",
            "config", "pins", "scan", "scan-secrets", "guard", "token", "conformance-client", "train", "help"};

    @Test
    void theNamesKeptForDispatchAreTheCommandsOwnNames() {
        Main.COMMANDS.forEach((name, type) ->
                assertThat(type.getAnnotation(CommandLine.Command.class).name()).as(type.getName()).isEqualTo(name));
    }

    @Test
    void aCommandNamedFirstIsTheOnlyOneBuilt() {
        assertThat(Main.commandLine(new String[] {"bench-server", "--port", "0"}).getSubcommands().keySet())
                .containsExactly("bench-server");
        assertThat(Main.commandLine(new String[] {"audit", "verify", "x.jsonl"}).getSubcommands().keySet())
                .containsExactly("audit");
    }

    @Test
    void noCommandHelpOrAnUnknownWordGetsEveryCommand() {
        assertThat(Main.commandLine(new String[0]).getSubcommands().keySet()).containsExactly(ALL);
        assertThat(Main.commandLine(new String[] {"help", "scan"}).getSubcommands().keySet()).containsExactly(ALL);
        assertThat(Main.commandLine(new String[] {"help"}).execute("help", "scan")).isZero();
        assertThat(Main.commandLine(new String[] {"--help"}).getSubcommands().keySet()).containsExactly(ALL);
        assertThat(Main.commandLine(new String[] {"bench"}).getSubcommands().keySet()).containsExactly(ALL);
    }

    @Test
    void anUnknownCommandIsRefusedWithSuggestionsFromEveryCommand() {
        CommandLine cli = Main.commandLine(new String[] {"bench"});
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        assertThat(cli.execute("bench")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("Unmatched argument at index 0: 'bench'\n"
                + "Did you mean: warden bench-server or warden token or warden conformance-client?\n");
    }

    @Test
    void helpForOneCommandStillWorksWhenOnlyThatCommandIsBuilt() {
        CommandLine cli = Main.commandLine(new String[] {"bench-server", "--help"});
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));

        assertThat(cli.execute("bench-server", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: warden bench-server").contains("--pipeline");
    }

    @Test
    void aServerWhosePortIsTakenSaysSoInOneLineWithoutAStackTrace() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String[] args = {"everything-server", "--port", String.valueOf(port)};
            CommandLine cli = Main.commandLine(args);
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));

            assertThat(cli.execute(args)).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("warden everything-server: port " + port + " on 127.0.0.1 is already"
                    + " in use: stop the process listening there, or choose another port\n");
        }
    }
}
