package dev.mcpwarden.security.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds credentials in text: vendor API keys (Stripe {@code sk_live_}/{@code rk_live_}, OpenAI {@code sk-…}, GitHub
 * {@code ghp_}/{@code github_pat_}, Slack {@code xox?-}, Google {@code AIza…}), AWS access key ids
 * ({@code AKIA}/{@code ASIA}…) and secret keys named as such, JWTs and bearer tokens, PEM/OpenSSH/PGP private key
 * blocks (whole block, or to the end of the text when truncated), connection strings and URLs with a password
 * ({@code postgres://user:pass@}, {@code mongodb+srv://}, JDBC and ADO.NET with {@code password=}), and generic
 * {@code password=}/{@code api_key=}/{@code token:} assignments whose value looks random (Shannon entropy of at least
 * 3 bits per character, or 80% of the maximum for short values; not a placeholder such as {@code ${DB_PASSWORD}}).
 */
public final class SecretDetector implements SensitiveDataDetector {

    private record Rule(FindingKind kind, Pattern pattern, int group, Predicate<String> accept) {
    }

    private static final Predicate<String> ANY = s -> true;

    private static final List<Rule> RULES = List.of(
            rule(FindingKind.PRIVATE_KEY, "-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?"
                    + "(?:-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----|\\z)"),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}"),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])whsec_[0-9A-Za-z+/=]{20,}"),
            new Rule(FindingKind.API_KEY, Pattern.compile("(?<![A-Za-z0-9_-])sk-([A-Za-z0-9_-]{20,})"), 0,
                    SecretDetector::mixed),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}"),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}"),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}"),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])xapp-\\d-[A-Za-z0-9-]{10,}"),
            rule(FindingKind.API_KEY, "https://hooks\\.slack\\.com/services/[A-Za-z0-9/]{20,}"),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
            rule(FindingKind.AWS_KEY, "(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
            new Rule(FindingKind.AWS_KEY, Pattern.compile("(?i)(?:aws[_\\-\\s.]{0,3}(?:secret[_\\-\\s.]{0,3}"
                    + "(?:access[_\\-\\s.]{0,3})?key|sk)|secret[_\\-\\s.]?access[_\\-\\s.]?key)[\"']?\\s*[:=]+\\s*[\"']?"
                    + "([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"), 1, ANY),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"),
            new Rule(FindingKind.TOKEN, Pattern.compile("(?i)(?<![A-Za-z0-9])bearer\\s+([A-Za-z0-9._~+/-]{20,}=*)"), 1,
                    SecretDetector::mixed),
            rule(FindingKind.CONNECTION_STRING, "(?i)(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]{1,20}://"
                    + "[^\\s:/@\"'<>]+:[^\\s@/\"'<>]+@[^\\s\"'<>]+"),
            rule(FindingKind.CONNECTION_STRING, "(?i)(?<![A-Za-z0-9])jdbc:[a-z0-9]+:[^\\s\"'<>]{0,500}?"
                    + "(?:password|pwd)=[^\\s\"'<>;&]+[^\\s\"'<>]*"),
            rule(FindingKind.CONNECTION_STRING, "(?i)(?<![A-Za-z0-9])(?:server|data source|host|address)=[^;\"'\\n]{1,200};"
                    + "[^\"'\\n]{0,500}?(?:password|pwd)=[^;\"'\\s]+;?"));

    private static final Pattern ASSIGNMENT = Pattern.compile("(?i)(?<![A-Za-z0-9])(password|passwd|pwd|pass|secret"
            + "|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token"
            + "|refresh[_-]?token|token|private[_-]?key)[\"']?\\s*(?:[:=]|=>)\\s*[\"']?([^\\s\"',;&<>]{8,200})");

    private static final SecretDetector STANDARD = new SecretDetector();

    private SecretDetector() {
    }

    /** The detector with every built-in rule. */
    public static SecretDetector standard() {
        return STANDARD;
    }

    private static Rule rule(FindingKind kind, String regex) {
        return new Rule(kind, Pattern.compile(regex), 0, ANY);
    }

    @Override
    public List<TextMatch> scan(String text) {
        List<TextMatch> matches = new ArrayList<>();
        for (Rule rule : RULES) {
            Matcher m = rule.pattern.matcher(text);
            while (m.find()) {
                if (m.end(rule.group) > m.start(rule.group) && rule.accept.test(m.group(rule.group))) {
                    matches.add(new TextMatch(rule.kind, m.start(rule.group), m.end(rule.group)));
                }
            }
        }
        Matcher m = ASSIGNMENT.matcher(text);
        while (m.find()) {
            String value = m.group(2);
            if (looksRandom(value)) {
                matches.add(new TextMatch(kindOf(m.group(1)), m.start(2), m.end(2)));
            }
        }
        return matches;
    }

    private static FindingKind kindOf(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("token")) {
            return FindingKind.TOKEN;
        }
        if (k.contains("private")) {
            return FindingKind.PRIVATE_KEY;
        }
        if (k.contains("key")) {
            return FindingKind.API_KEY;
        }
        return FindingKind.PASSWORD;
    }

    /** Letters of both cases and digits: a key rather than a hyphenated phrase. */
    private static boolean mixed(String s) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            digit |= c >= '0' && c <= '9';
        }
        return upper && lower && digit;
    }

    /**
     * Not a placeholder, and at least 3 bits of Shannon entropy per character (or 80% of the most a value of this
     * length can have, for short values).
     */
    static boolean looksRandom(String value) {
        if (value.startsWith("$") || value.startsWith("%") || value.startsWith("{") || value.startsWith("[")
                || value.startsWith("*") || value.startsWith("<") || value.startsWith("(")) {
            return false;
        }
        double maxForLength = Math.log(value.length()) / Math.log(2);
        return entropy(value) >= Math.min(3.0, 0.8 * maxForLength);
    }

    /** Shannon entropy in bits per character. */
    static double entropy(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double h = 0;
        double n = s.length();
        for (int count : counts) {
            if (count > 0) {
                double p = count / n;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        if (other > 0) {
            double p = other / n;
            h -= p * Math.log(p) / Math.log(2);
        }
        return h;
    }
}
