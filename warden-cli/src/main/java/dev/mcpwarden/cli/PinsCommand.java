package dev.mcpwarden.cli;

import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinFileException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code warden pins}: what a running gateway withholds under its pin file, and approving it. */
@Command(name = "pins", mixinStandardHelpOptions = true, subcommands = PinsCommand.Approve.class,
        description = "Pinned definitions: approve what a gateway withholds.")
final class PinsCommand implements Runnable {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /**
     * {@code warden pins approve}: shows each withheld definition (old and new digest, and the definition now
     * listed) and pins the new digest, or removes the pin of a definition no longer listed. The pin file is replaced
     * atomically; a running gateway reloads it within two seconds and serves the definition again.
     */
    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = {"Approve definitions a gateway withholds under FILE (listed in FILE.pending.json by the "
                    + "gateway): pin their new digest, or drop the pin of one no longer listed.",
                    "Example: warden pins approve --pins pins.json weather   (or --all)",
                    "Exit status: 0 approved; 1 nothing pending matched; 2 usage error or unreadable file."})
    static final class Approve implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--pins", required = true, paramLabel = "FILE", description = "The gateway's pin file.")
        Path pins;

        @Option(names = "--all", description = "Approve everything pending.")
        boolean all;

        @Parameters(arity = "0..*", paramLabel = "NAME", description = "A definition's name, or KIND/NAME "
                + "(tools/weather).")
        List<String> names = List.of();

        @Override
        public Integer call() {
            return approve(spec.commandLine().getOut(), spec.commandLine().getErr());
        }

        int approve(PrintWriter out, PrintWriter err) {
            if (all == !names.isEmpty()) {
                err.println("warden pins approve: name the definitions to approve, or give --all");
                return 2;
            }
            PinFile pinned;
            PendingApprovals pending;
            Path pendingFile = PendingApprovals.of(pins);
            try {
                pinned = PinFile.read(pins);
                pending = PendingApprovals.read(pendingFile);
            } catch (PinFileException e) {
                err.println("warden pins approve: " + e.getMessage());
                return 2;
            } catch (IOException | RuntimeException e) {
                err.println("warden pins approve: cannot read " + pins + " or " + pendingFile + ": "
                        + e.getMessage());
                return 2;
            }
            List<PendingApprovals.Entry> chosen = all ? pending.entries()
                    : PendingApprovals.matching(pending.entries(), names);
            List<String> unmatched = new ArrayList<>(names);
            chosen.forEach(e -> {
                unmatched.remove(e.name());
                unmatched.remove(e.key());
            });
            if (!unmatched.isEmpty()) {
                err.println("warden pins approve: nothing pending is named " + String.join(", ", unmatched));
                return 1;
            }
            if (chosen.isEmpty()) {
                out.println("nothing pending in " + pendingFile);
                return all ? 0 : 1;
            }
            PinFile next = pinned;
            PinnedDefinitions archive = PinnedDefinitions.read(pins);
            for (PendingApprovals.Entry e : chosen) {
                String now = next.digest(e.kind(), e.name()).orElse(null);
                if (e.live() == null) {
                    out.println(e.key() + ": pin removed (no longer listed), was " + now);
                    next = next.without(e.kind(), e.name());
                    archive.remove(e.kind(), e.name());
                } else {
                    out.println(e.key() + ": " + (now == null ? "new" : now) + " -> " + e.live());
                    if (e.definition() != null) {
                        // what it was, where the archive has it, then what it is now: the change being approved
                        archive.get(e.kind(), e.name()).filter(old -> !old.equals(e.definition())).ifPresent(old ->
                                out.println("  was:         " + old.path("description").asString("")));
                        String description = e.definition().path("description").asString("");
                        out.println("  description: " + description);
                        archive.put(e.kind(), e.name(), e.definition());
                    }
                    next = next.with(e.kind(), e.name(), e.live());
                }
                pending.remove(e);
            }
            try {
                next.write(pins);
                pending.write();
                archive.write();
            } catch (IOException e) {
                err.println("warden pins approve: cannot write " + pins + ": " + e.getMessage());
                return 2;
            }
            out.println("approved " + chosen.size() + " in " + pins);
            return 0;
        }
    }
}
