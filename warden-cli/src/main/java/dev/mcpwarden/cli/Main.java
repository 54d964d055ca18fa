package dev.mcpwarden.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code warden} command. */
@Command(name = "warden", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Secure, scalable Model Context Protocol servers on the JVM.")
public final class Main implements Runnable {

    /**
     * The subcommands by name, in the order help lists them. The names repeat each class's {@code @Command} name (a
     * test checks they agree) so that picking one reads no annotation of the others.
     */
    static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("demo", DemoCommand.class);
        m.put("everything-server", EverythingServerCommand.class);
        m.put("sample-server", SampleServerCommand.class);
        m.put("gateway", GatewayCommand.class);
        m.put("bench-server", BenchServerCommand.class);
        m.put("audit", AuditCommand.class);
        m.put("config", ConfigCommand.class);
        m.put("pins", PinsCommand.class);
        m.put("scan", ScanCommand.class);
        m.put("scan-secrets", ScanSecretsCommand.class);
        m.put("guard", GuardCommand.class);
        m.put("token", TokenCommand.class);
        m.put("conformance-client", ConformanceClientCommand.class);
        m.put("train", TrainCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return Collections.unmodifiableMap(m);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine(args).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The command line for {@code args}. Picocli builds a command's model by reflection (annotations, option types,
     * converters): when the first argument names a command, only that command is built, which takes a tenth of a
     * second off every server's start; anything else (no command, {@code help}, an unknown word) gets them all.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine root = new CommandLine(new Main());
        // help describes the others, so it gets them all
        Class<?> only = args.length == 0 || args[0].equals("help") ? null : COMMANDS.get(args[0]);
        for (Class<?> c : COMMANDS.values()) {
            if (only == null || c == only) {
                root.addSubcommand(c);
            }
        }
        // A taken port is the user's to fix, not a defect: one line, not a stack trace.
        root.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof dev.mcpwarden.server.http.PortInUseException) {
                cmd.getErr().println("warden " + cmd.getCommandName() + ": " + e.getMessage());
                cmd.getErr().flush();
                return 1;
            }
            throw e;
        });
        return root;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** The SBOM the build bundles into the jar (docs/supply-chain.md). */
    static final String SBOM = "META-INF/warden/warden-cli.cdx.json";

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"warden " + (v == null ? "development build" : v), "SBOM " + sbomSerial()};
        }
    }

    /**
     * The serial number of the bundled CycloneDX SBOM ({@code urn:uuid:...}), which names the exact set of
     * dependencies this build runs with; "none bundled" when the classes did not come from a Maven build.
     */
    static String sbomSerial() {
        try (java.io.InputStream in = Main.class.getClassLoader().getResourceAsStream(SBOM)) {
            if (in == null) {
                return "none bundled";
            }
            tools.jackson.databind.JsonNode serial = new tools.jackson.databind.ObjectMapper().readTree(in)
                    .path("serialNumber");
            return serial.isString() ? serial.asString() : "without a serial number";
        } catch (java.io.IOException | tools.jackson.core.JacksonException e) {
            return "unreadable (" + e.getClass().getSimpleName() + ")";
        }
    }
}
