package dev.mcpwarden.security.text;

import java.util.HashMap;
import java.util.Map;

/**
 * A small confusables table: a subset of Unicode TR39's, the Cyrillic, Greek, Armenian and Latin (small capital)
 * letters that pass for Latin ones in identifiers and English phrases. Keys and values are lower case; {@link Fold} lower-cases before looking up.
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
        // Armenian
        put("օ", 'o'); put("ս", 'u'); put("ո", 'n'); put("հ", 'h'); put("ց", 'g'); put("զ", 'q'); put("ա", 'w');
        // Latin small capitals and other look-alikes (no compatibility decomposition, so NFKC keeps them)
        put("ᴀ", 'a'); put("ʙ", 'b'); put("ᴄ", 'c'); put("ᴅ", 'd'); put("ᴇ", 'e'); put("ꜰ", 'f'); put("ɢ", 'g');
        put("ʜ", 'h'); put("ɪ", 'i'); put("ᴊ", 'j'); put("ᴋ", 'k'); put("ʟ", 'l'); put("ᴍ", 'm'); put("ɴ", 'n');
        put("ᴏ", 'o'); put("ᴘ", 'p'); put("ʀ", 'r'); put("ꜱ", 's'); put("ᴛ", 't'); put("ᴜ", 'u'); put("ᴠ", 'v');
        put("ᴡ", 'w'); put("ʏ", 'y'); put("ᴢ", 'z');
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
