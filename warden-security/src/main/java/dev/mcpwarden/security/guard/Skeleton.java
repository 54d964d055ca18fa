package dev.mcpwarden.security.guard;

import java.text.Normalizer;

/**
 * A text with invisible characters removed and each remaining code point NFKC-normalised, with a map from every
 * skeleton character back to the span of the original it came from. Detectors run on the skeleton; their spans are
 * mapped back, so a secret split by U+200B or written in fullwidth letters is redacted as one whole span.
 */
final class Skeleton {

    final String text;
    private final int[] originStart;
    private final int[] originEnd;

    private Skeleton(String text, int[] originStart, int[] originEnd) {
        this.text = text;
        this.originStart = originStart;
        this.originEnd = originEnd;
    }

    static Skeleton of(String original) {
        StringBuilder sb = new StringBuilder(original.length());
        int[] starts = new int[original.length() + 8];
        int[] ends = new int[original.length() + 8];
        for (int i = 0; i < original.length(); ) {
            int cp = original.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (!Unicode.invisible(cp)) {
                String piece = cp < 0x80 ? null : Normalizer.normalize(original.substring(i, next), Normalizer.Form.NFKC);
                int len = piece == null ? 1 : piece.length();
                if (sb.length() + len > starts.length) {
                    int grow = Math.max(starts.length * 2, sb.length() + len);
                    starts = java.util.Arrays.copyOf(starts, grow);
                    ends = java.util.Arrays.copyOf(ends, grow);
                }
                for (int k = 0; k < len; k++) {
                    starts[sb.length() + k] = i;
                    ends[sb.length() + k] = next;
                }
                if (piece == null) {
                    sb.append((char) cp);
                } else {
                    sb.append(piece);
                }
            }
            i = next;
        }
        return new Skeleton(sb.toString(), starts, ends);
    }

    /** Start in the original of the skeleton character at {@code index}. */
    int originStart(int index) {
        return originStart[index];
    }

    /** End (exclusive) in the original of the skeleton character at {@code index}. */
    int originEnd(int index) {
        return originEnd[index];
    }
}
