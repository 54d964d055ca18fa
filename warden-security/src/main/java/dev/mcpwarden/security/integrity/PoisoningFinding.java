package dev.mcpwarden.security.integrity;

import java.util.Objects;

/**
 * One finding of the {@link PoisoningScanner}: what, how serious, where (a JSON Pointer into the definition, such as
 * {@code /inputSchema/properties/url/description}; for a member name, the pointer to that member), an excerpt of the
 * text (sanitised: invisible, bidirectional, tag and control characters written as {@code \\uXXXX} or
 * {@code \\u{XXXXX}} escapes, truncated), and a sentence saying why.
 */
public record PoisoningFinding(PoisoningKind kind, Severity severity, String location, String excerpt,
                               String message) {

    public PoisoningFinding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(excerpt, "excerpt");
        Objects.requireNonNull(message, "message");
    }
}
