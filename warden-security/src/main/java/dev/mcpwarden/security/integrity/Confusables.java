package dev.mcpwarden.security.integrity;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A small confusables table (a subset of Unicode TR39's, the look-alikes that matter in identifiers and in English
 * phrases) and the invisible-character classes the scanner reports.
 */
final class Confusables {

    private static final Map<Integer, Character> LETTERS = new HashMap<>();

    static {
        // Cyrillic (lower case; upper case is lower-cased first)
        put("а", 'a'); put("в", 'b'); put("е", 'e'); put("ё", 'e'); put("һ", 'h'); put("н", 'h'); put("і", 'i');
        put("ї", 'i'); put("ј", 'j'); put("к", 'k'); put("ӏ", 'l'); put("м", 'm'); put("о", 'o'); put("р", 'p');
        put("ԛ", 'q'); put("с", 'c'); put("ѕ", 's'); put("т", 't'); put("у", 'y'); put("ԝ", 'w'); put("х", 'x');
        put("ԁ", 'd'); put("ү", 'y'); put("ɡ", 'g');
        // Greek
        put("α", 'a'); put("β", 'b'); put("ε", 'e'); put("η", 'n'); put("ι", 'i'); put("κ", 'k'); put("ν", 'v');
        put("ο", 'o'); put("ρ", 'p'); put("τ", 't'); put("υ", 'u'); put("χ", 'x'); put("γ", 'y'); put("ϲ", 'c');
        put("ω", 'w');
        // Latin look-alikes
        put("ı", 'i'); put("ſ", 's'); put("ℓ", 'l');
    }

    private Confusables() {
    }

    private static void put(String from, char to) {
        LETTERS.put(from.codePointAt(0), to);
    }

    /** The Latin letter {@code cp} (lower case) looks like, or {@code cp} itself. */
    static int letter(int cp) {
        Character c = LETTERS.get(cp);
        return c == null ? cp : c;
    }

    /**
     * The lower-case, NFKC-normalised text with invisible characters removed and look-alike letters replaced by the
     * Latin letters they imitate. Used for matching phrases, not for display.
     */
    static String fold(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC);
        nfkc.toLowerCase(Locale.ROOT).codePoints().forEach(cp -> {
            // tag characters are decoded separately; here they vanish like the other invisibles
            if (!tag(cp) && !invisible(cp) && !bidi(cp)) {
                sb.appendCodePoint(letter(cp));
            }
        });
        return sb.toString();
    }

    /**
     * Characters that render as nothing: zero-width space, non-joiner, joiner, word joiner and the invisible math
     * operators, byte-order mark / zero-width no-break space, soft hyphen, Mongolian vowel separator, and the
     * other format characters except the bidirectional controls and tags, which have their own classes.
     */
    static boolean invisible(int cp) {
        if (bidi(cp) || tag(cp)) {
            return false;
        }
        return (cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF || cp == 0x00AD
                || cp == 0x180E || cp == 0x034F || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0x115F || cp == 0x1160
                || cp == 0x3164 || cp == 0xFFA0 || Character.getType(cp) == Character.FORMAT;
    }

    /** Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), and the marks. */
    static boolean bidi(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F
                || cp == 0x061C;
    }

    /** Bidirectional embeddings, overrides and isolates only (the marks LRM/RLM/ALM are ordinary in RTL text). */
    static boolean bidiOverride(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    /** Unicode tag characters U+E0000–U+E007F (invisible; U+E0020–U+E007E mirror printable ASCII). */
    static boolean tag(int cp) {
        return cp >= 0xE0000 && cp <= 0xE007F;
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
