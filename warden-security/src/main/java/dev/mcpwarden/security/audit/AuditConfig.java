package dev.mcpwarden.security.audit;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the audit log goes and how it is written.
 *
 * @param file    the hash-chained JSON-lines file, or empty for no audit log; with a replica id in the options,
 *                the base name of the replica's file ({@link #chainFile()})
 * @param options queueing, fsync, record size, key and replica id
 */
public record AuditConfig(Optional<Path> file, AuditLogOptions options) {

    public AuditConfig {
        Objects.requireNonNull(file, "file (use Optional.empty() for no audit log)");
        Objects.requireNonNull(options, "options");
    }

    /**
     * The file this process writes: {@link #file()} itself, or with a replica id the same name with {@code -ID}
     * before its extension, in the same directory ({@code audit.jsonl} of replica {@code r2} is
     * {@code audit-r2.jsonl}). So replicas configured alike write one chain each, side by side, and
     * {@code warden audit verify DIR} checks them together.
     */
    public Optional<Path> chainFile() {
        return file.map(f -> options.replica().map(r -> replicaFile(f, r)).orElse(f));
    }

    static Path replicaFile(Path file, String replica) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        // a leading dot starts a hidden name, not an extension
        String named = dot > 0 ? name.substring(0, dot) + "-" + replica + name.substring(dot) : name + "-" + replica;
        return file.resolveSibling(named);
    }

    /** No audit log. */
    public static AuditConfig none() {
        return new AuditConfig(Optional.empty(), AuditLogOptions.defaults());
    }
}
