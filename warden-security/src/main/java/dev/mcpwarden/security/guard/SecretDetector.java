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
 * 3 bits per character, or 80% of the maximum for short values; not a placeholder such as {@code ${DB_PASSWORD}}),
 * or chosen by a person for a password key ({@code password=hunter2hunter2}). Any of these written in base64 (either
 * alphabet) or hex is found too: the encoded run is decoded and scanned as text, and redacted whole; and a vendor
 * key written in groups split by spaces or hyphens ({@code AKIA IOSF ODNN 7EXA MPLE}).
 */
public final class SecretDetector implements SensitiveDataDetector {

    /**
     * A rule, and where its matches can start ({@link Starts}): the scan tries the pattern only there, which gives
     * exactly the matches of {@code Matcher.find()} over the whole text at a fraction of the cost (a pattern that
     * opens with a look-behind is otherwise tried at every position).
     */
    private record Rule(FindingKind kind, Pattern pattern, int group, Predicate<String> accept, Starts starts) {
    }

    /**
     * Where a match can start: within {@code minBack} to {@code back} characters before an occurrence of one of the
     * literals (0 and 0: at the literal itself, which every match starts with). With {@code ignoreCase}, literals
     * (lower case) are found ignoring the case of ASCII letters, as the {@code (?i)} patterns match them, and
     * possibly more: a superset of the real starts is still exact, it only costs more tries.
     */
    private record Starts(boolean ignoreCase, int back, int minBack, String... literals) {

        static Starts at(String... literals) {
            return new Starts(false, 0, 0, literals);
        }

        static Starts atIgnoringCase(String... literals) {
            return new Starts(true, 0, 0, literals);
        }

        /**
         * The first position at or after {@code from} where a match might start, or -1. {@code found} holds each
         * literal's next occurrence from earlier calls with a smaller {@code from} (-1: none left; initially
         * {@code Integer.MIN_VALUE}), so that one scan looks for each literal in linear time overall.
         */
        int next(String text, int from, int[] found) {
            int best = -1;
            for (int i = 0; i < literals.length; i++) {
                int q = found[i];
                if (q == -1) {
                    continue;
                }
                if (q < from + minBack) {
                    String literal = literals[i];
                    q = ignoreCase ? indexOfIgnoreCase(text, literal, from + minBack) : text.indexOf(literal,
                            from + minBack);
                    found[i] = q;
                }
                if (q >= 0) {
                    int c = Math.max(from, q - back);
                    if (best < 0 || c < best) {
                        best = c;
                    }
                }
            }
            return best;
        }
    }

    private static final Predicate<String> ANY = s -> true;

    private static final List<Rule> RULES = List.of(
            rule(FindingKind.PRIVATE_KEY, "-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?"
                    + "(?:-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----|\\z)", Starts.at("-----BEGIN ")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}",
                    Starts.at("sk_", "rk_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])whsec_[0-9A-Za-z+/=]{20,}", Starts.at("whsec_")),
            new Rule(FindingKind.API_KEY, Pattern.compile("(?<![A-Za-z0-9_-])sk-([A-Za-z0-9_-]{20,})"), 0,
                    SecretDetector::mixed, Starts.at("sk-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}",
                    Starts.at("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}", Starts.at("github_pat_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}", Starts.at("xox")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])xapp-\\d-[A-Za-z0-9-]{10,}", Starts.at("xapp-")),
            rule(FindingKind.API_KEY, "https://hooks\\.slack\\.com/services/[A-Za-z0-9/]{20,}",
                    Starts.at("https://hooks.slack.com/services/")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", Starts.at("AIza")),
            // Vendors' token formats with a fixed prefix (as the providers document them, and as secret scanners
            // such as gitleaks match them)
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_-])(?:glpat|gldt|glrt|glptt|glft|glsoat|glcbt|glimt|glagent)-"
                    + "[0-9A-Za-z_-]{20,}", Starts.at("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "glcbt-",
                    "glimt-", "glagent-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", Starts.at("npm_")),
            rule(FindingKind.API_KEY, "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}", Starts.at("pypi-AgEIcHlwaS5vcmc")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34,}(?![A-Za-z0-9])", Starts.at("hf_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}", Starts.at("SG.")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}",
                    Starts.at("shpat_", "shpss_", "shpca_", "shppa_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}",
                    Starts.at("dop_v1_", "doo_v1_", "dor_v1_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])sq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}",
                    Starts.at("sq0atp-", "sq0csp-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])GOCSPX-[A-Za-z0-9_-]{28}", Starts.at("GOCSPX-")),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9])ya29\\.[0-9A-Za-z_-]{30,}", Starts.at("ya29.")),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9])1//0[0-9A-Za-z_-]{30,}", Starts.at("1//0")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])AT(?:ATT|CTT)3[A-Za-z0-9_=-]{100,}",
                    Starts.at("ATATT3", "ATCTT3")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])dapi[a-f0-9]{32}(?:-\\d)?(?![A-Za-z0-9])", Starts.at("dapi")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])lin_api_[A-Za-z0-9]{40}", Starts.at("lin_api_")),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9])hv[sbr]\\.[A-Za-z0-9_-]{24,}", Starts.at("hvs.", "hvb.", "hvr.")),
            rule(FindingKind.PRIVATE_KEY, "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
                    Starts.at("AGE-SECRET-KEY-1")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])PMAK-[a-f0-9]{24}-[a-f0-9]{34}", Starts.at("PMAK-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_"
                    + "[A-Fa-f0-9]{8})", Starts.at("glc_", "glsa_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])NRAK-[A-Z0-9]{27}", Starts.at("NRAK-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])sntry[su]_[A-Za-z0-9+/=_-]{40,}",
                    Starts.at("sntrys_", "sntryu_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])sbp_[a-f0-9]{40}", Starts.at("sbp_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])", Starts.at("SK")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])key-[0-9a-f]{32}(?![A-Za-z0-9])", Starts.at("key-")),
            rule(FindingKind.API_KEY, "https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d+/"
                    + "[A-Za-z0-9_-]{40,}", Starts.at("https://")),
            rule(FindingKind.TOKEN, "(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])",
                    new Starts(false, 10, 8, ":AA")),
            new Rule(FindingKind.API_KEY, Pattern.compile("(?i)(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey)="
                    + "([A-Za-z0-9+/]{40,}={0,2})"), 1, ANY, Starts.atIgnoringCase("accountkey=", "sharedaccesskey=")),
            new Rule(FindingKind.TOKEN, Pattern.compile("(?i)[?&]sig=([A-Za-z0-9%+/=]{30,})"), 1, ANY,
                    new Starts(true, 1, 1, "sig=")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}"
                    + "(?![A-Za-z0-9_~.-])", new Starts(false, 4, 4, "Q~")),
            new Rule(FindingKind.TOKEN, Pattern.compile("(?i)(?<![A-Za-z0-9])(?:proxy-)?authorization\\s*[:=]\\s*[\"']?"
                    + "basic\\s+([A-Za-z0-9+/]{12,}={0,2})"), 1, ANY, Starts.atIgnoringCase("authorization", "proxy-")),
            // Digest credentials: the response hash answers the nonce, and with it the password can be guessed offline
            new Rule(FindingKind.TOKEN, Pattern.compile("(?i)(?<![A-Za-z0-9])(?:proxy-)?authorization\\s*[:=]\\s*[\"']?"
                    + "digest\\s+([^\\r\\n]{10,1000})"), 1, ANY, Starts.atIgnoringCase("authorization", "proxy-")),
            new Rule(FindingKind.TOKEN, Pattern.compile("(?i)(?<![A-Za-z0-9-])(?:x-api-key|api-key|x-auth-token|x-access-token"
                    + "|private-token|x-goog-api-key)\\s*:\\s*[\"']?([A-Za-z0-9._~+/=-]{16,})"), 1, SecretDetector::notPlaceholder,
                    Starts.atIgnoringCase("x-api-key", "api-key", "x-auth-token", "x-access-token", "private-token",
                            "x-goog-api-key")),
            // AI providers
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_-])sk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_-]{80,120}",
                    Starts.at("sk-ant-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{48,56}(?![A-Za-z0-9])", Starts.at("gsk_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])r8_[A-Za-z0-9]{37,40}(?![A-Za-z0-9])", Starts.at("r8_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_-])pplx-[A-Za-z0-9]{40,56}(?![A-Za-z0-9])", Starts.at("pplx-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])xai-[A-Za-z0-9]{60,90}(?![A-Za-z0-9])", Starts.at("xai-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:fw_|tgp_v1_)[A-Za-z0-9_-]{24,64}(?![A-Za-z0-9_-])",
                    Starts.at("fw_", "tgp_v1_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})", Starts.at("lsv2_")),
            // Code hosts, registries and CI
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_-])ATBB[A-Za-z0-9_=.-]{28,}", Starts.at("ATBB")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])dckr_pat_[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])",
                    Starts.at("dckr_pat_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])rubygems_[a-f0-9]{48}(?![A-Za-z0-9])", Starts.at("rubygems_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])oy2[a-z0-9]{43}(?![A-Za-z0-9])", Starts.at("oy2")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])cio[A-Za-z0-9]{32}(?![A-Za-z0-9])", Starts.at("cio")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,64})",
                    Starts.at("pscale_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:pul-[a-f0-9]{40}|tfp_[A-Za-z0-9]{40,}|CCIPAT_[A-Za-z0-9]{22}_"
                    + "[a-f0-9]{40})", Starts.at("pul-", "tfp_", "CCIPAT_")),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9])[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}",
                    new Starts(false, 14, 14, ".atlasv1.")),
            // Payment, commerce and messaging
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_$])access_token\\$production\\$[a-z0-9]{16}\\$[a-f0-9]{32}",
                    Starts.at("access_token$production$")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:FLWSECK|FLWPUBK)_TEST-[a-h0-9]{32}-X", Starts.at("FLWSECK", "FLWPUBK")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}", Starts.at("xkeysib-")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:mailchimp|mc)?[a-f0-9]{32}-us\\d{1,2}(?![A-Za-z0-9])",
                    new Starts(false, 41, 32, "-us")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9])AC[a-f0-9]{32}(?![A-Za-z0-9])", Starts.at("AC")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:key|pubkey)-[a-f0-9]{32}(?![A-Za-z0-9])", Starts.at("pubkey-")),
            rule(FindingKind.API_KEY, "https://[a-z0-9-]+\\.webhook\\.office\\.com/webhookb2/[A-Za-z0-9@/-]{40,}",
                    Starts.at("https://")),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}"
                    + "(?![A-Za-z0-9_-])", Starts.at("M", "N", "O")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:EAA[A-Za-z0-9]{100,})", Starts.at("EAA")),
            // Clouds and infrastructure
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:dp\\.pt\\.[A-Za-z0-9]{43}|dp\\.st\\.[a-z0-9_-]{2,35}\\."
                    + "[A-Za-z0-9]{43})", Starts.at("dp.pt.", "dp.st.")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:LTAI[A-Za-z0-9]{20})(?![A-Za-z0-9])", Starts.at("LTAI")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:AKID[A-Za-z0-9]{32})(?![A-Za-z0-9])", Starts.at("AKID")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:vercel_[A-Za-z0-9]{24}|nfp_[A-Za-z0-9]{36}|fly[ao]_"
                    + "[A-Za-z0-9_-]{40,}|ntn_[A-Za-z0-9]{46}|secret_[A-Za-z0-9]{43})(?![A-Za-z0-9])",
                    Starts.at("vercel_", "nfp_", "flya_", "flyo_", "ntn_", "secret_")),
            rule(FindingKind.API_KEY, "(?<![A-Za-z0-9_])(?:CLOJARS_[a-z0-9]{60}|dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}"
                    + "|ops_eyJ[A-Za-z0-9+/=]{100,})", Starts.at("CLOJARS_", "dt0c01.", "ops_eyJ")),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9_])(?:sl\\.[A-Za-z0-9_-]{130,152})(?![A-Za-z0-9_-])", Starts.at("sl.")),
            rule(FindingKind.AWS_KEY, "(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
                    Starts.at("AKIA", "ASIA", "ABIA", "ACCA")),
            new Rule(FindingKind.AWS_KEY, Pattern.compile("(?i)(?:aws[_\\-\\s.]{0,3}(?:secret[_\\-\\s.]{0,3}"
                    + "(?:access[_\\-\\s.]{0,3})?key|sk)|secret[_\\-\\s.]?access[_\\-\\s.]?key)[\"']?\\s*[:=]+\\s*[\"']?"
                    + "([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"), 1, ANY,
                    Starts.atIgnoringCase("aws", "secret")),
            rule(FindingKind.TOKEN, "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*",
                    Starts.at("eyJ")),
            new Rule(FindingKind.TOKEN, Pattern.compile("(?i)(?<![A-Za-z0-9])bearer\\s+([A-Za-z0-9._~+/-]{20,}=*)"), 1,
                    SecretDetector::mixed, Starts.atIgnoringCase("bearer")),
            rule(FindingKind.CONNECTION_STRING, "(?i)(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]{1,20}://"
                    + "[^\\s:/@\"'<>]+:[^\\s@/\"'<>]+@[^\\s\"'<>]+",
                    new Starts(false, 21, 2, "://"))); // [a-z][a-z0-9+.-]{1,20} before ://

    /**
     * No rule matches fewer characters than this (the shortest is a URL with a password, {@code ab://c:d@e}), so
     * shorter texts, such as most member names and protocol values of a tool result, are not scanned at all.
     */
    static final int MIN_MATCH_LENGTH = 10;

    private static final Pattern ASSIGNMENT = Pattern.compile("(?iu)(?<![A-Za-z0-9])(password|passwd|pwd|pass|secret"
            + "|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token"
            + "|refresh[_-]?token|token|private[_-]?key"
            // "password" in German, Spanish, Portuguese, French, Dutch, Polish, Italian/Romanian, Russian, Finnish,
            // Danish/Norwegian, Swedish
            + "|passwort|kennwort|contrase(?:ñ|n)a|senha|mot[_ -]?de[_ -]?passe|motdepasse|wachtwoord|has(?:ł|l)o|parola"
            + "|пароль|salasana|adgangskode|passord|l(?:ö|o)senord)[\"']?\\s*(?:[:=]|=>)\\s*[\"']?([^\\s\"',;&<>]{8,200})");

    private static final SecretDetector STANDARD = new SecretDetector();

    private SecretDetector() {
    }

    /** The detector with every built-in rule. */
    public static SecretDetector standard() {
        return STANDARD;
    }

    private static Rule rule(FindingKind kind, String regex, Starts starts) {
        return new Rule(kind, Pattern.compile(regex), 0, ANY, starts);
    }

    /** The first {@code literal} (lower-case ASCII) in {@code text} at or after {@code from}, ignoring case. */
    private static int indexOfIgnoreCase(String text, String literal, int from) {
        char first = literal.charAt(0);
        for (int i = Math.max(0, from), last = text.length() - literal.length(); i <= last; i++) {
            char c = text.charAt(i);
            if ((c | 0x20) == first && text.regionMatches(true, i, literal, 0, literal.length())) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Assignments whose key merely ends in a credential word ({@code DB_PASSWORD}, {@code stripeSecretKey},
     * {@code GITHUB_TOKEN}, {@code smtp.pass}): a name of letters, digits, {@code _ - .}, then the word, in any
     * case. Found from the word back to where the name starts, so the scan stays linear.
     */
    private static final Pattern PREFIXED_ASSIGNMENT = Pattern.compile("(?i)(?<![A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]{0,60}?"
            + "(password|passwd|passphrase|pwd|secret|secretkey|secret_key|secret-key|apikey|api_key|api-key|accesskey"
            + "|access_key|privatekey|private_key|token|auth|credentials?|key))[\"']?\\s*(?:[:=]|=>)\\s*[\"']?"
            + "([^\\s\"',;&<>]{8,200})");

    /** The starts of assignments: the first letters of every key name {@link #ASSIGNMENT} accepts. */
    private static final Starts ASSIGNMENT_STARTS = Starts.atIgnoringCase("pass", "pwd", "secret", "client", "api",
            "access", "auth", "refresh", "token", "private", "kenn", "contra", "senha", "mot", "wacht", "has",
            "parol", "пароль", "sala", "adgang", "lösen", "losen");

    /**
     * What {@code while (m.find())} over the whole text gives, trying the pattern only where a match can start: in
     * increasing order, the first candidate where the pattern matches (with the rest of the text visible to
     * look-arounds) is the leftmost match, and the search resumes at its end, as {@code find()} does.
     */
    private interface Found {
        void found(Matcher m);
    }

    private static void findAll(Pattern pattern, Starts starts, String text, Found found) {
        Matcher m = null;
        int n = text.length();
        int from = 0;
        int[] next = new int[starts.literals.length];
        java.util.Arrays.fill(next, Integer.MIN_VALUE);
        while (from < n) {
            int c = starts.next(text, from, next);
            if (c < 0) {
                return;
            }
            if (m == null) {
                m = pattern.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
            }
            m.region(c, n);
            if (m.lookingAt()) {
                found.found(m);
                from = m.end() > c ? m.end() : c + 1;
            } else {
                from = c + 1;
            }
        }
    }

    @Override
    public List<TextMatch> scan(String text) {
        List<TextMatch> matches = scanPlain(text);
        if (text.length() >= MIN_ENCODED_LENGTH) {
            encoded(text, matches);
            grouped(text, matches);
        }
        return matches;
    }

    /** Runs of at least four groups of 2–8 letters and digits split by single spaces or hyphens, with a digit. */
    private static final Pattern GROUPED = Pattern.compile(
            "(?<![A-Za-z0-9])[A-Za-z0-9]{2,8}(?:[ -][A-Za-z0-9]{2,8}){3,15}(?![A-Za-z0-9])");

    /**
     * A vendor key written in groups, as people copy one out of a console or read it aloud
     * ({@code AKIA IOSF ODNN 7EXA MPLE}): each run of groups is joined and the vendor rules run on it; a key found
     * there is the span of the run it was written across.
     */
    private void grouped(String text, List<TextMatch> matches) {
        Matcher m = GROUPED.matcher(text);
        Coverage found = null;
        while (m.find()) {
            String run = m.group();
            if (run.chars().noneMatch(Character::isDigit)) {
                continue; // words, not a key
            }
            StringBuilder joined = new StringBuilder(run.length());
            int[] at = new int[run.length()];
            for (int i = 0; i < run.length(); i++) {
                char c = run.charAt(i);
                if (c != ' ' && c != '-') {
                    at[joined.length()] = m.start() + i;
                    joined.append(c);
                }
            }
            String j = joined.toString();
            if (found == null) {
                found = new Coverage(matches);
            }
            Coverage before = found;
            List<TextMatch> inRun = new ArrayList<>(1);
            for (Rule rule : RULES) {
                findAll(rule.pattern, rule.starts, j, r -> {
                    int s0 = r.start(rule.group);
                    int e0 = r.end(rule.group);
                    if (e0 > s0 && rule.accept.test(r.group(rule.group))) {
                        int start = at[s0];
                        int end = at[e0 - 1] + 1;
                        boolean split = end - start > e0 - s0; // written with separators: not found as it stands
                        if (split && !before.covers(start, end)
                                && inRun.stream().noneMatch(t -> t.start() <= start && t.end() >= end)) {
                            inRun.add(new TextMatch(rule.kind, start, end));
                        }
                    }
                });
            }
            matches.addAll(inRun);
        }
    }

    /**
     * Whether a span lies inside one of a fixed set of matches, in logarithmic time: comparing each candidate with
     * every match found so far is quadratic on a text made of thousands of keys.
     */
    static final class Coverage {
        private final int[] starts;
        private final int[] maxEnds;

        Coverage(List<TextMatch> matches) {
            TextMatch[] sorted = matches.toArray(TextMatch[]::new);
            java.util.Arrays.sort(sorted, java.util.Comparator.comparingInt(TextMatch::start));
            starts = new int[sorted.length];
            maxEnds = new int[sorted.length];
            int max = Integer.MIN_VALUE;
            for (int i = 0; i < sorted.length; i++) {
                starts[i] = sorted[i].start();
                max = Math.max(max, sorted[i].end());
                maxEnds[i] = max;
            }
        }

        /** Whether some match starts at or before {@code start} and ends at or after {@code end}. */
        boolean covers(int start, int end) {
            int lo = 0;
            int hi = starts.length - 1;
            int last = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (starts[mid] <= start) {
                    last = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return last >= 0 && maxEnds[last] >= end;
        }
    }

    /** Shortest base64 or hex run decoded: 12 bytes of base64, the shortest vendor key ids being 16 characters. */
    static final int MIN_ENCODED_LENGTH = 16;

    private static final Pattern ENCODED = Pattern.compile(
            "(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{" + MIN_ENCODED_LENGTH + ",4096}={0,2}(?![A-Za-z0-9+/_=-])");

    /**
     * A credential written in base64 or hex ({@code QUtJQUlPU0ZPRE5ON0VYQU1QTEU=} is an AWS key id): each such run
     * that decodes to text is scanned as text, and where that finds a credential, the whole run is one.
     */
    private void encoded(String text, List<TextMatch> matches) {
        Matcher m = ENCODED.matcher(text);
        Coverage plain = null;
        while (m.find()) {
            int start = m.start();
            int end = m.end();
            if (plain == null) {
                plain = new Coverage(matches); // what encoded runs add lies in their own runs, never in a later one
            }
            if (plain.covers(start, end)) {
                continue; // already a credential as written (a JWT, a key)
            }
            String decoded = decodedText(m.group());
            if (decoded == null) {
                continue;
            }
            List<TextMatch> inner = scanPlain(decoded);
            if (!inner.isEmpty()) {
                matches.add(new TextMatch(inner.getFirst().kind(), start, end));
            }
        }
    }

    /** The run decoded from hex or base64 (either alphabet) when that gives printable UTF-8 text, else null. */
    static String decodedText(String run) {
        byte[] bytes = null;
        if (run.length() % 2 == 0 && run.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            bytes = java.util.HexFormat.of().parseHex(run);
        } else {
            String unpadded = run.replace("=", "");
            if (unpadded.length() % 4 == 1) {
                return null;
            }
            try {
                bytes = (unpadded.indexOf('-') >= 0 || unpadded.indexOf('_') >= 0 ? java.util.Base64.getUrlDecoder()
                        : java.util.Base64.getDecoder()).decode(unpadded);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        java.nio.charset.CharsetDecoder utf8 = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        String decoded;
        try {
            decoded = utf8.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
        long printable = decoded.chars().filter(c -> c >= 0x20 && c != 0x7F || c == '\n' || c == '\t' || c == '\r')
                .count();
        return decoded.length() >= MIN_MATCH_LENGTH && printable == decoded.length() ? decoded : null;
    }

    private List<TextMatch> scanPlain(String text) {
        List<TextMatch> matches = new ArrayList<>();
        if (text.length() < MIN_MATCH_LENGTH) {
            return matches;
        }
        for (Rule rule : RULES) {
            findAll(rule.pattern, rule.starts, text, m -> {
                if (m.end(rule.group) > m.start(rule.group) && rule.accept.test(m.group(rule.group))) {
                    matches.add(new TextMatch(rule.kind, m.start(rule.group), m.end(rule.group)));
                }
            });
        }
        ConnectionStrings.jdbc(text, matches);
        ConnectionStrings.adoNet(text, matches);
        java.util.Set<Long> prefixed = prefixedAssignments(text, matches);
        findAll(ASSIGNMENT, ASSIGNMENT_STARTS, text, m -> {
            String value = m.group(2);
            boolean credential = looksRandom(value)
                    || kindOf(m.group(1)) == FindingKind.PASSWORD && looksLikePassword(value);
            if (credential && !prefixed.contains((long) m.start(2) << 32 | m.end(2))) {
                matches.add(new TextMatch(kindOf(m.group(1)), m.start(2), m.end(2)));
            }
        });
        return matches;
    }

    private static final String[] CREDENTIAL_WORDS = {"password", "passwd", "passphrase", "pwd", "secret", "key",
        "token", "auth", "credential", "apikey"};

    /**
     * {@link #PREFIXED_ASSIGNMENT}: each credential word followed (after the rest of the name) by {@code =} or
     * {@code :} is matched from the start of its name, found by walking back over name characters (at most 60).
     */
    private static java.util.Set<Long> prefixedAssignments(String text, List<TextMatch> matches) {
        java.util.Set<Long> spans = new java.util.HashSet<>();
        Matcher m = PREFIXED_ASSIGNMENT.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        int n = text.length();
        int done = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c != '=' && c != ':') {
                continue;
            }
            // the name ends before optional quote/space; walk back over it
            int end = i;
            while (end > 0 && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\t')) {
                end--;
            }
            if (end > 0 && (text.charAt(end - 1) == '"' || text.charAt(end - 1) == '\'')) {
                end--;
            }
            int start = end;
            while (start > 0 && end - start < 61 && nameChar(text.charAt(start - 1))) {
                start--;
            }
            if (start >= end || start < done || !endsWithCredentialWord(text, start, end)) {
                continue;
            }
            m.region(start, n);
            if (m.lookingAt()) {
                String value = m.group(3);
                FindingKind kind = kindOf(m.group(2));
                // a name ending in a bare "key" (sort_key, primary_key) is often not a credential: a long value of
                // letters and digits only
                boolean bareKey = m.group(2).equalsIgnoreCase("key");
                boolean credential = bareKey
                        ? value.length() >= 16 && looksRandom(value) && value.chars().anyMatch(Character::isDigit)
                                && value.chars().anyMatch(Character::isLetter)
                        : looksRandom(value) || kind == FindingKind.PASSWORD && looksLikePassword(value);
                if (credential) {
                    matches.add(new TextMatch(kind, m.start(3), m.end(3)));
                    spans.add((long) m.start(3) << 32 | m.end(3));
                }
                done = m.end();
                i = Math.max(i, m.end() - 1);
            }
        }
        return spans;
    }

    private static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.';
    }

    private static boolean endsWithCredentialWord(String text, int start, int end) {
        for (String w : CREDENTIAL_WORDS) {
            if (end - start >= w.length() && text.regionMatches(true, end - w.length(), w, 0, w.length())) {
                return true;
            }
        }
        return text.regionMatches(true, end - 1, "s", 0, 1) && endsWithCredentialWord(text, start, end - 1);
    }

    /** Not a placeholder such as {@code ${API_KEY}} or {@code <your-key>}. */
    private static boolean notPlaceholder(String value) {
        return !(value.startsWith("$") || value.startsWith("<") || value.startsWith("{") || value.startsWith("%"));
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
    /**
     * A value given to a password key that people choose rather than generate ({@code hunter2hunter2},
     * {@code Summer2024!}): low entropy, but a digit or a symbol beside its letters, or both cases. A plain word
     * ({@code required}, {@code optional}, {@code changeme}) or a placeholder is not one.
     */
    static boolean looksLikePassword(String value) {
        if (value.startsWith("$") || value.startsWith("%") || value.startsWith("{") || value.startsWith("[")
                || value.startsWith("*") || value.startsWith("<") || value.startsWith("(")) {
            return false;
        }
        boolean letter = false;
        boolean other = false;
        boolean upper = false;
        boolean lower = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            letter |= Character.isLetter(c);
            other |= !Character.isLetter(c);
            upper |= Character.isUpperCase(c);
            lower |= Character.isLowerCase(c);
        }
        return value.chars().distinct().count() > 2 && (letter && other || upper && lower && !capitalised(value));
    }

    /** "Required", "None": one capital, then lower case. */
    private static boolean capitalised(String value) {
        return Character.isUpperCase(value.charAt(0)) && value.substring(1).chars().noneMatch(Character::isUpperCase);
    }

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
