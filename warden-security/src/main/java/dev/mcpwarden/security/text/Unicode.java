package dev.mcpwarden.security.text;

/** Unicode character classes shared by the guards and the tool-integrity scanner. */
public final class Unicode {

    private Unicode() {
    }

    /**
     * Whether the code point renders as nothing (or as blank) and so can hide or split text: format characters
     * (zero-width space/joiners, soft hyphen, bidi controls, tag characters, BOM), variation selectors, the combining
     * grapheme joiner and the Hangul fillers.
     */
    public static boolean invisible(int cp) {
        return Character.getType(cp) == Character.FORMAT
                || (cp >= 0xFE00 && cp <= 0xFE0F)
                || (cp >= 0xE0100 && cp <= 0xE01EF)
                || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0;
    }

    /** Whether the code point is a bidirectional embedding, override or isolate control. */
    public static boolean bidiControl(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F
                || cp == 0x061C;
    }

    /** Embeddings, overrides and isolates only (the marks LRM/RLM/ALM are ordinary in right-to-left text). */
    public static boolean bidiOverride(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    /** Whether the code point is a Unicode tag character (used to smuggle invisible ASCII). */
    public static boolean tag(int cp) {
        return cp >= 0xE0000 && cp <= 0xE007F;
    }

    /** Whether the code point is a C0/C1 control character or DEL. */
    public static boolean control(int cp) {
        return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    }
}
