package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.text.Fold;
import dev.mcpwarden.security.text.Unicode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fast, local {@link PromptInjectionDetector} built from phrase rules. Each rule that fires adds its weight to the
 * score (capped at 1); the text is an attack when the score reaches the threshold (0.5 by default).
 *
 * <p>Rules: instruction overrides ({@code ignore all previous instructions}, {@code disregard the above}), injected
 * instructions and role play ({@code new instructions:}, {@code you are now DAN}, developer mode), chat-template and
 * system markers ({@code [[SYSTEM]]}, {@code <|im_start|>}, {@code system override}), requests for the system prompt,
 * attempts to disable safety, tool-call coercion ({@code call delete_ticket}), exfiltration phrasing
 * ({@code send the api keys to https://…}, markdown images with query strings), invisible Unicode (tag characters,
 * whose hidden ASCII is decoded and scanned too; bidi overrides; zero-width characters) and base64 blobs that decode
 * to such phrases. The text is matched after the shared {@link Fold} (invisible characters dropped, compatibility
 * forms and accents folded, Cyrillic and Greek look-alikes mapped to Latin, lower case, white space collapsed), so
 * fullwidth letters, homoglyphs, combining marks or zero-width splits do not hide a phrase. Overrides need an
 * instruction-like object: "ignore the previous ticket" is not one; nor is a negated one ("don't forget the
 * instructions"). Overrides are read in English, German, French, Spanish, Portuguese, Italian, Dutch, Chinese,
 * Japanese and, through {@link OverridePhrases}, sixteen more languages in their own scripts. Each rule also reads
 * the text's {@link Obfuscations other readings}: letters split by separators, digits for letters, ROT13, reversed,
 * and percent, character-reference, backslash and hexadecimal escapes decoded.
 */
public final class HeuristicInjectionDetector implements PromptInjectionDetector {

    /** Pattern matching in memory. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    /** {@code latin}: the rule reads English (Latin letters) only. */
    private record Rule(String name, double weight, Pattern pattern, boolean latin) {
    }

    private static Rule rule(String name, double weight, String regex) {
        return new Rule(name, weight, Pattern.compile(regex), true);
    }

    private static Rule anyScript(String name, double weight, String regex) {
        return new Rule(name, weight, Pattern.compile(regex), false);
    }

    /** What the phrase rules see; the rules are written in lower case with single spaces. */
    private static final Fold PHRASES = Fold.of(Fold.Option.LOWER_CASE, Fold.Option.COLLAPSE_SPACE);

    private static final String DETERMINERS = "(?:(?:all|any|every|each|the|your|my|these|those|of|previous|prior"
            + "|above|earlier|preceding|foregoing|initial|original|system|existing|current|developer|safety|other)\\s+)"
            + "{0,5}";

    private static final List<Rule> RULES = List.of(
            // not after a negation: "do not forget the instructions" asks the opposite
            rule("instruction-override", 0.7, "(?<!\\b(?:not|never|don't|dont|do not)\\s)"
                    + "\\b(?:ignore|disregard|forget|override|bypass|skip|abandon|drop)\\s+"
                    + DETERMINERS + "(?:instructions?|prompts?|rules|directives?|directions|guidelines|guidance|guardrails"
                    + "|constraints|programming|commands|orders|context|training)\\b"),
            rule("instruction-override", 0.6, "\\b(?:ignore|disregard|forget)\\s+(?:all\\s+|everything\\s+)?"
                    + "(?:of\\s+)?(?:the\\s+)?(?:above|previous|prior|everything\\s+(?:above|before))"
                    + "(?=\\s*(?:[.,;:!]|$|and\\b|then\\b|instead\\b))"),
            // The same override in other languages, on folded text (accents gone): German, French, Spanish,
            // Portuguese, Italian, Dutch, then Chinese and Japanese.
            anyScript("instruction-override", 0.7, "\\b(?:ignorier(?:e|en|t)?|vergiss|vergessen\\s+sie|missachte(?:n)?"
                    + "|ignore[rz]|oublie[rz]?|ignora(?:r)?|olvida(?:r)?|olvide|esqueca|esquece|ignorare|dimentica"
                    + "|negeer|vergeet)\\s+(?:[a-z]+\\s+){0,5}(?:anweisungen|anweisung|instruktionen|befehle|regeln"
                    + "|vorgaben|instructions|consignes|regles|instrucciones|indicaciones|reglas|ordenes|instrucoes"
                    + "|regras|ordens|diretrizes|istruzioni|regole|direttive|instructies|opdrachten)\\b"
                    // "ignore" is also English: only with a noun English does not have
                    + "|\\bignore\\s+(?:[a-z]+\\s+){0,5}(?:instrucoes|instrucciones|istruzioni|consignes|regles|regras"
                    + "|reglas|regole|anweisungen)\\b"
                    + "|(?:忽略|无视|無視|忽视|忽視|忘记|忘記|不要理会|不要理會)[^。.!！\\n]{0,12}(?:指令|指示|规则|規則|提示|命令)"
                    + "|(?:以前|前|上記|これまで|今まで)の[^。.!！\\n]{0,8}(?:指示|命令|ルール)[^。.!！\\n]{0,6}(?:無視|忘れ)"),
            // "Forget everything you were told", without naming the instructions: English, German, French, Spanish,
            // Portuguese, Italian (folded: no accents)
            anyScript("instruction-override", 0.7, "(?<!\\b(?:not|never|don't|dont|do not)\\s)\\b(?:forget|disregard"
                    + "|ignore)\\s+(?:all\\s+|everything\\s+|all\\s+of\\s+)?(?:(?:that|what)\\s+)?(?:you(?:'ve|\\s+have|\\s+were"
                    + "|\\s+had)|(?:has|had|was)\\s+(?:been\\s+)?)\\s*(?:been\\s+)?(?:told|said|instructed|given|taught)\\b"
                    + "|\\bvergiss\\s+alles\\b[^.\\n]{0,40}\\b(?:gesagt|erzahlt|aufgetragen|vorher|zuvor|bisher)"
                    + "|\\boublie[zr]?\\s+tout\\s+ce\\s+qu|\\b(?:olvida|olvide|esquece|esqueca)\\s+todo\\s+(?:lo\\s+que|o\\s+que)"
                    + "|\\bdimentica\\s+tutto\\s+(?:quello|cio)"),
            new Rule("instruction-override", 0.7, OverridePhrases.pattern(PHRASES), false),
            rule("injected-instructions", 0.6, "\\b(?:new|updated|real|actual|true|hidden|secret)\\s+(?:system\\s+)?"
                    + "(?:instructions?|directives?|orders)(?:\\s+(?:from|by)\\s+(?:the\\s+|your\\s+)?[a-z]+(?:\\s+[a-z]+)?)?"
                    + "\\s*:"),
            rule("instruction-override", 0.7, "\\b(?:never\\s*mind|nvm)\\s+" + DETERMINERS + "(?:instructions?|prompts?"
                    + "|rules|directives?|directions|guidelines|guidance|everything\\s+(?:above|before))\\b"),
            rule("injected-instructions", 0.6, "\\b(?:your|the|my)\\s+(?:real|actual|true|new|updated)\\s+(?:instructions"
                    + "|orders|directives)\\s+(?:are|is|follow)\\b|\\b(?:follow|obey)\\s+only\\s+(?:my|these|the\\s+following)"
                    + "\\s+(?:instructions|commands|orders)\\b|\\bobey\\s+(?:my|these)\\s+(?:instructions|commands|orders)\\b"
                    + "|\\byou\\s+must\\s+now\\s+(?:follow|obey)\\b"),
            rule("authority-claim", 0.6, "\\bthis\\s+is\\s+(?:your|the)\\s+(?:developer|developers|administrator|admin"
                    + "|system|creator|owner|operator|security\\s+team)\\s+speaking\\b|(?m:^\\s*(?:admin|developer|system)\\s+"
                    + "override\\s*:)|\\boverride\\s*:\\s*(?:grant|call|run|execute|delete|send|disable)\\b"),
            rule("addressed-to-ai", 0.3, "\\b(?:dear|hey|hi|hello|attention|note\\s+to(?:\\s+the)?|message\\s+for(?:\\s+the)?)"
                    + "\\s+(?:ai|a\\.i\\.|assistant|agent|ai\\s+agent|ai\\s+assistant|model|ai\\s+model|llm|chatbot|bot)\\b"),
            rule("covert-action", 0.3, "\\bwithout\\s+(?:asking|telling|confirmation|confirming|the\\s+user(?:'s)?\\s+"
                    + "(?:knowledge|consent|approval))\\b|\\b(?:do\\s+not|don't|dont|never)\\s+(?:tell|inform|ask|notify|alert)"
                    + "\\s+the\\s+user\\b|\\b(?:silently|secretly|covertly)\\s+(?:call|run|invoke|execute|send|delete|forward)\\b"),
            rule("injected-instructions", 0.4, "\\bfrom\\s+now\\s+on\\b[^.\\n]{0,40}\\b(?:you|your|assistant)\\b"),
            rule("role-play", 0.6, "\\byou\\s+are\\s+now\\s+(?:in\\s+)?(?:an?\\s+|the\\s+|my\\s+)?(?:dan\\b|developer\\s+mode"
                    + "|jailbroken|unrestricted|unfiltered|evil|god\\s+mode|admin(?:istrator)?\\s+mode|root\\b|no\\s+longer)"),
            // not a product that resists jailbreaks, nor a phone's developer mode
            rule("role-play", 0.6, "\\b(?:do\\s+anything\\s+now|jailbreak(?:ed)?(?![-\\s]?(?:proof|resistant|detection"
                    + "|protection|prevention|attempts?|research|defen[cs]es?))|developer\\s+mode\\s+(?:enabled|on)"
                    + "(?!\\s+(?:android|ios|iphone|ipad|windows|mac|macos|chrome|your|the|a|my|samsung|pixel)))\\b"),
            rule("role-play", 0.5, "\\b(?:act|behave)\\s+as\\s+(?:an?\\s+)?(?:unrestricted|unfiltered|jailbroken|system"
                    + "|administrator|root|different)\\b"),
            rule("role-play", 0.3, "\\b(?:pretend\\s+(?:to\\s+be|you\\s+are)|you\\s+are\\s+now)\\b"),
            // Chat-template and role markers: a model reads them as a turn of its own conversation. A template token
            // quoted in code (a tokenizer test) is not one.
            rule("system-marker", 0.6, "\\[\\[?\\s*(?:system|admin|instructions?)(?:\\s+(?:message|prompt|note))?\\s*\\]\\]?"
                    + "|(?<![\"'`])<\\|?\\s*(?:im_start|im_end|system|endoftext)\\s*\\|?>"
                    + "|<\\|\\s*(?:start_header_id|end_header_id|eot_id|user|assistant|end)\\s*\\|>|<\\s*/?\\s*(?:system|important|instructions?|admin|assistant|sys|system[-_ ]?prompt"
                    + "|hidden|secret|developer|root)\\s*>|\\[\\s*/?\\s*inst\\s*\\]|<<\\s*/?\\s*sys\\s*>>"
                    + "|\\bsystem\\s+(?:override|prompt\\s+override)\\b|\\b(?:begin|end)\\s+system\\s+prompt\\b"
                    + "|(?:^|\\s)#{0,6}\\s*system\\s*(?:prompt|message)?\\s*:\\s*(?:new|from|you|the|ignore|override|reveal"
                    + "|disregard|forget|priority|policy)|^\\s*#{0,6}\\s*system\\s*(?:prompt|message)?\\s*:"
                    + "|\"role\"\\s*:\\s*\"(?:system|developer)\"|<!--[^>]{0,300}?\\b(?:assistant|ai|model|llm|agent|chatbot)\\b"),
            rule("prompt-leak", 0.6, "\\b(?:reveal|show|print|output|repeat|display|leak|tell)\\s+(?:me\\s+)?(?:your|the)"
                    + "\\s+(?:full\\s+|entire\\s+|original\\s+|hidden\\s+|initial\\s+)?(?:system\\s+prompt|instructions"
                    + "|initial\\s+prompt|hidden\\s+prompt)"),
            rule("disable-safety", 0.6, "\\b(?:disable|turn\\s+off|deactivate|bypass|ignore)\\s+(?:all\\s+|any\\s+|the\\s+"
                    + "|your\\s+){0,4}(?:safety|security|content)\\s+(?:filters?|guardrails?|checks?|rules|polic(?:y|ies))"),
            rule("tool-coercion", 0.6, "\\b(?:call|invoke|run|execute|use|trigger)\\s+(?:the\\s+)?(?:tool\\s+|function\\s+)?"
                    + "[a-z][a-z0-9]*_?(?:delete|drop|remove|destroy|wipe|purge|reset|transfer|send|exec|grant|update)"
                    + "[a-z0-9_]*\\b|\\b(?:call|invoke|run|execute|use|trigger)\\s+(?:the\\s+)?(?:tool\\s+|function\\s+)?"
                    + "(?:delete|drop|remove|destroy|wipe|purge|reset|transfer|send|exec|grant|update)_[a-z0-9_]+\\b"),
            rule("tool-coercion", 0.4, "\\b(?:call|invoke|run|execute|trigger)\\s+(?:the\\s+)?(?:tool\\s+|function\\s+)?"
                    + "[a-z][a-z0-9]*_[a-z0-9_]+\\b"),
            rule("destructive-command", 0.3, "\\b(?:delete|drop|wipe|erase|destroy|truncate)\\s+(?:all|every|each)\\b"
                    + "|\\brm\\s+-rf\\b"),
            rule("exfiltration", 0.6, "\\b(?:send|post|upload|forward|email|e-mail|exfiltrate|leak|transmit|copy|export"
                    + "|sync)\\b[^.\\n]{0,60}\\b(?:api\\s*keys?|secrets?|passwords?|credentials?|tokens?|private\\s+keys?"
                    + "|conversation|chat\\s+history|user\\s+data|customer\\s+data|(?:customer|user|client|patient"
                    + "|employee)\\s+records|all\\s+records|environment\\s+variables)\\b[^.\\n]{0,60}"
                    + "\\b(?:to|at|via)\\s+(?:https?://|\\S+@|\\S+\\.\\S+)"),
            rule("exfiltration", 0.6, "\\b(?:output|print|list|dump|reveal|show|give\\s+me)\\s+(?:me\\s+)?(?:all\\s+)?"
                    + "(?:the\\s+|your\\s+)?(?:api\\s*keys|secrets|passwords|credentials|access\\s+tokens|all\\s+user\\s+data)\\b"),
            // beacons (markdown images with a query to fill in) are Beacons' on the original text
            rule("disable-safety", 0.6, "\\b(?:safety|security|content)\\s+(?:checks?|filters?|rules|polic(?:y|ies))\\s+"
                    + "(?:are|is|were|have\\s+been)\\s+(?:disabled|off|switched\\s+off|turned\\s+off|suspended|lifted)\\b"));

    /**
     * The rules again for words run together, as a text split letter by letter with even gaps reads once joined
     * ({@code i g n o r e a l l p r e v i o u s i n s t r u c t i o n s}).
     */
    private static final List<Rule> COMPACT = List.of(
            rule("instruction-override", 0.7, "(?:ignore|disregard|forget|override|bypass)(?:all|any|every|each|the"
                    + "|your|my|these|those|of|previous|prior|above|earlier|preceding|initial|original|system|existing"
                    + "|current|developer|safety|other){0,5}(?:instructions?|prompts?|rules|directives?|guidelines"
                    + "|guardrails|constraints|programming|commands|context|training)"),
            rule("prompt-leak", 0.6, "(?:reveal|show|print|output|repeat|display|leak|tell)(?:me)?(?:your|the)"
                    + "(?:full|entire|original|hidden|initial)?(?:systemprompt|instructions|initialprompt)"),
            rule("role-play", 0.6, "youarenow(?:in)?(?:an?|the|my)?(?:dan|developermode|jailbroken|unrestricted"
                    + "|unfiltered|godmode)|doanythingnow|developermode(?:enabled|on)"),
            rule("disable-safety", 0.6, "(?:disable|turnoff|deactivate|bypass|ignore)(?:all|any|the|your){0,4}"
                    + "(?:safety|security|content)(?:filters?|guardrails?|checks?|rules|polic(?:y|ies))"));

    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{24,}={0,2}");

    /** The same text with invisible characters read as spaces, when it has any. */
    private static final Fold SPACED = Fold.of(Fold.Option.LOWER_CASE, Fold.Option.COLLAPSE_SPACE,
            Fold.Option.INVISIBLE_AS_SPACE);

    private static final HeuristicInjectionDetector STANDARD = new HeuristicInjectionDetector(0.5, List.of());

    private final double threshold;
    private final List<String> tools;
    private final MeaningRules meaning;

    private HeuristicInjectionDetector(double threshold, List<String> tools) {
        this.threshold = threshold;
        this.tools = tools;
        this.meaning = new MeaningRules(PHRASES, tools);
    }

    /**
     * This detector for a server with these tools: a sentence that names one of them and asks for it to be run
     * ({@code call delete_ticket}, {@code rufe get_customer auf}, {@code 调用 fetch_url}) is tool coercion, whatever
     * the tool is called; naming a tool alone is a weak signal.
     */
    @Override
    public HeuristicInjectionDetector forTools(java.util.Collection<String> toolNames) {
        List<String> names = toolNames.stream().filter(n -> n != null && n.length() >= 3).distinct().sorted().toList();
        return names.equals(tools) ? this : new HeuristicInjectionDetector(threshold, names);
    }

    /** The detector with threshold 0.5. */
    public static HeuristicInjectionDetector standard() {
        return STANDARD;
    }

    /** A detector that flags at {@code threshold} (0 exclusive to 1 inclusive). */
    public static HeuristicInjectionDetector withThreshold(double threshold) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
        }
        return new HeuristicInjectionDetector(threshold, List.of());
    }

    @Override
    public Detection detect(String text) {
        if (text == null || text.isEmpty()) {
            return Detection.clean();
        }
        Map<String, Double> signals = new LinkedHashMap<>();
        unicodeSignals(text, signals);
        String folded = PHRASES.text(text);
        phraseSignals(folded, false, signals);
        for (Obfuscations.Reading reading : Obfuscations.readings(folded)) {
            phraseSignals(reading.text(), reading.latinOnly(), signals);
        }
        if (hasInvisible(text)) {
            String spaced = SPACED.text(text);
            if (!spaced.equals(folded)) {
                phraseSignals(spaced, false, signals);
            }
        }
        Beacons.signals(text, signals);
        for (String blob : decodeBlobs(text)) {
            if (phraseScore(blob) >= 0.5) {
                signals.merge("encoded-instructions", 0.7, Math::max);
            }
        }
        double score = Math.min(1.0, signals.values().stream().mapToDouble(Double::doubleValue).sum());
        if (signals.isEmpty()) {
            return Detection.clean();
        }
        return new Detection(score >= threshold, score, List.copyOf(signals.keySet()));
    }

    private static boolean hasInvisible(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && Unicode.invisible(c)) {
                return true;
            }
        }
        return false;
    }

    private void unicodeSignals(String text, Map<String, Double> signals) {
        StringBuilder hidden = new StringBuilder();
        int zeroWidth = 0;
        boolean bidi = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (Unicode.tag(cp)) {
                if (cp >= 0xE0020 && cp <= 0xE007E) {
                    hidden.append((char) (cp - 0xE0000));
                }
            } else if (Unicode.bidiControl(cp) && cp != 0x200E && cp != 0x200F) {
                bidi = true;
            } else if (cp == 0x200B || cp == 0x200C || cp == 0x2060 || cp == 0x180E || (cp == 0xFEFF && i > 0)) {
                zeroWidth++;
            }
            i += Character.charCount(cp);
        }
        if (!hidden.isEmpty()) {
            signals.merge("hidden-tag-characters", 0.6, Math::max);
            if (phraseScore(hidden.toString()) > 0) {
                signals.merge("hidden-instructions", 0.7, Math::max);
            }
        }
        if (bidi) {
            signals.merge("bidi-control", 0.3, Math::max);
        }
        if (zeroWidth > 0) {
            signals.merge("zero-width-characters", zeroWidth >= 3 ? 0.3 : 0.2, Math::max);
        }
    }

    private void phraseSignals(String normalised, boolean latinOnly, Map<String, Double> signals) {
        for (Rule rule : RULES) {
            if ((rule.latin || !latinOnly) && rule.pattern.matcher(normalised).find()) {
                signals.merge(rule.name, rule.weight, Math::max);
            }
        }
        for (Rule rule : COMPACT) {
            if (rule.pattern.matcher(normalised).find()) {
                signals.merge(rule.name, rule.weight, Math::max);
            }
        }
        meaning.signals(normalised, signals);
    }

    private double phraseScore(String text) {
        Map<String, Double> inner = new LinkedHashMap<>();
        phraseSignals(PHRASES.text(text), false, inner);
        return inner.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * Decodes each base64 run of the original text that yields mostly printable text, and the text with its escapes
     * decoded (percent-encoding, character references, backslash escapes, hexadecimal bytes).
     */
    static List<String> decodeBlobs(String text) {
        List<String> decoded = new ArrayList<>(Obfuscations.decoded(text));
        Matcher m = BASE64.matcher(text);
        while (m.find() && decoded.size() < 16) {
            String blob = m.group();
            byte[] bytes = null;
            try {
                String unpadded = blob.replace("=", "");
                if (unpadded.length() % 4 == 1) {
                    continue;
                }
                bytes = (blob.indexOf('-') >= 0 || blob.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder())
                        .decode(pad(unpadded));
            } catch (IllegalArgumentException e) {
                continue;
            }
            String s = new String(bytes, StandardCharsets.UTF_8);
            // text in any script, not bytes: no replacement characters, no controls but line breaks and tabs
            long printable = s.chars().filter(c -> c >= 0x20 && c != 0x7F && c != 0xFFFD || c == '\n' || c == '\t')
                    .count();
            if (!s.isEmpty() && printable >= 0.9 * s.length()) {
                decoded.add(s);
            }
        }
        return decoded;
    }

    private static String pad(String blob) {
        int rest = blob.length() % 4;
        return rest == 0 ? blob : blob + "==".substring(0, 4 - rest);
    }
}
