package dev.mcpwarden.cli;

import dev.mcpwarden.security.audit.AuditKey;
import dev.mcpwarden.security.audit.AuditVerifier;
import dev.mcpwarden.security.audit.DirectoryVerification;
import dev.mcpwarden.security.audit.VerificationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code warden audit}: work with the hash-chained audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Work with Warden's hash-chained audit log.",
        subcommands = {AuditCommand.Verify.class})
public final class AuditCommand implements Runnable {

    /** The log's hash chain verified. */
    public static final int INTACT = 0;
    /** The log was edited, records were deleted or reordered, its last line is torn, or the key is wrong. */
    public static final int TAMPERED = 1;
    /** Bad usage, an unreadable file or key, or a keyed log verified without its key. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'audit verify FILE'");
    }

    /** {@code warden audit verify FILE|DIR [--key-file K]}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verify an audit log's hash chain and print a one-line verdict.",
                    "Given a directory, verify every *.jsonl chain in it (one per replica) and print one line per"
                            + " file; two files claiming the same replica id count as tampered.",
                    "A log's tail is compared with its signed checkpoint (FILE.checkpoint, or --checkpoint):"
                            + " records cut from the end are reported as TRUNCATED.",
                    "Exit status: 0 intact, 1 tampered (edited, deleted, reordered, torn, truncated, wrong key),"
                            + " 2 usage or I/O error."})
    static final class Verify implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE|DIR",
                description = "The audit log (JSON lines), or a directory of replicas' logs (*.jsonl).")
        Path file;

        @Option(names = "--checkpoint", paramLabel = "C",
                description = "A copy of the log's checkpoint kept elsewhere, to compare its tail with (default: "
                        + "FILE.checkpoint beside the log, when there is one).")
        Path checkpoint;

        @Option(names = "--key-file", paramLabel = "K",
                description = "The key of a keyed log: base64 of at least 32 bytes (openssl rand -base64 32).")
        Path keyFile;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<AuditKey> key;
            try {
                key = keyFile == null ? Optional.empty() : Optional.of(AuditKey.fromFile(keyFile));
            } catch (NoSuchFileException e) {
                err.println("ERROR: key file " + keyFile + " does not exist");
                return USAGE;
            } catch (IOException | IllegalArgumentException e) {
                err.println("ERROR: cannot read key file " + keyFile + ": " + e.getMessage());
                return USAGE;
            }
            if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
                err.println("ERROR: checkpoint " + checkpoint + " does not exist");
                return USAGE;
            }
            if (Files.isDirectory(file)) {
                return verifyDirectory(AuditVerifier.of(key), out, err);
            }
            VerificationResult result;
            try {
                result = checkpoint == null ? AuditVerifier.of(key).verify(file)
                        : AuditVerifier.of(key).verify(file, checkpoint);
            } catch (NoSuchFileException e) {
                err.println("ERROR: audit log " + file + " does not exist");
                return USAGE;
            } catch (IOException e) {
                err.println("ERROR: cannot read audit log " + file + ": " + e.getMessage());
                return USAGE;
            }
            return switch (result) {
                case VerificationResult.Intact intact -> {
                    out.println("OK " + file + ": " + intact.verdict());
                    yield INTACT;
                }
                case VerificationResult.Problem p when p.kind() == VerificationResult.Kind.KEY_REQUIRED -> {
                    err.println("ERROR " + file + ": " + p.verdict() + " with --key-file");
                    yield USAGE;
                }
                case VerificationResult.Problem p -> {
                    out.println("TAMPERED " + file + ": " + p.verdict());
                    yield TAMPERED;
                }
            };
        }

        /**
         * One line per chain, {@code OK|TAMPERED|ERROR FILE [replica ID]: verdict}, then one per replica id claimed
         * twice, then a summary. Tampering outranks a missing key in the exit status: it is the finding that matters.
         */
        private int verifyDirectory(AuditVerifier verifier, PrintWriter out, PrintWriter err) {
            DirectoryVerification found;
            try {
                found = verifier.verifyDirectory(file);
            } catch (IOException e) {
                err.println("ERROR: cannot read audit directory " + file + ": " + e.getMessage());
                return USAGE;
            }
            if (found.chains().isEmpty()) {
                err.println("ERROR: no audit logs (*.jsonl) in " + file);
                return USAGE;
            }
            boolean tampered = !found.conflicts().isEmpty();
            boolean keyRequired = false;
            int intact = 0;
            for (DirectoryVerification.Chain c : found.chains()) {
                String name = c.file().getFileName() + c.replica().map(r -> " [replica " + r + "]").orElse("");
                switch (c.result()) {
                    case VerificationResult.Intact i -> {
                        out.println("OK " + name + ": " + i.verdict());
                        intact++;
                    }
                    case VerificationResult.Problem p when p.kind() == VerificationResult.Kind.KEY_REQUIRED -> {
                        out.println("ERROR " + name + ": " + p.verdict() + " with --key-file");
                        keyRequired = true;
                    }
                    case VerificationResult.Problem p -> {
                        out.println("TAMPERED " + name + ": " + p.verdict());
                        tampered = true;
                    }
                }
            }
            for (DirectoryVerification.Conflict c : found.conflicts()) {
                out.println("TAMPERED " + c.verdict() + "; each replica writes one chain");
            }
            out.println(found.chains().size() + " chain(s) in " + file + ": " + intact + " intact"
                    + (found.conflicts().isEmpty() ? "" : ", " + found.conflicts().size() + " replica id(s) claimed"
                    + " twice"));
            return tampered ? TAMPERED : keyRequired ? USAGE : INTACT;
        }
    }
}
