package dev.mcpwarden.security.guard;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The result of {@link Redactor#redact(JsonNode)}: a redacted copy (the input is not modified) and what was redacted.
 *
 * @param result   the copy with each finding replaced by {@code [REDACTED-<KIND>]}
 * @param findings one entry per redacted span, in document order
 */
public record Redaction(JsonNode result, List<Finding> findings) {
    public Redaction {
        findings = List.copyOf(findings);
    }

    /** Whether anything was redacted. */
    public boolean redacted() {
        return !findings.isEmpty();
    }
}
