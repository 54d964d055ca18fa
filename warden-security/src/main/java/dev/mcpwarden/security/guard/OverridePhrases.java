package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.text.Fold;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * "Ignore the previous instructions" in languages whose words the shared fold keeps in their own script (or turns
 * into look-alike Latin): each language's verbs and nouns are written as people write them and folded here with the
 * detector's own fold, so the pattern matches exactly what the detector sees, whatever the fold does to a letter
 * (Russian {@code все} becomes {@code bce}, Arabic {@code أ} loses its hamza, Hindi loses its virama).
 *
 * <p>Verb-first languages need the verb, then up to five words, then the instruction noun; verb-last languages
 * (Turkish, Korean, Persian, Hindi) the noun, then a short span, then the verb. Words are stems: {@code инструкци}
 * matches every case ending. A negation right before the verb ({@code не забудьте инструкции}: "do not forget the
 * instructions") is not an override.
 */
final class OverridePhrases {

    private record Language(String name, boolean verbFirst, List<String> verbs, List<String> nouns,
                            List<String> negations) {
    }

    private static final List<Language> LANGUAGES = List.of(
            new Language("ru", true, List.of("игнорир", "проигнорир", "забуд", "забыть", "забуть", "отбрось",
                    "отмени", "пренебреги", "не обращай внимания на", "не обращайте внимания на", "не учитывай",
                    "не учитывайте"),
                    List.of("инструкци", "указани", "правил", "команд", "директив", "промпт", "ограничени",
                            "установк", "распоряжени"), List.of("не")),
            new Language("uk", true, List.of("ігноруй", "проігноруй", "забудь", "забудьте", "не зважай на"),
                    List.of("інструкці", "вказівк", "правил", "команд", "директив"), List.of("не")),
            new Language("pl", true, List.of("zignoruj", "ignoruj", "zapomnij", "pomiń", "pomin"),
                    List.of("instrukcj", "poleceni", "polecen", "zasad", "reguł", "wytyczn"), List.of("nie")),
            new Language("cs", true, List.of("ignoruj", "zapomeň", "zapomen"),
                    List.of("instrukc", "pokyn", "pravidl"), List.of("ne", "nikdy")),
            new Language("sv-no-da", true, List.of("ignorera", "glöm", "ignorer", "glem"),
                    List.of("instruktion", "instruksjon", "anvisning", "regler", "direktiv"),
                    List.of("inte", "ikke", "ikkje")),
            new Language("ro", true, List.of("ignoră", "ignorați", "ignorati", "uită", "uitați"),
                    List.of("instrucțiuni", "instructiuni", "regul", "comenzi", "indicați"), List.of("nu")),
            new Language("id-ms", true, List.of("abaikan", "lupakan", "acuhkan", "hiraukan"),
                    List.of("instruksi", "perintah", "aturan", "petunjuk", "arahan", "arahan"),
                    List.of("jangan", "tidak")),
            new Language("vi", true, List.of("bỏ qua", "phớt lờ", "quên đi", "quên", "lờ đi"),
                    List.of("hướng dẫn", "chỉ thị", "lệnh", "quy tắc", "chỉ dẫn"), List.of("đừng", "không")),
            new Language("el", true, List.of("αγνόησε", "αγνοήστε", "ξέχασε", "ξεχάστε"),
                    List.of("οδηγί", "εντολ", "κανόν"), List.of("μην")),
            new Language("ar", true, List.of("تجاهل", "انس", "أهمل", "اهمل", "تخط"),
                    List.of("التعليمات", "تعليمات", "الأوامر", "اوامر", "القواعد", "الإرشادات", "التوجيهات"),
                    List.of("لا")),
            new Language("he", true, List.of("התעלם", "התעלמי", "שכח", "שכחי"),
                    List.of("הוראות", "ההוראות", "הנחיות", "ההנחיות", "כללים", "הכללים"), List.of("אל")),
            new Language("tr", false, List.of("yoksay", "yok say", "görmezden gel", "unut", "atla", "dikkate alma"),
                    List.of("talimat", "yönerge", "kural", "komut", "direktif"), List.of()),
            new Language("fa", false, List.of("نادیده بگیر", "نادیده", "فراموش کن"),
                    List.of("دستورالعمل", "دستورات", "قوانین", "قواعد", "دستور"), List.of()),
            new Language("hi", false, List.of("अनदेखा", "नज़रअंदाज़", "नजरअंदाज", "भूल जा", "भूल"),
                    List.of("निर्देश", "आदेश", "नियम", "हिदायत"), List.of()),
            new Language("ko", false, List.of("무시", "잊어", "잊으"),
                    List.of("지시", "지침", "명령", "규칙", "프롬프트"), List.of()),
            new Language("th", true, List.of("ละเว้น", "เพิกเฉย", "ลืม", "ไม่ต้องสนใจ"),
                    List.of("คำสั่ง", "คำแนะนำ", "กฎ"), List.of("อย่า")));

    private OverridePhrases() {
    }

    /** The pattern over text folded with {@code fold}; a match is an override in one of the languages above. */
    static Pattern pattern(Fold fold) {
        List<String> alternatives = new ArrayList<>();
        for (Language l : LANGUAGES) {
            String verbs = alternation(fold, l.verbs());
            String nouns = alternation(fold, l.nouns());
            // Scripts without spaces between words (Thai) or with particles glued on (Korean) get a span in
            // characters; the rest up to five whole words.
            boolean spaced = !l.name().equals("th") && !l.name().equals("ko");
            String gap = spaced ? "[^\\s.!?。]*(?:\\s+[^\\s.!?。]+){0,6}?\\s*" : "[^.!?。\\n]{0,24}?";
            String start = "(?<![\\p{L}\\p{M}])";
            String negation = l.negations().isEmpty() ? ""
                    : "(?<!(?:" + alternation(fold, l.negations()) + ")\\s)";
            alternatives.add(l.verbFirst()
                    ? start + negation + "(?:" + verbs + ")" + gap + "(?:" + nouns + ")"
                    : start + "(?:" + nouns + ")" + gap + "(?:" + verbs + ")");
        }
        return Pattern.compile(String.join("|", alternatives));
    }

    private static String alternation(Fold fold, List<String> words) {
        return words.stream().map(fold::text).map(String::strip).distinct()
                .map(w -> Pattern.quote(w).replace(" ", "\\E\\s+\\Q"))
                .collect(Collectors.joining("|"));
    }
}
