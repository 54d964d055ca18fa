package dev.mcpwarden.cli;

import dev.mcpwarden.security.guard.HeuristicInjectionDetector;
import dev.mcpwarden.security.guard.eval.InjectionEvaluation;
import dev.mcpwarden.security.guard.eval.InjectionScore;
import dev.mcpwarden.security.guard.eval.RedactionEvaluation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warden guard}: the content guards. */
@Command(name = "guard", mixinStandardHelpOptions = true,
        description = "Work with the content guards (prompt-injection detection, redaction).",
        subcommands = {GuardCommand.Eval.class})
public final class GuardCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'guard eval'");
    }

    /** {@code warden guard eval}: the detectors' figures on the evaluation sets. */
    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run the built-in injection detector on the evaluation sets (the bundled dev and held-out"
                    + " sets, or a file) and the redaction detectors on their per-rule set, and print recall"
                    + " (detected, and with spotlighting of untrusted sources counted), false-positive rate and"
                    + " the redaction rules' results.",
                    "Exit status: 0 when every set meets the thresholds (recall with spotlighting >= 95%,"
                            + " false positives <= 1%, every redaction rule right), 1 otherwise."})
    static final class Eval implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--set", paramLabel = "SET",
                description = "A bundled injection set: dev, held-out (default: both).")
        List<String> sets = new ArrayList<>();

        @Option(names = "--file", paramLabel = "FILE",
                description = "An injection set of your own, in the bundled sets' JSON-lines format.")
        List<Path> files = new ArrayList<>();

        @Option(names = "--no-tools",
                description = "Do not tell the detector the set's tool names (as when they are not known).")
        boolean noTools;

        @Option(names = "--show", description = "List the ids of missed attacks and flagged benign texts.")
        boolean show;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<InjectionEvaluation> evaluations = new ArrayList<>();
            try {
                for (String s : sets.isEmpty() && files.isEmpty() ? InjectionEvaluation.BUNDLED : sets) {
                    evaluations.add(InjectionEvaluation.bundled(s));
                }
                for (Path f : files) {
                    evaluations.add(InjectionEvaluation.read(f));
                }
            } catch (IllegalArgumentException | IOException e) {
                err.println("ERROR: " + e.getMessage());
                return 2;
            }
            boolean ok = true;
            for (InjectionEvaluation e : evaluations) {
                InjectionScore score = noTools
                        ? e.score(text -> HeuristicInjectionDetector.standard().detect(text))
                        : e.score(HeuristicInjectionDetector.standard());
                out.println(score.summary());
                if (show) {
                    out.println("  missed or only spotlighted: " + score.missed());
                    out.println("  flagged: " + score.flagged());
                }
                ok &= score.recallWithSpotlighting() >= 0.95 && score.falsePositiveRate() <= 0.01;
            }
            RedactionEvaluation.Score redaction = RedactionEvaluation.bundled().score();
            out.println(redaction.summary());
            redaction.failed().forEach(f -> out.println("  " + f));
            ok &= redaction.failed().isEmpty();
            return ok ? 0 : 1;
        }
    }
}
