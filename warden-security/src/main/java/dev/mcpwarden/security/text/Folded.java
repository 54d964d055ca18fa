package dev.mcpwarden.security.text;

/**
 * A text after a {@link Fold}, with the way back: every folded character knows the span of the original code point
 * (or, for a collapsed space, the run of white space) it stands for.
 */
public final class Folded {

    private final String original;
    private final String text;
    private final int[] starts;
    private final int[] ends;

    Folded(String original, String text, int[] starts, int[] ends) {
        this.original = original;
        this.text = text;
        this.starts = starts;
        this.ends = ends;
    }

    /** The folded text. */
    public String text() {
        return text;
    }

    /** The text it was folded from. */
    public String original() {
        return original;
    }

    /**
     * Where in the original the folded character at {@code index} starts; for {@code index == text().length()},
     * the original's length, so that a match at the end maps to the end.
     */
    public int originStart(int index) {
        if (index < 0 || index > text.length()) {
            throw new IndexOutOfBoundsException(index);
        }
        return index < text.length() ? starts[index] : original.length();
    }

    /**
     * Where in the original a folded range ending (exclusively) at {@code end} ends: the end of the code point the
     * range's last character came from, so a surrogate pair or an expanded ligature is never cut. For an empty range
     * at 0, {@code originStart(0)}.
     */
    public int originEnd(int end) {
        if (end < 0 || end > text.length()) {
            throw new IndexOutOfBoundsException(end);
        }
        return end == 0 ? originStart(0) : ends[end - 1];
    }

    @Override
    public String toString() {
        return text;
    }
}
