package dev.mcpwarden.security.guard;

import java.util.Objects;

/**
 * One redacted span: what it was and where. It never holds the redacted value.
 *
 * @param kind what was found
 * @param path JSON Pointer (RFC 6901) of the string that held it in the redacted result ({@code ""} for a bare text)
 */
public record Finding(FindingKind kind, String path) {
    public Finding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
    }
}
