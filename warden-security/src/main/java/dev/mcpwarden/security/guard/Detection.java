package dev.mcpwarden.security.guard;

import java.util.List;

/**
 * The answer of a {@link PromptInjectionDetector}.
 *
 * @param attack  whether the text should be treated as carrying an injection (quarantine or refuse it)
 * @param score   confidence from 0 (clean) to 1
 * @param signals names of the rules or services that fired (for the audit log; never the text itself)
 */
public record Detection(boolean attack, double score, List<String> signals) {
    public Detection {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be between 0 and 1, was " + score);
        }
        signals = List.copyOf(signals);
    }

    private static final Detection CLEAN = new Detection(false, 0, List.of());

    /** No signal at all. */
    public static Detection clean() {
        return CLEAN;
    }
}
