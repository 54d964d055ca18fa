package dev.mcpwarden.security.integrity;

import dev.mcpwarden.security.guard.Unicode;
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
