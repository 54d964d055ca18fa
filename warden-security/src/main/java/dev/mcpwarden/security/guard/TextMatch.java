package dev.mcpwarden.security.guard;

import java.util.Objects;

/**
 * A span of text a detector flagged: characters {@code [start, end)}. It holds offsets, never the text.
 *
 * @param kind  what was found
 * @param start first character (inclusive)
 * @param end   last character (exclusive)
 */
public record TextMatch(FindingKind kind, int start, int end) {
    public TextMatch {
        Objects.requireNonNull(kind, "kind");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }
}
