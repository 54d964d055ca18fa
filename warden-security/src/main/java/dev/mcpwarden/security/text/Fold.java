package dev.mcpwarden.security.text;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one Unicode folding step of the guards and the tool-integrity scanner. Detectors match the folded text, so
 * that fullwidth or look-alike letters, accents and invisible characters cannot hide a phrase, a secret or a tool
 * name; what they find is mapped back to the original text ({@link Folded}) to be reported, excerpted or redacted.
 *
 * <p>Always, code point by code point:
 * <ol>
 *   <li>Characters that render as nothing are dropped: {@link Unicode#invisible} (zero-width space, joiners and
 *       non-joiner, word joiner, BOM, soft hyphen, bidi embeddings, overrides, isolates and marks, variation
 *       selectors, Hangul fillers) and the whole tag block U+E0000–U+E007F, assigned or not. Detectors that care
 *       that such characters were there look at the original text; folding is only about what is left.</li>
 *   <li>Compatibility forms are decomposed (NFKD), combining marks (Mn, Me) dropped and the rest recomposed (NFKC):
 *       fullwidth {@code Ｉ} is {@code I}, {@code ﬁ} is {@code fi}, {@code é} and {@code e}+U+0301 are both
 *       {@code e}, and a mark stacked on a letter ({@code i̶}) no longer splits a word.</li>
 *   <li>Cyrillic, Greek, Armenian and Latin look-alikes become the Latin letters they imitate ({@link #lookAlike}):
 *       Cyrillic {@code о} is {@code o}, Greek {@code Α} is {@code A}, in every word that has a Latin letter or is
 *       made of look-alikes alone ({@code раураl} is {@code paypal}). A word with a letter of its own script that
 *       imitates nothing is that script's word and keeps its letters: Russian {@code инструкции} stays as it is,
 *       so that phrases of those languages can be matched too. Case is kept unless {@link Option#LOWER_CASE}.</li>
 * </ol>
 * The {@link Option options} are what callers differ in. Each folded character stands for the one original code
 * point it came from; one original code point may give several folded characters ({@code ﬁ}) or none.
 *
 * <p>Immutable and thread-safe.
 */
public final class Fold {

    /** The steps a caller may add to the ones every fold does. */
    public enum Option {
        /**
         * Lower-case every character ({@link Character#toLowerCase(int)}, one code point at a time, so that
         * {@code İ} is {@code i} and never grows a combining dot). Phrase matching wants this; secret and personal
         * data patterns are case-sensitive and do not.
         */
        LOWER_CASE,
        /**
         * Turn every run of white space ({@link Character#isWhitespace} or {@link Character#isSpaceChar}, after the
         * steps above, so a run split by invisible characters is one run) into one space, and drop it at the start.
         */
        COLLAPSE_SPACE,
        /** With {@link #COLLAPSE_SPACE}: {@code _} and {@code -} count as white space too (for member names). */
        SEPARATORS_AS_SPACE,
        /**
         * With {@link #COLLAPSE_SPACE}: an invisible character (not a tag character) is read as a space rather
         * than dropped. Dropping joins {@code ig\u200Bnore} into {@code ignore}, but also glues words an
         * attacker separated by zero-width spaces instead of spaces into one ({@code ignore\u200Ball}); a matcher
         * reads the text both ways.
         */
        INVISIBLE_AS_SPACE
    }

    private final boolean lowerCase;
    private final boolean collapseSpace;
    private final boolean separators;
    private final boolean invisibleAsSpace;

    private Fold(Set<Option> options) {
        this.invisibleAsSpace = options.contains(Option.INVISIBLE_AS_SPACE);
        this.lowerCase = options.contains(Option.LOWER_CASE);
        this.collapseSpace = options.contains(Option.COLLAPSE_SPACE);
        this.separators = options.contains(Option.SEPARATORS_AS_SPACE);
        if (separators && !collapseSpace) {
            throw new IllegalArgumentException("SEPARATORS_AS_SPACE needs COLLAPSE_SPACE");
        }
        if (invisibleAsSpace && !collapseSpace) {
            throw new IllegalArgumentException("INVISIBLE_AS_SPACE needs COLLAPSE_SPACE");
        }
    }

    /** A fold with the steps every fold does and the given options. */
    public static Fold of(Option... options) {
        EnumSet<Option> set = EnumSet.noneOf(Option.class);
        set.addAll(Arrays.asList(options));
        return new Fold(set);
    }

    /** The folded text with the map back to {@code original}. */
    public Folded apply(String original) {
        Builder b = new Builder(original.length(), true);
        run(original, b);
        return new Folded(original, b.sb.toString(), b.starts, b.ends);
    }

    /** The folded text alone, for callers that need no offsets. */
    public String text(String original) {
        Builder b = new Builder(original.length(), false);
        run(original, b);
        return b.sb.toString();
    }

    /**
     * The Latin letter a lower-case Cyrillic, Greek or Latin look-alike imitates ({@code а} U+0430 gives {@code a}),
     * or {@code codePoint} itself; the table is a subset of Unicode TR39's confusables.
     */
    public static int lookAlike(int codePoint) {
        return LookAlikes.latin(codePoint);
    }

    private void run(String s, Builder b) {
        if (ascii(s)) {
            for (int i = 0; i < s.length(); i++) {
                emit(s.charAt(i), i, i + 1, true, b);
            }
            return;
        }
        // First what is left of each code point, then word by word, since whether a look-alike is mapped depends on
        // the word it is in.
        Pieces p = new Pieces(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (cp < 0x80 || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
                // ASCII is its own NFKD with no marks; a lone surrogate has no decomposition
                p.add(cp, i, next);
            } else if (invisibleAsSpace && Unicode.invisible(cp)) {
                p.add(' ', i, next);
            } else if (!dropped(cp)) {
                String piece = decompose(s.substring(i, next));
                for (int k = 0; k < piece.length(); ) {
                    int c = piece.codePointAt(k);
                    if (!dropped(c)) {
                        p.add(c, i, next);
                    }
                    k += Character.charCount(c);
                }
            }
            i = next;
        }
        for (int i = 0; i < p.size; ) {
            if (!Character.isLetter(p.cps[i])) {
                emit(p.cps[i], p.from[i], p.to[i], true, b);
                i++;
                continue;
            }
            int end = i;
            boolean latin = false;
            boolean foreign = false; // a letter of another script that imitates no Latin one
            while (end < p.size && Character.isLetter(p.cps[end])) {
                int c = p.cps[end];
                if (c < 0x80 || Character.UnicodeScript.of(c) == Character.UnicodeScript.LATIN) {
                    latin = true;
                } else if (LookAlikes.latin(Character.toLowerCase(c)) == Character.toLowerCase(c)) {
                    foreign = true;
                }
                end++;
            }
            // A word mixing Latin with look-alikes, or made of look-alikes alone, is Latin in disguise; a word of
            // another script with letters that imitate nothing (Russian "инструкции") is that language, kept.
            boolean map = latin || !foreign;
            for (int k = i; k < end; k++) {
                emit(p.cps[k], p.from[k], p.to[k], map, b);
            }
            i = end;
        }
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The code points left after dropping and decomposing, each with the original span it came from. */
    private static final class Pieces {
        int[] cps;
        int[] from;
        int[] to;
        int size;

        Pieces(int capacity) {
            cps = new int[capacity + 4];
            from = new int[capacity + 4];
            to = new int[capacity + 4];
        }

        void add(int cp, int start, int end) {
            if (size == cps.length) {
                cps = Arrays.copyOf(cps, size * 2);
                from = Arrays.copyOf(from, size * 2);
                to = Arrays.copyOf(to, size * 2);
            }
            cps[size] = cp;
            from[size] = start;
            to[size] = end;
            size++;
        }
    }

    private static boolean dropped(int cp) {
        return Unicode.invisible(cp) || Unicode.tag(cp);
    }

    /** NFKD, combining marks dropped, NFKC again (only Hangul jamo and a few scripts' vowel parts recombine). */
    private static String decompose(String codePoint) {
        String nfkd = Normalizer.normalize(codePoint, Normalizer.Form.NFKD);
        StringBuilder kept = new StringBuilder(nfkd.length());
        boolean ascii = true;
        for (int k = 0; k < nfkd.length(); ) {
            int c = nfkd.codePointAt(k);
            int type = Character.getType(c);
            if (type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK) {
                kept.appendCodePoint(c);
                ascii &= c < 0x80;
            }
            k += Character.charCount(c);
        }
        return ascii ? kept.toString() : Normalizer.normalize(kept, Normalizer.Form.NFKC);
    }

    private void emit(int c, int from, int to, boolean mapLookAlikes, Builder b) {
        if (collapseSpace && (Character.isWhitespace(c) || Character.isSpaceChar(c)
                || separators && (c == '_' || c == '-'))) {
            int last = b.sb.length() - 1;
            if (last < 0) {
                return;
            }
            if (b.sb.charAt(last) == ' ') {
                b.extend(last, to); // the one space stands for the whole run
                return;
            }
            b.append(' ', from, to);
            return;
        }
        int lower = Character.toLowerCase(c);
        int latin = mapLookAlikes ? LookAlikes.latin(lower) : lower;
        int out;
        if (lowerCase) {
            out = latin;
        } else if (!mapLookAlikes) {
            out = c;
        } else if (latin != lower) {
            out = Character.isUpperCase(c) || Character.isTitleCase(c) ? Character.toUpperCase(latin) : latin;
        } else {
            out = c;
        }
        b.append(out, from, to);
    }

    /** The folded text and, when tracking, the original span of each of its characters. */
    private static final class Builder {
        final StringBuilder sb;
        int[] starts;
        int[] ends;

        Builder(int length, boolean track) {
            sb = new StringBuilder(length);
            starts = track ? new int[length + 4] : null;
            ends = track ? new int[length + 4] : null;
        }

        void append(int cp, int from, int to) {
            int at = sb.length();
            sb.appendCodePoint(cp);
            if (starts == null) {
                return;
            }
            if (sb.length() > starts.length) {
                int grow = Math.max(starts.length * 2, sb.length() + 4);
                starts = Arrays.copyOf(starts, grow);
                ends = Arrays.copyOf(ends, grow);
            }
            for (int k = at; k < sb.length(); k++) {
                starts[k] = from;
                ends[k] = to;
            }
        }

        void extend(int index, int to) {
            if (ends != null) {
                ends[index] = to;
            }
        }
    }
}
