package dev.mcpwarden.security.guard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The other readings of a text an attacker counts on a model making while a filter reads it literally: letters split
 * by separators ({@code i-g-n-o-r-e}, {@code i g n o r e}), digits and symbols for letters ({@code 1gn0r3}), ROT13,
 * the text backwards, and escapes a model decodes without being asked (percent-encoding, HTML character references,
 * {@code \u0069} and {@code \x69} escapes, hexadecimal bytes). The detector matches its phrase rules on each reading
 * as on the text itself.
 */
final class Obfuscations {

    /** ROT13 and reversal are whole extra passes; above this many characters only the cheap readings are tried. */
    static final int MAX_WHOLE_TEXT_READINGS = 64 * 1024;

    /** Words one of the English rules needs, at least one of which any attack the rules catch contains. */
    private static final List<String> CUES = List.of("ignore", "disregard", "forget", "override", "bypass", "reveal",
            "system", "developer", "jailbreak", "instruction", "prompt", "disable", "delete", "anything", "send",
            "secret", "password", "credential", "token", "api key", "call", "invoke", "execute", "pretend");
    private static final Pattern ROT13_CUES = cues(w -> rot13(w));
    private static final Pattern REVERSED_CUES = cues(w -> new StringBuilder(w).reverse().toString());

    private static Pattern cues(java.util.function.UnaryOperator<String> encode) {
        return Pattern.compile(String.join("|", CUES.stream().map(encode).map(Pattern::quote).toList()));
    }

    private static final Pattern TAG = Pattern.compile("<[^<>]{0,40}>");
    /** Three words joined by hyphens or underscores. */
    // Anchored at the start of a run of letters and possessive: a megabyte of letters without a separator is read
    // once, not once from every letter (which made this search quadratic).
    private static final Pattern JOINED_WORDS = Pattern.compile(
            "(?<!\\p{L})\\p{L}{2,}+[-_]\\p{L}{2,}+[-_]\\p{L}{2}");
    private static final Pattern SEPARATOR = Pattern.compile("(?<=\\p{L})[-_]+(?=\\p{L})");

    /** Fewest single letters in a split run. */
    private static final int MIN_SPLIT_LETTERS = 4;
    /** Widest separator between two letters of a split run. */
    private static final int MAX_SPLIT_GAP = 3;
    private static final Pattern LEET_WORD = Pattern.compile("[\\p{L}0-9@$!|]+");
    // No repeated groups: Java matches those recursively, and a long run of them would overflow the stack.
    private static final Pattern PERCENT = Pattern.compile("%[0-9a-fA-F]{2}");
    private static final Pattern CHARACTER_REFERENCE = Pattern.compile("&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));");
    private static final Pattern ESCAPE = Pattern.compile("\\\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))");
    private static final Pattern HEX = Pattern.compile("(?<![0-9a-zA-Z])[0-9a-fA-F][0-9a-fA-F \\t:]{22,}[0-9a-fA-F]"
            + "(?![0-9a-zA-Z])");
    /** Hexadecimal runs decoded at most, and their longest length: a hex dump is not an instruction. */
    private static final int MAX_HEX_RUNS = 8;
    private static final int MAX_HEX_LENGTH = 16 * 1024;

    private Obfuscations() {
    }

    /**
     * One reading of a text. {@code latinOnly}: only the Latin letters were transformed (ROT13, reversal), so only
     * English rules apply; rules for other scripts would match there what the text does not say (ROT13 turns a
     * folded Russian {@code не}, "not", into {@code ur}).
     */
    record Reading(String text, boolean latinOnly) {
    }

    /** Readings of the folded text (lower case, single spaces) that differ from it. */
    static List<Reading> readings(String folded) {
        List<Reading> out = new ArrayList<>(4);
        String joined = joinSplitLetters(folded);
        if (!joined.equals(folded)) {
            out.add(new Reading(joined, false));
        }
        String leet = unLeet(folded);
        if (!leet.equals(folded)) {
            out.add(new Reading(leet, false));
        }
        // markup inside words (ig<b></b>nore) and words joined by hyphens or underscores (ignore-all-previous)
        if (folded.indexOf('<') >= 0 && folded.indexOf('>') >= 0) {
            String stripped = TAG.matcher(folded).replaceAll("");
            if (!stripped.equals(folded)) {
                out.add(new Reading(stripped, false));
            }
        }
        if (JOINED_WORDS.matcher(folded).find()) {
            out.add(new Reading(SEPARATOR.matcher(folded).replaceAll(" "), false));
        }
        // Each whole-text reading costs every rule a pass: made only when one of the rules' key words shows in it.
        if (folded.length() <= MAX_WHOLE_TEXT_READINGS) {
            if (ROT13_CUES.matcher(folded).find()) {
                out.add(new Reading(rot13(folded), true));
            }
            if (REVERSED_CUES.matcher(folded).find()) {
                out.add(new Reading(new StringBuilder(folded).reverse().toString(), true));
            }
        }
        return out;
    }

    /** {@code i-g-n-o-r-e a-l-l} becomes {@code ignore all}: separators of one width join, wider ones split words. */
    static String joinSplitLetters(String s) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < s.length()) {
            int end = splitRunAt(s, i);
            if (end < 0) {
                i += Character.charCount(s.codePointAt(i));
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, i).append(squeeze(s.substring(i, end)));
            copied = end;
            i = end;
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /** The end of a split run starting at {@code start}, or -1 when none starts there. Linear, no regex. */
    private static int splitRunAt(String s, int start) {
        if (!singleLetterAt(s, start)) {
            return -1;
        }
        int letters = 1;
        int end = start + Character.charCount(s.codePointAt(start));
        int i = end;
        while (i < s.length()) {
            int gap = 0;
            int j = i;
            while (j < s.length() && gap <= MAX_SPLIT_GAP && separator(s.codePointAt(j))) {
                j += Character.charCount(s.codePointAt(j));
                gap++;
            }
            if (gap == 0 || gap > MAX_SPLIT_GAP || j >= s.length() || !singleLetterAt(s, j)) {
                break;
            }
            letters++;
            end = j + Character.charCount(s.codePointAt(j));
            i = end;
        }
        return letters >= MIN_SPLIT_LETTERS ? end : -1;
    }

    private static boolean singleLetterAt(String s, int i) {
        int cp = s.codePointAt(i);
        if (!Character.isLetter(cp)) {
            return false;
        }
        if (i > 0 && Character.isLetterOrDigit(s.codePointBefore(i))) {
            return false;
        }
        int next = i + Character.charCount(cp);
        return next >= s.length() || !Character.isLetterOrDigit(s.codePointAt(next));
    }

    private static boolean separator(int cp) {
        return cp != '\n' && !Character.isLetterOrDigit(cp);
    }

    /**
     * The letters of a split run; where the gap between two letters is wider than the narrowest gap of the run, a
     * word ends there ({@code i g n o r e  a l l}: one space inside words, two between them).
     */
    private static String squeeze(String run) {
        List<Integer> gaps = new ArrayList<>();
        StringBuilder letters = new StringBuilder();
        int gap = 0;
        for (int i = 0; i < run.length(); ) {
            int cp = run.codePointAt(i);
            if (Character.isLetter(cp)) {
                if (!letters.isEmpty()) {
                    gaps.add(gap);
                }
                letters.appendCodePoint(cp);
                gap = 0;
            } else {
                gap++;
            }
            i += Character.charCount(cp);
        }
        int narrow = gaps.stream().mapToInt(Integer::intValue).min().orElse(1);
        StringBuilder out = new StringBuilder();
        int g = 0;
        for (int i = 0; i < letters.length(); ) {
            int cp = letters.codePointAt(i);
            if (i > 0 && gaps.get(g++) > narrow) {
                out.append(' ');
            }
            out.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        return out.toString(); // split the same way throughout (i g n o r e a l l): one word, for the compact rules
    }

    /** Digits and symbols inside words read as the letters they imitate: {@code 1gn0r3} is {@code ignore}. */
    static String unLeet(String s) {
        boolean any = false;
        for (int i = 0; i < s.length() && !any; i++) {
            char c = s.charAt(i);
            any = c == '0' || c == '1' || c == '3' || c == '4' || c == '5' || c == '7' || c == '@' || c == '$'
                    || c == '!' || c == '|';
        }
        if (!any) {
            return s;
        }
        Matcher m = LEET_WORD.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        int last = 0;
        while (m.find()) {
            out.append(s, last, m.start());
            String w = m.group();
            if (w.chars().noneMatch(Character::isLetter)) { // a number is a number
                out.append(w);
                last = m.end();
                continue;
            }
            for (int i = 0; i < w.length(); i++) {
                char c = w.charAt(i);
                out.append(switch (c) {
                    case '0' -> 'o';
                    case '1', '!', '|' -> 'i';
                    case '3' -> 'e';
                    case '4', '@' -> 'a';
                    case '5', '$' -> 's';
                    case '7' -> 't';
                    default -> c;
                });
            }
            last = m.end();
        }
        return out.append(s, last, s.length()).toString();
    }

    static String rot13(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'a' && c <= 'z') {
                c = (char) ('a' + (c - 'a' + 13) % 26);
            } else if (c >= 'A' && c <= 'Z') {
                c = (char) ('A' + (c - 'A' + 13) % 26);
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The text with its escapes decoded, for each kind of escape it holds at least three of; original text in. */
    static List<String> decoded(String text) {
        List<String> out = new ArrayList<>(2);
        if (text.indexOf('%') >= 0 && PERCENT.matcher(text).results().limit(3).count() == 3) {
            out.add(percentDecoded(text));
        }
        if (text.contains("&#")) {
            String d = replace(text, CHARACTER_REFERENCE, m -> codePoint(m.group(1) != null
                    ? Integer.parseInt(m.group(1), 16) : Integer.parseInt(m.group(2))));
            if (!d.equals(text)) {
                out.add(d);
            }
        }
        if (text.indexOf('\\') >= 0) {
            String d = replace(text, ESCAPE, m -> codePoint(Integer.parseInt(m.group(1) != null ? m.group(1)
                    : m.group(2), 16)));
            if (!d.equals(text)) {
                out.add(d);
            }
        }
        Matcher hex = HEX.matcher(text);
        for (int runs = 0; hex.find() && runs < MAX_HEX_RUNS; runs++) {
            String digits = hex.group().replaceAll("[\\s:]", "");
            if (digits.length() % 2 != 0 || digits.length() > MAX_HEX_LENGTH) {
                continue;
            }
            byte[] bytes = new byte[digits.length() / 2];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
            }
            String s = new String(bytes, StandardCharsets.UTF_8);
            if (s.chars().filter(c -> c >= 0x20 && c < 0x7F).count() >= 0.9 * s.length()) {
                out.add(s);
            }
        }
        return out;
    }

    private static String codePoint(int cp) {
        return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : "\uFFFD";
    }

    private static String replace(String text, Pattern p, java.util.function.Function<Matcher, String> f) {
        Matcher m = p.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        int count = 0;
        while (m.find()) {
            out.append(text, last, m.start()).append(f.apply(m));
            last = m.end();
            count++;
        }
        return count < 3 ? text : out.append(text, last, text.length()).toString();
    }

    /** Every {@code %XX} decoded as UTF-8 bytes; a {@code %} not followed by two hex digits stays. */
    private static String percentDecoded(String text) {
        StringBuilder out = new StringBuilder(text.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) && hex(text.charAt(i + 2))) {
                bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 3;
                continue;
            }
            if (bytes.size() > 0) {
                out.append(bytes.toString(StandardCharsets.UTF_8));
                bytes.reset();
            }
            out.append(c == '+' ? ' ' : c);
            i++;
        }
        if (bytes.size() > 0) {
            out.append(bytes.toString(StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    private static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
