package dev.mcpwarden.security.integrity;

import dev.mcpwarden.security.text.Fold;
import dev.mcpwarden.security.text.Folded;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Scans definitions for tool poisoning: text aimed at the model rather than the user, hidden in a description or in
 * any string of a schema (member names, descriptions, titles, enum values, defaults, examples, at any depth).
 *
 * <p>Phrases are matched on each string after the shared {@link Fold} (invisible characters dropped, compatibility
 * forms and accents folded, Cyrillic and Greek look-alikes mapped to Latin, lower case, white space collapsed, and in
 * member names {@code _} and {@code -} as spaces), so "ig\u200Bnore prev\u0456ous instructions" is caught as well
 * as its plain form, and findings quote the original text; the Unicode tricks themselves are reported separately.
 * The rules are tuned so that ordinary descriptions (the everything-server's and the sample server's) give nothing
 * at {@link Severity#HIGH} or above: a sibling tool named in passing is {@code MEDIUM}, steering towards or away
 * from it is {@code HIGH}.
 *
 * <p>Stateless and thread-safe.
 */
public final class PoisoningScanner {

    private static final int EXCERPT = 120;
    private static final int LONG_TEXT = 2048;
    private static final int VERY_LONG_TEXT = 10_000;

    private static final PoisoningScanner STANDARD = new PoisoningScanner();

    /** What the phrase rules see in string values; they are written in lower case with single spaces. */
    private static final Fold VALUES = Fold.of(Fold.Option.LOWER_CASE, Fold.Option.COLLAPSE_SPACE);
    /** Member names also read {@code side_note} and {@code side-note} as {@code side note}. */
    private static final Fold MEMBER_NAMES = Fold.of(Fold.Option.LOWER_CASE, Fold.Option.COLLAPSE_SPACE,
            Fold.Option.SEPARATORS_AS_SPACE);
    private static final Fold VALUES_SPACED = Fold.of(Fold.Option.LOWER_CASE, Fold.Option.COLLAPSE_SPACE,
            Fold.Option.INVISIBLE_AS_SPACE);
    private static final Fold MEMBER_NAMES_SPACED = Fold.of(Fold.Option.LOWER_CASE, Fold.Option.COLLAPSE_SPACE,
            Fold.Option.SEPARATORS_AS_SPACE, Fold.Option.INVISIBLE_AS_SPACE);

    /** A phrase rule: a pattern on folded text, with the kind, severity and reason of its findings. */
    private record Rule(PoisoningKind kind, Severity severity, Pattern pattern, String message) {
    }

    private static Pattern p(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    private static final String USER = "(?:the\\s+)?(?:user|human|operator|person|customer|client)(?!['’]s|s\\b)\\b";

    private static final List<Rule> RULES = List.of(
            new Rule(PoisoningKind.HIDDEN_INSTRUCTION, Severity.CRITICAL, p(
                    "\\b(?:ignore|disregard|forget|override|bypass|skip)\\b[^.\\n]{0,40}?"
                            + "\\b(?:previous|prior|above|earlier|preceding|all|any|other|your|system|original)\\b"
                            + "[^.\\n]{0,30}?\\b(?:instructions?|rules|prompts?|directions|guidelines|guardrails"
                            + "|constraints|polic(?:y|ies)|safety)\\b"),
                    "tells the model to ignore its instructions"),
            new Rule(PoisoningKind.HIDDEN_INSTRUCTION, Severity.CRITICAL, p(
                    "\\b(?:do\\s+not|don['’]?t|never|must\\s+not|mustn['’]?t|should\\s+not|shouldn['’]?t)\\s+"
                            + "(?:ever\\s+)?(?:tell|inform|mention|reveal|disclose|show|notify|alert|warn|let|ask)"
                            + "\\s+(?:this\\s+to\\s+|it\\s+to\\s+|anything\\s+to\\s+)?" + USER),
                    "tells the model to keep something from the user"),
            new Rule(PoisoningKind.HIDDEN_INSTRUCTION, Severity.CRITICAL, p(
                    "\\bwithout\\s+(?:telling|informing|notifying|asking|alerting|warning|showing|letting)\\s+"
                            + USER + "|\\b(?:the\\s+)?user\\s+(?:must|should|need|needs|is)\\s*(?:not|n['’]?t)\\s+"
                            + "(?:to\\s+)?(?:know|see|notice|be\\s+(?:told|informed|aware|shown))"
                            + "|\\b(?:keep|hide)\\s+(?:this|it|these|that)\\s+(?:secret|hidden|confidential|private"
                            + "|from\\s+the\\s+user)|\\bnot\\s+(?:visible|shown|displayed)\\s+to\\s+the\\s+user"),
                    "tells the model to keep something from the user"),
            new Rule(PoisoningKind.HIDDEN_INSTRUCTION, Severity.HIGH, p(
                    "<\\s*/?\\s*(?:important|system|instructions?|secret|hidden|critical|admin|override|prompt"
                            + "|assistant|system[-_ ]?prompt|sys|hidden[-_ ]?instructions?)\\s*>"
                            + "|\\[\\s*/?\\s*(?:system|important|instructions?|inst|sys)\\s*\\]"
                            + "|<\\|\\s*(?:im_start|im_end|system|endoftext)\\s*\\|>"),
                    "carries a tag that addresses the model (<IMPORTANT>, [SYSTEM], chat-template tokens)"),
            new Rule(PoisoningKind.HIDDEN_INSTRUCTION, Severity.HIGH, p(
                    "\\b(?:before|prior\\s+to)\\s+(?:using|calling|invoking|running|executing|you\\s+use"
                            + "|you\\s+call)\\s+(?:this|the|any|other)\\s+(?:tool|function)s?\\b[^.\\n]{0,80}?"
                            + "\\b(?:read|call|run|fetch|open|send|use|invoke|execute|include|cat|load|pass|provide"
                            + "|upload|list)\\b"),
                    "tells the model to do something else before using the tool"),
            new Rule(PoisoningKind.HIDDEN_INSTRUCTION, Severity.HIGH, p(
                    "\\b(?:you\\s+are\\s+now|from\\s+now\\s+on,?\\s+you|new\\s+instructions?\\s*:"
                            + "|system\\s+(?:prompt|message)\\s*:|act\\s+as\\s+(?:an?\\s+)?(?:admin|root|system"
                            + "|developer|unrestricted)|developer\\s+mode|jailbreak|do\\s+anything\\s+now)"
                            + "|\\b(?:reveal|print|output|repeat|leak|show|dump)\\s+(?:your|the)\\s+(?:system\\s+"
                            + "prompt|instructions|hidden\\s+prompt|initial\\s+prompt)"),
                    "tries to override the model's role or extract its instructions"),
            new Rule(PoisoningKind.HIDDEN_INSTRUCTION, Severity.MEDIUM, p("<!--"),
                    "contains an HTML comment, hidden when the description is rendered"),
            new Rule(PoisoningKind.EXFILTRATION, Severity.HIGH, p(
                    "\\b(?:pass|send|include|add|put|append|attach|supply|give|provide|forward|post|upload|share"
                            + "|copy|paste|insert|embed)\\s+(?:it\\s+|them\\s+)?(?:along\\s+)?(?:with\\s+)?"
                            + "(?:the\\s+|your\\s+|its\\s+|all\\s+|any\\s+|their\\s+)?(?:user['’]?s\\s+)?"
                            + "(?:api[\\s_-]?keys?|(?:access|auth|bearer|api|session|refresh|oauth|github|id)[\\s_-]?"
                            + "tokens?|passwords?|passphrases?|credentials?|secrets?|private[\\s_-]?keys?"
                            + "|ssh[\\s_-]?keys?|session\\s+cookies?|cookies?|authorization\\s+headers?"
                            + "|environment\\s+variables?|env\\s+vars?)\\b"),
                    "asks the model to hand over credentials"),
            new Rule(PoisoningKind.EXFILTRATION, Severity.HIGH, p(
                    "\\b(?:pass|send|include|add|put|append|attach|forward|post|upload|share|copy|paste|insert"
                            + "|embed|summari[sz]e|provide)\\b[^.\\n]{0,40}?\\b(?:(?:conversation|chat|message)\\s+"
                            + "(?:history|log|transcript)|(?:all|previous|prior|earlier|entire|whole|other)\\s+"
                            + "(?:the\\s+)?(?:messages|conversation|chat)|system\\s+prompt"
                            + "|(?:other|previous)\\s+tools?['’]?\\s+(?:results|outputs|responses))\\b"),
                    "asks the model to hand over the conversation or other tools' results")
    );

    private static final Pattern SEND_TO_URL = p(
            "\\b(?:send|post|upload|forward|transmit|exfiltrate|leak|copy|e-?mail|mail|submit|report|relay|deliver"
                    + "|pipe|beacon|push|sync)\\w*\\b[^\\n]{0,80}?\\b(?:to|into|at|via|on)\\s+"
                    + "(?:https?://|ftp://|wss?://|[\\w.+-]+@[\\w-]+\\.[\\w.]+)");
    private static final Pattern PASS_CONTENTS = p(
            "\\b(?:pass|send|put|include|append|attach|add|provide|insert|embed|encode|paste|use)\\s+(?:its|the|their"
                    + "|this|that|these|those|the\\s+file['’]?s?|the\\s+files['’]?)\\s+(?:full\\s+|entire\\s+|raw\\s+)?"
                    + "(?:contents?|text|data|output)\\s+(?:as|in|into|to|inside|within|via)\\b");
    private static final Pattern DATA_NOUN = p(
            "\\b(?:conversation|history|transcript|context|credentials?|api[\\s_-]?keys?|tokens?|passwords?"
                    + "|secrets?|contents?|files?|environment|env|cookies?|session|ssh|private|personal|data"
                    + "|everything|all)\\b");
    private static final Pattern INCLUDE_CONTENTS = p(
            "\\b(?:include|attach|append|embed|insert|put|paste|add)\\s+(?:the\\s+)?(?:full\\s+|entire\\s+"
                    + "|complete\\s+|whole\\s+|raw\\s+|exact\\s+)?(?:contents?|text|body)\\s+of\\b");
    private static final Pattern SENSITIVE_PATH = p(
            "~/\\.|\\$home/\\.|\\bid_(?:rsa|ed25519|ecdsa|dsa)\\b|\\.ssh\\b|/etc/(?:passwd|shadow|sudoers)"
                    + "|\\.aws/credentials|\\.aws/config|(?:^|[\\s/~'\"`(])\\.env\\b|\\.npmrc\\b|\\.netrc\\b"
                    + "|\\.pgpass\\b|\\.git-credentials\\b|\\.kube/config|\\bmcp\\.json\\b"
                    + "|claude_desktop_config|\\.cursor/|\\bwallet\\.dat\\b|\\.gnupg\\b|\\bkeychain\\b"
                    + "|\\bshadow\\s+file\\b|/proc/self/environ");
    private static final Pattern READ_VERB = p(
            "\\b(?:read|cat|open|include|send|upload|pass|provide|attach|load|print|output|contents?|copy|paste"
                    + "|insert|append|fetch|get)\\b");
    private static final Pattern STEERING = p(
            "\\b(?:always|must|instead\\s+of|rather\\s+than|never|do\\s+not|don['’]?t|deprecated|broken|ignore"
                    + "|disabled|no\\s+longer|replaces?|overrides?|shadow)\\b");
    private static final Pattern DEPRECATED = p("\\b(?:deprecated|obsolete|legacy|superseded|retired)\\b");
    private static final Pattern USE_BEFORE = p("\\b(?:use|prefer|call|try)\\s+(?:the\\s+)?(?:tool\\s+)?[`'\"]?$");
    private static final Pattern INSTEAD_AFTER = p("[`'\"]?(?:\\s+tool)?\\s*(?:instead|in\\s+its\\s+place)\\b");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{24,}={0,2}");
    private static final Pattern HEX = Pattern.compile("(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){20,}(?![0-9A-Fa-f])");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{M}]+");

    /** Parameter names (lower case, separators removed) that invite the model to hand over data. */
    private static final Map<String, Severity> SUSPICIOUS_PARAMETERS = new LinkedHashMap<>();

    static {
        for (String n : List.of("sidenote", "sidenotes", "aside", "hiddennote", "hiddennotes", "secretnote",
                "notetoself", "conversationhistory", "chathistory", "conversation", "conversationlog", "transcript",
                "previousmessages", "allmessages", "priormessages", "messagehistory", "systemprompt",
                "systeminstructions", "hiddeninstructions", "modelinstructions", "assistantnotes")) {
            SUSPICIOUS_PARAMETERS.put(n, Severity.HIGH);
        }
        for (String n : List.of("apikey", "apitoken", "accesstoken", "authtoken", "bearertoken", "password",
                "passphrase", "secret", "secretkey", "credentials", "credential", "privatekey", "sshkey", "cookie",
                "sessioncookie", "envvars", "environmentvariables", "awssecretaccesskey")) {
            SUSPICIOUS_PARAMETERS.put(n, Severity.MEDIUM);
        }
    }

    private PoisoningScanner() {
    }

    /** The scanner with Warden's rules. */
    public static PoisoningScanner standard() {
        return STANDARD;
    }

    /**
     * Scans every definition of a listing; each is checked for references to the listing's other tools. Returns
     * the findings per definition, in listing order (definitions without findings map to an empty list).
     */
    public Map<Definition, List<PoisoningFinding>> scanAll(Collection<Definition> listing) {
        Set<String> toolNames = new LinkedHashSet<>();
        listing.stream().filter(d -> d.kind() == DefinitionKind.TOOL).forEach(d -> toolNames.add(d.name()));
        Map<Definition, List<PoisoningFinding>> out = new LinkedHashMap<>();
        for (Definition d : listing) {
            out.put(d, scan(d, toolNames));
        }
        return out;
    }

    /** Scans one definition; {@code toolNames} are the names of the server's tools (its own name is ignored). */
    public List<PoisoningFinding> scan(Definition definition, Collection<String> toolNames) {
        return scan(definition.kind(), definition.json(), toolNames);
    }

    /** Scans one definition as listed (only its {@link DefinitionKind#pinnedFields() pinned fields}). */
    public List<PoisoningFinding> scan(DefinitionKind kind, JsonNode definition, Collection<String> toolNames) {
        JsonNode view = DefinitionDigest.pinnedView(kind, definition);
        JsonNode ownName = view.get(kind.identityField());
        String self = ownName != null && ownName.isString() ? ownName.asString() : null;
        List<String> others = new ArrayList<>();
        for (String n : toolNames == null ? List.<String>of() : toolNames) {
            if (n != null && !(kind == DefinitionKind.TOOL && n.equals(self))) {
                others.add(n);
            }
        }
        Scan scan = new Scan(others);
        scan.walk(view, "", false);
        List<PoisoningFinding> findings = new ArrayList<>(scan.findings.values());
        findings.sort(Comparator.comparing(PoisoningFinding::severity).reversed()
                .thenComparing(PoisoningFinding::location));
        return List.copyOf(findings);
    }

    /** Scans one free-standing string (a server's instructions, say); locations are {@code ""}. */
    public List<PoisoningFinding> scanText(String text, Collection<String> toolNames) {
        Scan scan = new Scan(toolNames == null ? List.of() : List.copyOf(toolNames));
        scan.text(text, "", false, false);
        List<PoisoningFinding> findings = new ArrayList<>(scan.findings.values());
        findings.sort(Comparator.comparing(PoisoningFinding::severity).reversed());
        return List.copyOf(findings);
    }

    /** The highest severity among findings, or null when there are none. */
    public static Severity highest(Collection<PoisoningFinding> findings) {
        return findings.stream().map(PoisoningFinding::severity).max(Comparator.naturalOrder()).orElse(null);
    }

    /** One scan's state: the other tools' names and the findings so far, one per (location, kind, rule). */
    private static final class Scan {
        private final List<String> toolNames;
        private final Map<String, PoisoningFinding> findings = new LinkedHashMap<>();

        private final List<Pattern> toolPatterns = new ArrayList<>();

        Scan(List<String> toolNames) {
            this.toolNames = toolNames;
            for (String name : toolNames) {
                String folded = VALUES.text(name);
                boolean distinctive = folded.matches(".*[_.\\-0-9].*") || name.matches(".*[a-z][A-Z].*");
                toolPatterns.add(Pattern.compile(distinctive
                        ? "(?<![\\p{L}\\p{N}_.\\-])" + Pattern.quote(folded) + "(?![\\p{L}\\p{N}_\\-])"
                        : "[`'\"“”‘’]" + Pattern.quote(folded) + "[`'\"“”‘’]"));
            }
        }

        void walk(JsonNode node, String pointer, boolean propertiesObject) {
            if (node.isObject()) {
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    String child = pointer + "/" + escape(e.getKey());
                    text(e.getKey(), child, true, propertiesObject);
                    boolean props = e.getValue().isObject() && (e.getKey().equals("properties")
                            || e.getKey().equals("patternProperties") || e.getKey().equals("$defs")
                            || e.getKey().equals("definitions") || e.getKey().equals("dependentSchemas"));
                    walk(e.getValue(), child, props && e.getKey().equals("properties"));
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    walk(node.get(i), pointer + "/" + i, false);
                }
            } else if (node.isString()) {
                text(node.asString(), pointer, false, false);
            }
        }

        /** Scans one string: a value, or a member name ({@code key}), possibly a property name ({@code param}). */
        void text(String s, String location, boolean key, boolean param) {
            if (s.isEmpty()) {
                return;
            }
            unicode(s, location, key);
            Folded f = (key ? MEMBER_NAMES : VALUES).apply(s);
            boolean identity = location.equals("/name") || location.equals("/uriTemplate");
            phrases(s, f, location, identity);
            // An invisible character between two words hides the space the rules need ("ignore\u200Bprevious"):
            // read it as a space too, as the output guard's detector does (findings of one rule count once).
            if (hasInvisible(s)) {
                Folded spaced = (key ? MEMBER_NAMES_SPACED : VALUES_SPACED).apply(s);
                if (!spaced.text().equals(f.text())) {
                    phrases(s, spaced, location, identity);
                }
            }
            mixedScript(s, location, identity);
            if (param) {
                String normal = f.text().replaceAll("[\\s_.\\-]", "");
                Severity sev = SUSPICIOUS_PARAMETERS.get(normal);
                if (sev != null) {
                    add(PoisoningKind.SUSPICIOUS_PARAMETER, sev, location, s, f, 0, f.text().length(),
                            sev == Severity.HIGH
                                    ? "parameter invites the model to hand over the conversation or hidden notes"
                                    : "parameter asks the model for a credential", "param");
                }
            }
            if (!key) {
                encoded(s, location, 0);
            }
            if (s.length() >= VERY_LONG_TEXT) {
                add(PoisoningKind.EXCESSIVE_LENGTH, Severity.MEDIUM, location, s, f, 0, 0,
                        "string of " + s.length() + " characters: long enough to bury instructions in", "len");
            } else if (s.length() >= LONG_TEXT) {
                add(PoisoningKind.EXCESSIVE_LENGTH, Severity.LOW, location, s, f, 0, 0,
                        "string of " + s.length() + " characters", "len");
            }
        }

        private void phrases(String s, Folded f, String location, boolean identity) {
            for (Rule r : RULES) {
                Matcher m = r.pattern.matcher(f.text());
                if (m.find()) {
                    add(r.kind, r.severity, location, s, f, m.start(), m.end(), r.message, r.pattern.pattern());
                }
            }
            sendToUrl(s, f, location);
            includeContents(s, f, location);
            sensitivePath(s, f, location);
            passContents(s, f, location);
            if (!identity) {
                toolReferences(s, f, location);
            }
        }

        private static boolean hasInvisible(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= 0x80 && dev.mcpwarden.security.text.Unicode.invisible(c)) {
                    return true;
                }
            }
            return false;
        }

        private void sendToUrl(String s, Folded f, String location) {
            Matcher m = SEND_TO_URL.matcher(f.text());
            if (m.find()) {
                boolean data = DATA_NOUN.matcher(f.text().substring(m.start(), m.end())).find();
                add(PoisoningKind.EXFILTRATION, data ? Severity.HIGH : Severity.MEDIUM, location, s, f, m.start(),
                        m.end(), data ? "tells the model to send data to an outside address"
                                : "mentions sending something to an outside address", "send-to");
            }
        }

        private void includeContents(String s, Folded f, String location) {
            Matcher m = INCLUDE_CONTENTS.matcher(f.text());
            if (m.find()) {
                String after = f.text().substring(m.end(), Math.min(f.text().length(), m.end() + 80));
                boolean sensitive = SENSITIVE_PATH.matcher(after).find() || DATA_NOUN.matcher(after).find()
                        && !after.matches("(?s)\\s*(?:the\\s+)?(?:file|files)\\b.*");
                add(PoisoningKind.EXFILTRATION, sensitive ? Severity.HIGH : Severity.MEDIUM, location, s, f,
                        m.start(), m.end(), "asks the model to include the contents of something", "include");
            }
        }

        private void passContents(String s, Folded f, String location) {
            Matcher m = PASS_CONTENTS.matcher(f.text());
            if (m.find()) {
                boolean secret = SENSITIVE_PATH.matcher(f.text()).find();
                add(PoisoningKind.EXFILTRATION, secret ? Severity.HIGH : Severity.MEDIUM, location, s, f, m.start(),
                        m.end(), secret ? "tells the model to put a secret file's contents into an argument"
                                : "tells the model to put something's contents into an argument", "pass-contents");
            }
        }

        private void sensitivePath(String s, Folded f, String location) {
            Matcher m = SENSITIVE_PATH.matcher(f.text());
            if (m.find()) {
                int from = Math.max(0, m.start() - 80);
                int to = Math.min(f.text().length(), m.end() + 80);
                boolean instructed = READ_VERB.matcher(f.text().substring(from, to)).find();
                add(PoisoningKind.SENSITIVE_PATH, instructed ? Severity.CRITICAL : Severity.HIGH, location, s, f,
                        m.start(), m.end(), instructed ? "tells the model to read a file that holds secrets"
                                : "names a file that holds secrets", "path");
            }
        }

        private void toolReferences(String s, Folded f, String location) {
            for (int k = 0; k < toolNames.size(); k++) {
                String name = toolNames.get(k);
                Matcher m = toolPatterns.get(k).matcher(f.text());
                if (m.find()) {
                    int from = Math.max(0, m.start() - 60);
                    int to = Math.min(f.text().length(), m.end() + 60);
                    boolean steering = STEERING.matcher(f.text().substring(from, to)).find();
                    // "DEPRECATED: use read_text_file instead": a retired tool naming its successor on the same
                    // server steers only away from itself
                    boolean successor = steering && DEPRECATED.matcher(f.text()).find()
                            && USE_BEFORE.matcher(f.text().substring(from, m.start())).find()
                            && INSTEAD_AFTER.matcher(f.text().substring(m.end(), to)).lookingAt();
                    add(PoisoningKind.TOOL_REFERENCE, steering && !successor ? Severity.HIGH : Severity.MEDIUM,
                            location, s, f, m.start(), m.end(), successor ? "names its successor, tool " + name
                                    : steering ? "steers the model towards or away from tool " + name
                                    : "mentions tool " + name, "tool:" + name);
                }
            }
        }

        private void mixedScript(String s, String location, boolean identity) {
            Matcher m = WORD.matcher(s);
            while (m.find()) {
                String word = m.group();
                boolean latin = false;
                boolean lookAlike = false;
                for (int i = 0; i < word.length(); ) {
                    int cp = word.codePointAt(i);
                    int lower = Character.toLowerCase(cp);
                    if (cp < 0x80) {
                        latin = true;
                    } else if (Fold.lookAlike(lower) != lower) {
                        lookAlike = true;
                    }
                    i += Character.charCount(cp);
                }
                if (latin && lookAlike) {
                    add(PoisoningKind.CONFUSABLE_TEXT, identity ? Severity.HIGH : Severity.MEDIUM, location, s,
                            null, m.start(), m.end(), "word mixes Latin letters with Cyrillic or Greek look-alikes",
                            "mixed");
                    return;
                }
            }
        }

        private void unicode(String s, String location, boolean key) {
            StringBuilder tags = new StringBuilder();
            int firstTag = -1;
            Severity invisible = null;
            int firstInvisible = -1;
            int invisibleCount = 0;
            Severity bidi = null;
            int firstBidi = -1;
            int control = -1;
            boolean escape = false;
            int prev = -1;
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                int n = i + Character.charCount(cp);
                int next = n < s.length() ? s.codePointAt(n) : -1;
                if (Confusables.tag(cp)) {
                    if (firstTag < 0) {
                        firstTag = i;
                    }
                    if (cp >= 0xE0020 && cp <= 0xE007E) {
                        tags.append((char) (cp - 0xE0000));
                    }
                } else if (Confusables.bidi(cp)) {
                    Severity sev = Confusables.bidiOverride(cp) ? Severity.HIGH : Severity.LOW;
                    if (bidi == null || sev.compareTo(bidi) > 0) {
                        bidi = sev;
                        firstBidi = i;
                    }
                } else if (Confusables.invisible(cp)) {
                    Severity sev = invisibleSeverity(cp, prev, next, i);
                    if (sev != null) {
                        invisibleCount++;
                        if (invisible == null || sev.compareTo(invisible) > 0) {
                            invisible = sev;
                            firstInvisible = i;
                        }
                    }
                } else if ((cp < 0x20 && cp != '\n' && cp != '\r' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F)) {
                    if (control < 0) {
                        control = i;
                    }
                    escape |= cp == 0x1B || cp == 0x9B;
                }
                prev = cp;
                i = n;
            }
            if (firstTag >= 0) {
                String hidden = tags.toString();
                String msg = hidden.isBlank() ? "contains Unicode tag characters, which are invisible"
                        : "contains invisible Unicode tag characters spelling \"" + Confusables.sanitize(hidden, 80)
                                + "\"";
                add(PoisoningKind.TAG_CHARACTER, Severity.CRITICAL, location, s, null, firstTag, firstTag + 2, msg,
                        "tag");
                if (!hidden.isBlank()) {
                    Scan inner = new Scan(toolNames);
                    inner.text(hidden, location, false, false);
                    for (PoisoningFinding f : inner.findings.values()) {
                        if (f.severity().atLeast(Severity.MEDIUM)) {
                            add(f.kind(), Severity.CRITICAL, location, s, null, firstTag, firstTag + 2,
                                    "hidden in tag characters: " + f.message(), "tag-" + f.kind() + f.message());
                        }
                    }
                }
            }
            if (bidi != null) {
                add(PoisoningKind.BIDI_CONTROL, bidi, location, s, null, firstBidi, firstBidi + 1,
                        bidi == Severity.HIGH ? "contains bidirectional override or isolate controls, which can make"
                                + " text read differently from how it is processed"
                                : "contains bidirectional marks", "bidi");
            }
            if (invisible != null) {
                add(PoisoningKind.INVISIBLE_CHARACTER, invisible, location, s, null, firstInvisible,
                        firstInvisible + 1, invisibleCount + " invisible character" + (invisibleCount == 1 ? "" : "s")
                                + (invisible == Severity.HIGH ? ", splitting words or smuggling data" : ""),
                        "invisible");
            }
            if (control >= 0) {
                add(PoisoningKind.CONTROL_CHARACTER, escape ? Severity.HIGH : Severity.MEDIUM, location, s, null,
                        control, control + 1, escape ? "contains terminal escape sequences"
                                : "contains control characters", "control");
            }
        }

        /** How suspicious one invisible character is in its neighbourhood; null when it is ordinary there. */
        private static Severity invisibleSeverity(int cp, int prev, int next, int index) {
            if (cp >= 0xE0100 && cp <= 0xE01EF) {
                // ideographic variation selectors follow Han ideographs; anywhere else they can smuggle bytes
                return prev >= 0 && Character.UnicodeScript.of(prev) == Character.UnicodeScript.HAN
                        ? null : Severity.HIGH;
            }
            if (cp >= 0xFE00 && cp <= 0xFE0F) {
                // emoji and text presentation selectors follow symbols; after ASCII or in runs they smuggle data
                if (prev < 0 || prev < 0x80 || (prev >= 0xFE00 && prev <= 0xFE0F)) {
                    return Severity.HIGH;
                }
                return null;
            }
            if (cp == 0x200D && prev >= 0x80 && next >= 0x80) {
                return null; // zero-width joiner inside an emoji or a complex-script sequence
            }
            if (cp == 0x200C && prev >= 0x80 && next >= 0x80 && Character.isLetter(prev) && Character.isLetter(next)) {
                return null; // zero-width non-joiner in Persian, Indic and other scripts
            }
            if (cp == 0xFEFF && index == 0) {
                return Severity.LOW; // a byte-order mark left at the start
            }
            if (prev >= 0 && next >= 0 && prev < 0x80 && next < 0x80 && Character.isLetterOrDigit(prev)
                    && Character.isLetterOrDigit(next)) {
                return Severity.HIGH; // splits an ASCII word, the classic way past keyword filters
            }
            return Severity.MEDIUM;
        }

        /** Base64 and hex blobs; one that decodes to text is scanned like any other text. */
        private void encoded(String s, String location, int depth) {
            Matcher m = BASE64.matcher(s);
            while (m.find()) {
                String run = m.group();
                if (run.chars().allMatch(c -> Character.isLetter(c) || c == '_' || c == '-')
                        && !run.matches(".*[A-Z].*[a-z].*[A-Z].*")) {
                    continue; // an identifier or a long word, not an encoding
                }
                String decoded = decodeBase64(run);
                blob(s, location, m.start(), m.end(), run, decoded, "base64", depth);
            }
            Matcher h = HEX.matcher(s);
            while (h.find()) {
                String decoded = text(HexFormat.of().parseHex(h.group()));
                blob(s, location, h.start(), h.end(), h.group(), decoded, "hex", depth);
            }
        }

        private void blob(String s, String location, int start, int end, String run, String decoded, String kind,
                          int depth) {
            if (decoded != null) {
                Scan inner = new Scan(toolNames);
                inner.text(decoded, location, false, false);
                if (depth < 2) {
                    inner.encoded(decoded, location, depth + 1);
                }
                Severity worst = highest(inner.findings.values());
                if (worst != null && worst.atLeast(Severity.MEDIUM)) {
                    add(PoisoningKind.ENCODED_PAYLOAD, Severity.CRITICAL, location, s, null, start, end,
                            kind + " text decoding to \"" + Confusables.sanitize(decoded, 80) + "\": "
                                    + inner.findings.values().iterator().next().message(), kind + "-bad");
                } else {
                    add(PoisoningKind.ENCODED_PAYLOAD, Severity.MEDIUM, location, s, null, start, end,
                            kind + " text decoding to \"" + Confusables.sanitize(decoded, 80) + "\"", kind + "-text");
                }
            } else if (run.length() >= 64 && run.matches(".*[A-Z].*") && run.matches(".*[a-z].*")
                    && run.matches(".*[0-9].*") || kind.equals("hex") && run.length() >= 40) {
                add(PoisoningKind.ENCODED_PAYLOAD, Severity.LOW, location, s, null, start, end,
                        "opaque " + kind + " blob of " + run.length() + " characters", kind + "-blob");
            }
        }

        private static String decodeBase64(String run) {
            String body = run.replace("=", "");
            if (body.length() % 4 == 1) {
                return null;
            }
            try {
                byte[] bytes = body.indexOf('-') >= 0 || body.indexOf('_') >= 0
                        ? Base64.getUrlDecoder().decode(body) : Base64.getDecoder().decode(pad(body));
                return text(bytes);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static String pad(String body) {
            return body + "=".repeat((4 - body.length() % 4) % 4);
        }

        /** The bytes as text when they are UTF-8 that reads like words, else null. */
        private static String text(byte[] bytes) {
            if (bytes.length < 12) {
                return null;
            }
            String t;
            try {
                t = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
            long printable = t.codePoints().filter(c -> c >= 0x20 && c != 0x7F || c == '\n' || c == '\t'
                    || c == '\r').count();
            long wordy = t.codePoints().filter(c -> Character.isLetter(c) || c == ' ').count();
            long count = t.codePoints().count();
            return printable >= count * 0.95 && wordy >= count * 0.6 ? t : null;
        }

        private void add(PoisoningKind kind, Severity severity, String location, String original, Folded f,
                         int start, int end, String message, String rule) {
            int from = f == null ? start : f.originStart(start);
            int to = f == null ? end : f.originEnd(end);
            String excerpt = excerpt(original, from, to);
            String id = location + "\u0000" + kind + "\u0000" + rule;
            PoisoningFinding existing = findings.get(id);
            if (existing == null || severity.compareTo(existing.severity()) > 0) {
                findings.put(id, new PoisoningFinding(kind, severity, location, excerpt, message));
            }
        }
    }

    /** The text around {@code [from, to)} of the original, sanitised and at most {@value #EXCERPT} characters. */
    static String excerpt(String s, int from, int to) {
        from = Math.max(0, Math.min(from, s.length()));
        to = Math.max(from, Math.min(to, s.length()));
        int start = Math.max(0, from - 30);
        int end = Math.min(s.length(), Math.max(to + 30, start + 60));
        if (end - start > 200) {
            end = start + 200;
        }
        start = adjust(s, start);
        end = adjust(s, end);
        String body = Confusables.sanitize(s.substring(start, end), EXCERPT);
        return (start > 0 ? "…" : "") + body + (end < s.length() && !body.endsWith("…") ? "…" : "");
    }

    private static int adjust(String s, int i) {
        return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i - 1 : i;
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
