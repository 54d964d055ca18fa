package dev.mcpwarden.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code warden} command. */
@Command(name = "warden", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Secure, scalable Model Context Protocol servers on the JVM.",
        subcommands = {DemoCommand.class, EverythingServerCommand.class, SampleServerCommand.class,
                BenchServerCommand.class, AuditCommand.class, ScanCommand.class, TokenCommand.class, TrainCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"warden " + (v == null ? "development build" : v)};
        }
    }
}
