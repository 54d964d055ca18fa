package dev.mcpwarden.security.audit;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AuditVerifier#verifyDirectory} found in a directory of chains, one per replica: each chain's verdict,
 * and the replica ids claimed by more than one file.
 *
 * @param directory the directory verified
 * @param chains    every {@code *.jsonl} file in it, in name order
 * @param conflicts replica ids claimed by two or more files
 */
public record DirectoryVerification(Path directory, List<Chain> chains, List<Conflict> conflicts) {

    public DirectoryVerification {
        Objects.requireNonNull(directory, "directory");
        chains = List.copyOf(chains);
        conflicts = List.copyOf(conflicts);
    }

    /**
     * One file's chain.
     *
     * @param file    the file
     * @param replica the replica its genesis record names, or empty (a single process's log, or no genesis to read)
     * @param result  its chain's verdict, as {@link AuditVerifier#verify(Path)} gives it
     */
    public record Chain(Path file, Optional<String> replica, VerificationResult result) {
        public Chain {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * A replica id claimed by more than one file: a copy or a fork of a chain, since each replica writes one.
     *
     * @param replica the id
     * @param files   the files whose genesis records claim it, in name order
     */
    public record Conflict(String replica, List<Path> files) {
        public Conflict {
            Objects.requireNonNull(replica, "replica");
            files = List.copyOf(files);
        }

        /** A one-line verdict for people. */
        public String verdict() {
            return "replica " + replica + " is claimed by " + files.size() + " files: " + String.join(", ",
                    files.stream().map(f -> f.getFileName().toString()).toList());
        }
    }

    /** True when there was at least one chain, every chain verified, and no replica id is claimed twice. */
    public boolean intact() {
        return !chains.isEmpty() && conflicts.isEmpty() && chains.stream().allMatch(c -> c.result().intact());
    }
}
