package dev.mcpwarden.security.guard;

import java.util.List;

/**
 * Finds sensitive spans in a text. Implementations are immutable and thread-safe. They see text that the
 * {@link Redactor} has already freed of invisible characters and NFKC-normalised, so they match plain ASCII forms.
 */
@FunctionalInterface
public interface SensitiveDataDetector {

    /** The sensitive spans in {@code text}, in any order; they may overlap. */
    List<TextMatch> scan(String text);
}
