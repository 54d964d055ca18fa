package dev.mcpwarden.security.guard.eval;

import dev.mcpwarden.security.guard.FindingKind;
import java.util.Objects;

/**
 * One redaction rule's case: a text it must find, exactly where, and a near miss it must leave alone.
 *
 * @param rule     the rule's name ({@code stripe}, {@code ado-net}, {@code iban})
 * @param detector {@code secrets} ({@link dev.mcpwarden.security.guard.SecretDetector}) or {@code pii}
 *                 ({@link dev.mcpwarden.security.guard.PiiDetector})
 * @param kind     what the rule finds
 * @param positive a text with one such finding
 * @param match    the part of {@code positive} that must be found, exactly
 * @param negative a text that looks like one but is not: the detector finds nothing of {@code kind} in it
 */
public record RedactionCase(String rule, String detector, FindingKind kind, String positive, String match,
                            String negative) {
    public RedactionCase {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(positive, "positive");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(negative, "negative");
        if (!positive.contains(match)) {
            throw new IllegalArgumentException(rule + ": the match is not part of the positive text");
        }
    }
}
