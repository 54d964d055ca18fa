package dev.mcpwarden.security.integrity;

import dev.mcpwarden.security.text.Fold;
import dev.mcpwarden.security.text.Unicode;

/**
 * The Unicode character classes the scanner reports (invisible, bidirectional and tag characters), and the escaped
 * form findings quote text in. Folding for matching is {@link Fold}'s.
 */
final class Confusables {

    private Confusables() {
    }

    /**
     * Characters that render as nothing (zero-width space and joiners, word joiner, BOM, soft hyphen, variation
     * selectors and the other format characters) except the bidirectional controls and tags, which have their own
     * classes here.
     */
    static boolean invisible(int cp) {
        return !bidi(cp) && !tag(cp) && Unicode.invisible(cp);
    }

    /** Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), and the marks. */
    static boolean bidi(int cp) {
        return Unicode.bidiControl(cp);
    }

    /** Bidirectional embeddings, overrides and isolates only (the marks LRM/RLM/ALM are ordinary in RTL text). */
    static boolean bidiOverride(int cp) {
        return Unicode.bidiOverride(cp);
    }

    /** Unicode tag characters U+E0000–U+E007F (invisible; U+E0020–U+E007E mirror printable ASCII). */
    static boolean tag(int cp) {
        return Unicode.tag(cp);
    }

    /** The text written for people: printable ASCII as is, anything invisible or unusual as an escape. */
    static String sanitize(String text, int max) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max) + 8);
        int i = 0;
        while (i < text.length()) {
            if (sb.length() >= max) {
                sb.append('…');
                break;
            }
            int cp = text.codePointAt(i);
            if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || invisible(cp) || bidi(cp) || tag(cp)
                    || (cp >= 0xD800 && cp <= 0xDFFF) || !Character.isDefined(cp)) {
                sb.append(cp > 0xFFFF ? String.format("\\u{%X}", cp) : String.format("\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }
}
