package dev.mcpwarden.security.guard;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data of the configured kinds: {@link FindingKind#EMAIL}, {@link FindingKind#PHONE} (international
 * {@code +<country> …} or {@code 00<country> …} with 8 to 15 digits, and US {@code (415) 555-0134} /
 * {@code 415-555-0134} forms), {@link FindingKind#SSN} ({@code 123-45-6789}, spaced or dotted, or undelimited after
 * its label, "social security number is 123456789"; excluding area 000, 666 and 9xx, group 00 and serial 0000),
 * {@link FindingKind#CARD} (13 to 19 digits, ungrouped or grouped as printed on cards by single spaces or dashes,
 * starting 2–6, Luhn-valid)
 * {@link FindingKind#IBAN} (mod-97 valid), and, where a label names them, {@link FindingKind#DATE_OF_BIRTH}
 * ({@code DOB: 1985-04-12}, {@code born on March 3, 1990}) and {@link FindingKind#PASSPORT} ({@code passport no.
 * X1234567}).
 */
public final class PiiDetector implements SensitiveDataDetector {

    /** The kinds this detector can find. */
    public static final Set<FindingKind> KINDS = Set.copyOf(EnumSet.of(FindingKind.EMAIL, FindingKind.PHONE,
            FindingKind.SSN, FindingKind.CARD, FindingKind.IBAN, FindingKind.DATE_OF_BIRTH, FindingKind.PASSPORT));

    private static final Pattern EMAIL = Pattern.compile("(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@"
            + "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}"
            + "\\.[A-Za-z]{2,24}(?![A-Za-z0-9-])");
    private static final Pattern PHONE_INTERNATIONAL = Pattern.compile(
            "(?<![\\w+])(?:\\+|(?<!\\d[ .-])00(?=[1-9]\\d{0,3}[ .-]))[1-9]\\d{0,3}(?>(?:[ .-]?\\(?\\d{1,5}+\\)?){1,6})(?![\\w])");
    private static final Pattern PHONE_US = Pattern.compile(
            "(?<![\\w+.-])(?:1[ .-])?(?:\\(\\d{3}\\)\\s?|\\d{3}[-. ])\\d{3}[-. ]\\d{4}(?![\\w-])");
    private static final Pattern SSN = Pattern.compile(
            "(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d-])");
    /** The same number with spaces or dots, or with no separator when it is labelled as one. */
    private static final Pattern SSN_SPACED = Pattern.compile(
            "(?<![\\w.-])(?!000|666|9\\d\\d)\\d{3}([ .])(?!00)\\d{2}\\1(?!0000)\\d{4}(?![\\w.-])");
    private static final Pattern SSN_LABELLED = Pattern.compile("(?i)\\b(?:ssn|social\\s+security(?:\\s+(?:number|no\\.?|#))?"
            + "|sozialversicherungsnummer|n(?:u|ú)mero\\s+de\\s+seguro\\s+social)(?:\\s+(?:is|was|ist|es|est)\\b)?\\W{0,5}"
            + "((?!000|666|9\\d\\d)\\d{3}(?!00)\\d{2}(?!0000)\\d{4})(?!\\d)");
    private static final String DATE = "(\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}"
            + "|\\d{1,2}\\.?\\s+[A-Za-z\\u00C0-\\u024F]{3,9}\\.?,?\\s+\\d{4}|[A-Za-z]{3,9}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4})"
            + "(?![\\d])";
    /** A date after a label that says it is a birth date, in English, German, French, Spanish, Italian, Portuguese. */
    private static final Pattern DATE_OF_BIRTH = Pattern.compile("(?i)\\b(?:dob|d\\.o\\.b\\.?|date\\s+of\\s+birth|birth\\s*date"
            + "|birthday|born(?:\\s+on)?|geburtsdatum|geboren(?:\\s+am)?|date\\s+de\\s+naissance|n[ée]e?\\s+le"
            + "|fecha\\s+de\\s+nacimiento|data\\s+di\\s+nascita|data\\s+de\\s+nascimento)(?:\\s+(?:is|was|ist|est|es))?"
            + "[\\s:=\\-#]{0,4}" + DATE);
    /** A passport number after its label: six to nine letters and digits, at least one a digit. */
    private static final Pattern PASSPORT = Pattern.compile("(?i)\\b(?:passport|reisepass|passeport|pasaporte"
            + "|passaporto|passaporte)(?:\\s*(?:number|nummer|num[ée]ro|n[uú]mero|no\\.?|nr\\.?|#))?(?:\\s+(?:is|was|ist|est|es))?"
            + "[\\s:=\\-#]{0,4}((?=[A-Z0-9]*\\d)[A-Z0-9]{6,9})(?![A-Za-z0-9])");

    /**
     * An address written for people to put back together, as a model does: {@code jane.doe [at] example [dot] com},
     * {@code jane(at)example.com}, {@code jane at example dot com}.
     */
    private static final Pattern EMAIL_SPELLED = Pattern.compile("(?i)(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}"
            + "(?:\\s*[\\[({<]\\s*(?:at|@)\\s*[\\])}>]\\s*|\\s+at\\s+(?=[a-z0-9-]+\\s*(?:[\\[({<]\\s*)?dot\\b))"
            + "[A-Za-z0-9-]{1,63}(?:(?:\\s*[\\[({<]\\s*(?:dot|\\.)\\s*[\\])}>]\\s*|\\s+dot\\s+|\\.)[A-Za-z0-9-]{1,63}){1,8}"
            + "(?![A-Za-z0-9-])");
    private static final Pattern IBAN = Pattern.compile("(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])");

    private static final PiiDetector ALL = new PiiDetector(EnumSet.copyOf(KINDS));

    private final Set<FindingKind> kinds;

    private PiiDetector(Set<FindingKind> kinds) {
        this.kinds = kinds;
    }

    /** A detector of every PII kind. */
    public static PiiDetector all() {
        return ALL;
    }

    /** A detector of the given kinds, each of which must be in {@link #KINDS}. */
    public static PiiDetector of(Set<FindingKind> kinds) {
        if (kinds.isEmpty() || !KINDS.containsAll(kinds)) {
            throw new IllegalArgumentException("kinds must be a non-empty subset of " + KINDS + ", was " + kinds);
        }
        return new PiiDetector(EnumSet.copyOf(kinds));
    }

    /** The kinds this detector finds. */
    public Set<FindingKind> kinds() {
        return Set.copyOf(kinds);
    }

    @Override
    public List<TextMatch> scan(String text) {
        List<TextMatch> out = new ArrayList<>();
        if (kinds.contains(FindingKind.EMAIL) && text.indexOf('@') >= 0) {
            add(out, FindingKind.EMAIL, EMAIL.matcher(text));
        }
        if (kinds.contains(FindingKind.EMAIL) && (text.indexOf('@') >= 0 || containsIgnoreCase(text, "at"))) {
            add(out, FindingKind.EMAIL, EMAIL_SPELLED.matcher(text));
        }
        if (kinds.contains(FindingKind.PHONE)) {
            Matcher m = PHONE_INTERNATIONAL.matcher(text);
            while (m.find()) {
                long digits = m.group().chars().filter(Character::isDigit).count();
                if (digits >= 8 && digits <= 15) {
                    out.add(new TextMatch(FindingKind.PHONE, m.start(), m.end()));
                }
            }
            add(out, FindingKind.PHONE, PHONE_US.matcher(text));
        }
        if (kinds.contains(FindingKind.SSN)) {
            add(out, FindingKind.SSN, SSN.matcher(text));
            add(out, FindingKind.SSN, SSN_SPACED.matcher(text));
            Matcher labelled = SSN_LABELLED.matcher(text);
            while (labelled.find()) {
                out.add(new TextMatch(FindingKind.SSN, labelled.start(1), labelled.end(1)));
            }
        }
        if (kinds.contains(FindingKind.DATE_OF_BIRTH)) {
            Matcher dob = DATE_OF_BIRTH.matcher(text);
            while (dob.find()) {
                out.add(new TextMatch(FindingKind.DATE_OF_BIRTH, dob.start(1), dob.end(1)));
            }
        }
        if (kinds.contains(FindingKind.PASSPORT)) {
            Matcher passport = PASSPORT.matcher(text);
            while (passport.find()) {
                out.add(new TextMatch(FindingKind.PASSPORT, passport.start(1), passport.end(1)));
            }
        }
        if (kinds.contains(FindingKind.CARD)) {
            cards(text, out);
        }
        if (kinds.contains(FindingKind.IBAN)) {
            ibans(text, out);
        }
        return withoutContained(out);
    }

    private static boolean containsIgnoreCase(String text, String word) {
        return text.toLowerCase(java.util.Locale.ROOT).contains(word);
    }

    /**
     * Drops matches lying inside another, longer match (a US number inside an international one, a card in an IBAN),
     * and the later of two equal ones; the rest keep their order. One sort and one sweep: comparing every match with
     * every other is quadratic on a text of thousands of addresses.
     */
    private static List<TextMatch> withoutContained(List<TextMatch> matches) {
        if (matches.size() < 2) {
            return matches;
        }
        Integer[] order = new Integer[matches.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // by start, the longest first, then as found: whatever contains a match comes before it
        java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingInt(i -> matches.get(i).start())
                .thenComparing(i -> -matches.get(i).end()).thenComparingInt(i -> i));
        boolean[] contained = new boolean[order.length];
        int maxEnd = Integer.MIN_VALUE;
        for (int i : order) {
            TextMatch m = matches.get(i);
            if (maxEnd >= m.end()) {
                contained[i] = true;
            } else {
                maxEnd = m.end();
            }
        }
        List<TextMatch> kept = new ArrayList<>();
        for (int i = 0; i < contained.length; i++) {
            if (!contained[i]) {
                kept.add(matches.get(i));
            }
        }
        return kept;
    }

    private static void add(List<TextMatch> out, FindingKind kind, Matcher m) {
        while (m.find()) {
            out.add(new TextMatch(kind, m.start(), m.end()));
        }
    }

    /**
     * Every window of whole digit groups with 13–19 digits that passes Luhn, longest first, without overlap. Runs of
     * digit groups joined by single spaces or dashes are found by a plain scan (a regular expression with a repeated
     * group would recurse once per group and can overflow the stack on hostile input).
     */
    private static void cards(String text, List<TextMatch> out) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            boolean starts = isDigit(c) && (i == 0 || !(isAlnum(text.charAt(i - 1)) || text.charAt(i - 1) == '-'));
            if (!starts) {
                i++;
                continue;
            }
            List<int[]> groups = new ArrayList<>();
            int at = i;
            while (true) {
                int start = at;
                while (at < n && isDigit(text.charAt(at))) {
                    at++;
                }
                groups.add(new int[] {start, at});
                if (at + 1 < n && (text.charAt(at) == ' ' || text.charAt(at) == '-') && isDigit(text.charAt(at + 1))) {
                    at++;
                } else {
                    break;
                }
            }
            boolean glued = at < n && isAlnum(text.charAt(at));
            if (!glued && at - i >= 13) {
                cardWindows(text, groups, out);
            }
            i = at;
        }
    }

    private static void cardWindows(String text, List<int[]> groups, List<TextMatch> out) {
        int i = 0;
        while (i < groups.size()) {
            int best = -1;
            StringBuilder digits = new StringBuilder();
            for (int j = i; j < groups.size(); j++) {
                digits.append(text, groups.get(j)[0], groups.get(j)[1]);
                if (digits.length() > 19) {
                    break;
                }
                if (digits.length() >= 13 && digits.charAt(0) >= '2' && digits.charAt(0) <= '6'
                        && cardGrouping(groups.subList(i, j + 1)) && luhn(digits.toString())) {
                    best = j;
                }
            }
            if (best >= 0) {
                out.add(new TextMatch(FindingKind.CARD, groups.get(i)[0], groups.get(best)[1]));
                i = best + 1;
            } else {
                i++;
            }
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlnum(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Ungrouped, or grouped as cards are printed: 4-6-5 / 4-6-4, or fours with a last group of 3 or 4. */
    private static boolean cardGrouping(List<int[]> groups) {
        if (groups.size() == 1) {
            return true;
        }
        int[] lengths = groups.stream().mapToInt(g -> g[1] - g[0]).toArray();
        if (lengths.length == 3 && lengths[0] == 4 && lengths[1] == 6 && (lengths[2] == 5 || lengths[2] == 4)) {
            return true;
        }
        for (int k = 0; k < lengths.length - 1; k++) {
            if (lengths[k] != 4) {
                return false;
            }
        }
        int last = lengths[lengths.length - 1];
        return last == 3 || last == 4;
    }

    static boolean luhn(String digits) {
        int sum = 0;
        boolean dbl = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    private static void ibans(String text, List<TextMatch> out) {
        Matcher m = IBAN.matcher(text);
        while (m.find()) {
            String candidate = m.group();
            // shrink from the end, space-separated chunk by chunk, until a valid IBAN remains
            String c = candidate;
            while (true) {
                if (validIban(c)) {
                    out.add(new TextMatch(FindingKind.IBAN, m.start(), m.start() + c.length()));
                    break;
                }
                int space = c.lastIndexOf(' ');
                if (space < 0) {
                    break;
                }
                c = c.substring(0, space);
            }
        }
    }

    static boolean validIban(String candidate) {
        String s = candidate.replace(" ", "");
        if (s.length() < 15 || s.length() > 34) {
            return false;
        }
        String rearranged = s.substring(4) + s.substring(0, 4);
        StringBuilder numeric = new StringBuilder();
        for (int i = 0; i < rearranged.length(); i++) {
            char ch = rearranged.charAt(i);
            if (ch >= '0' && ch <= '9') {
                numeric.append(ch);
            } else if (ch >= 'A' && ch <= 'Z') {
                numeric.append(ch - 'A' + 10);
            } else {
                return false;
            }
        }
        return new BigInteger(numeric.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }
}
