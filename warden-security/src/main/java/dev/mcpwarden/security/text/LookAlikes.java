package dev.mcpwarden.security.text;

import java.util.HashMap;
import java.util.Map;

/**
 * A small confusables table: a subset of Unicode TR39's, the Cyrillic, Greek and Latin letters that pass for Latin
 * ones in identifiers and English phrases. Keys and values are lower case; {@link Fold} lower-cases before looking up.
 */
final class LookAlikes {

    private static final Map<Integer, Character> LETTERS = new HashMap<>();

    static {
        // Cyrillic
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

    private LookAlikes() {
    }

    private static void put(String from, char to) {
        LETTERS.put(from.codePointAt(0), to);
    }

    /** The Latin letter the lower-case {@code cp} looks like, or {@code cp} itself. */
    static int latin(int cp) {
        if (cp < 0x80) {
            return cp;
        }
        Character c = LETTERS.get(cp);
        return c == null ? cp : c;
    }
}
