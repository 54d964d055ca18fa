package dev.mcpwarden.security.audit;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the audit log goes and how it is written.
 *
 * @param file    the hash-chained JSON-lines file, or empty for no audit log
 * @param options queueing, fsync, record size and key
 */
public record AuditConfig(Optional<Path> file, AuditLogOptions options) {

    public AuditConfig {
        Objects.requireNonNull(file, "file (use Optional.empty() for no audit log)");
        Objects.requireNonNull(options, "options");
    }

    /** No audit log. */
    public static AuditConfig none() {
        return new AuditConfig(Optional.empty(), AuditLogOptions.defaults());
    }
}
