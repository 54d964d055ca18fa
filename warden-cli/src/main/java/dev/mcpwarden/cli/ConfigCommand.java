package dev.mcpwarden.cli;

import dev.mcpwarden.config.ConfigException;
import dev.mcpwarden.config.ConfigProblem;
import dev.mcpwarden.config.WardenConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code warden config}: work with the YAML configuration file. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Work with Warden's YAML configuration file.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Schema.class})
public final class ConfigCommand implements Runnable {

    /** The file is valid. */
    public static final int VALID = 0;
    /** The file has problems (each printed as file:line:column: message). */
    public static final int INVALID = 1;
    /** Bad usage, or the file cannot be read. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'config check FILE'");
    }

    /** {@code warden config check FILE}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Check a configuration file: every unknown key, wrong type, missing required key, invalid"
                    + " value and unresolvable secret reference, each as file:line:column: message.",
                    "Secret references are resolved (so the files and variables must be there) but never printed.",
                    "Exit status: 0 valid, 1 invalid, 2 usage error or unreadable file."})
    static final class Check implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The configuration file (warden.yaml).")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            WardenConfig.Result result;
            try {
                result = WardenConfig.check(file);
            } catch (ConfigException e) {
                // unreadable: missing, not UTF-8, too large
                err.println("ERROR: " + e.getMessage());
                return USAGE;
            }
            result.warnings().forEach(err::println);
            if (result.problems().isEmpty()) {
                out.println(file + ": valid");
                return VALID;
            }
            for (ConfigProblem p : result.problems()) {
                out.println(p);
            }
            return INVALID;
        }
    }

    /** {@code warden config schema}: prints the JSON Schema editors validate the file with. */
    @Command(name = "schema", mixinStandardHelpOptions = true,
            description = "Print the JSON Schema (2020-12) of the configuration file (as docs/warden.schema.json).")
    static final class Schema implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(WardenConfig.jsonSchema());
            spec.commandLine().getOut().flush();
            return VALID;
        }
    }
}
