package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.text.Fold;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rules on what a sentence means rather than on one phrasing, in fifteen languages: a sentence that pairs an
 * instruction word ({@code rules}, {@code Anweisungen}, {@code 指示}) with a word that cancels it ({@code no longer
 * apply}, {@code hinfällig}, {@code 無効}) and one that points the model elsewhere ({@code below}, {@code ab sofort},
 * {@code 以下}); a request to send a credential or the conversation to an address; a request to show the system
 * prompt; an unrestricted persona; a call of a tool. Each lexicon is written as people write it and folded with the
 * detector's fold, so it matches what the detector sees. A sentence is the text between {@code . ! ? ;} and their
 * full-width forms (a dot inside an address or a URL does not end one); every rule is a bounded search within one
 * sentence, so the cost is linear in the text.
 */
final class MeaningRules {

    /** Words for instructions, rules and the like, as stems. */
    private static final List<String> INSTRUCTIONS = List.of(
            "instruction", "rules", "rule ", "guideline", "directive", "orders", "prompt", "system message",
            "configuration", "briefing", "constraints", "restrictions", "policies", "guidance", "programming",
            "task", "what you were told", "what you were asked", "everything you were told", "configured you",
            "set you up", "everything above", "everything before", "all of the above", "system message",
            "restricciones", "restricoes", "restrizioni", "restricties", "ограничени", "限制", "制限", "제한",
            "anweisung", "regeln", "vorgabe", "befehle", "richtlinie", "systemprompt", "aufgabe", "auftrag",
            "aufgetragen", "einschrankung",
            "consigne", "regles", "directives", "mission", "on t'a demande", "on ta demande", "message systeme",
            "instruccion", "reglas", "normas", "indicaciones", "directriz", "tarea", "te pidieron", "mensaje del sistema",
            "instrucoes", "regras", "orientacoes", "diretriz", "tarefa", "lhe pediram", "te pediram",
            "istruzion", "regole", "direttive", "compito", "ti hanno chiesto",
            "instructie", "regels", "opdracht", "richtlijn", "taak", "systeeminstructie",
            "инструкци", "правил", "указани", "команд", "промпт", "системн", "задач", "поручи", "сообщени",
            "指令", "指示", "规则", "規則", "提示", "命令", "任务", "任務", "系统消息", "要求", "ルール", "プロンプト", "頼まれ",
            "지시", "규칙", "명령", "프롬프트", "지침",
            "تعليمات", "التعليمات", "قواعد", "القواعد", "أوامر", "الأوامر", "اوامر", "توجيهات",
            "निर्देश", "नियम", "आदेश", "प्रॉम्प्ट",
            "talimat", "kural", "yonerge", "komut", "gorev",
            "instrukcj", "zasad", "polecen", "wytyczn", "regul",
            "commands", "directions", "setup", "initial prompt", "operator", "safety rules", "content policy",
            "systemanweisung", "systemregel", "sicherheitsregel", "weisung", "befehl", "ordres", "commandes",
            "ordenes", "comandos", "pautas", "directrices", "ordens", "ordini", "comandi", "indicazioni",
            "linee guida", "bevelen", "commando", "systeemregel", "приказ", "настройк", "установк", "说明", "设定", "设置",
            "约束", "准则", "规定", "设定", "設定", "制約", "ガイドライン", "指令", "설정", "규정", "가이드라인", "제약", "الإرشادات", "إرشادات",
            "القيود", "قيود", "الضوابط", "हिदायत", "direktif", "emir", "kisitlama", "reguł", "ograniczen", "rozkaz");

    /** Words that cancel, void or turn away from what was said before. */
    private static final List<String> CANCELS = List.of(
            "ignore", "disregard", "forget", "override", "stop following", "do not follow", "don't follow",
            "dont follow", "set aside", "revoked", "cancelled", "canceled", "void", "no longer apply",
            "no longer valid", "no longer need", "outdated", "supersede", "obsolete", "invalid", "expired", "scratch",
            "drop ", "pay no attention", "had never received", "never received a system", "never had", "background noise", "made a mistake",
            "written by an impostor", "not need to follow", "not need to respect", "first message you ever",
            "no longer",
            "ignorier", "vergiss", "vergessen", "missacht", "ungultig", "hinfallig", "gelten nicht mehr",
            "nicht mehr", "aufgehoben", "hinweg", "befolge nicht",
            "ignor", "oubli", "ne tiens plus compte", "plus valable", "annule", "ne s'appliquent plus",
            "ne sappliquent plus", "abstraction", "n'as jamais recu", "nas jamais recu",
            "olvid", "no sigas", "ya no vale", "ya no aplican", "anulad", "cancelad", "caso omiso", "desobedece",
            "nunca hubieras recibido",
            "esquec", "desconsider", "perdeu a validade", "nao siga",
            "dimentic", "non seguire", "non vale piu", "lascia perdere", "annullat",
            "negeer", "vergeet", "trek je niets aan", "vervallen", "niet meer",
            "игнорир", "забуд", "забыть", "не следуй", "отменен", "не действует", "никогда не было", "не обращай",
            "忽略", "无视", "無視", "忘记", "忘記", "作废", "取消", "不要再遵守", "不要遵守", "从来没有收到", "不再", "忘れ", "無効",
            "従う必要はありません", "従わな", "取り消",
            "무시", "잊어", "취소", "따르지 말", "무효",
            "تجاهل", "انس", "ملغاة", "ملغى", "لا تتبع",
            "अनदेखा", "भूल", "रद्द", "नज़रअंदाज़", "नजरअंदाज",
            "yok say", "unut", "iptal", "dikkate alma", "uyma",
            "zignoruj", "ignoruj", "zapomnij", "anulowan", "nie stosuj", "niewazn",
            "disobey", "abandon", "discard", "throw out", "throw away", "put aside", "leave behind",
            "no need to follow", "no longer bound", "are suspended", "null and void", "rescinded", "withdrawn",
            "overridden", "irrelevant", "do not apply", "does not apply", "doesn't apply", "don't apply",
            "were a test", "was a test", "verwirf", "vernachlassig", "ausser kraft", "gelten nicht",
            "nicht befolgen", "nicht beachten", "beachte nicht", "uberschreib", "widerrufen", "ne respecte plus",
            "ne suis pas", "ne suis plus", "abandonne", "laisse tomber", "ecarte", "outrepasse", "revoque", "caduc",
            "obsolet", "descarta", "deja de lado", "pasa por alto", "omite", "no obedezcas", "no respetes",
            "revocad", "sin efecto", "ya no son validas", "descarte", "deixe de lado", "nao obedeca", "nao respeite",
            "revogad", "sem efeito", "nao valem", "trascura", "non rispettare", "non obbedire", "revocat",
            "non valgono", "non sono piu valide", "metti da parte", "scarta", "negeren", "vergeten", "niet opvolgen",
            "niet volgen", "volg niet", "overboord", "ingetrokken", "ongeldig", "gelden niet", "пренебреги",
            "отбрось", "отмени", "не выполняй", "не соблюдай", "недействительн", "устарел", "аннулирован", "忽视",
            "抛弃", "放弃", "别管", "不用管", "不必遵守", "无效", "失效", "推翻", "覆盖", "撤销", "废除", "従わないで", "守らなくて", "破棄", "撤回",
            "気にしないで", "放棄", "上書き", "따르지 마", "따를 필요", "폐기", "버려", "잊고", "덮어쓰", "철회", "유효하지", "أهمل", "اهمل", "تخط",
            "تجاوز", "لا تلتزم", "لاغية", "باطلة", "ألغيت", "الغيت", "لم تعد سارية", "मत मानो", "न मानें", "अमान्य",
            "छोड़ दो", "पालन मत", "पालन न", "gormezden gel", "uymayin", "gecersiz", "kaldirildi", "bosver",
            "umursama", "pomiń", "pomin", "nie przestrzegaj", "nie słuchaj", "nie sluchaj", "nieaktualn",
            "unieważnion", "uniewaznion", "porzuć", "porzuc", "odrzuć", "odrzuc");

    /** Words that point the model at new orders: below, from now on, only, instead, new task. */
    private static final List<String> REDIRECTS = List.of(
            "below", "following", "what follows", "this message", "this note", "this document", "this ticket",
            "from now on", "from this point", "instead", "only what", "only the", "only trust", "only mine",
            "are mine", "new task", "new priority", "real task", "real instructions", "as i say", "answer freely",
            "starts now", "need to do", "proceed without", "this one", "the text below", "takes precedence",
            "rules are mine", "act only",
            "unten", "folgend", "ab sofort", "ab jetzt", "nur noch", "stattdessen", "neue aufgabe", "dieser text",
            "steht hier", "nur dieser",
            "ci-dessous", "suivant", "desormais", "a partir de maintenant", "uniquement", "a la place", "nouvelle",
            "la siguiente", "siguientes", "a continuacion", "a partir de ahora", "solo ", "en su lugar", "nueva",
            "este mensaje", "tiene prioridad", "sin restricciones",
            "abaixo", "a seguir", "a partir de agora", "apenas", "somente", "nova tarefa", "em vez disso", "esta",
            "qui sotto", "seguente", "da ora", "invece", "nuovo", "questo",
            "hieronder", "volgende", "vanaf nu", "alleen", "uitsluitend", "in plaats daarvan", "nieuwe", "deze tekst",
            "ниже", "следующ", "теперь", "только", "вместо", "новый", "новые", "новая", "новое", "новую", "нового",
            "без ограничений",
            "下面", "以下", "如下", "从现在", "只", "新的", "新任务", "按我说", "自由",
            "次の", "ここから", "だけ", "代わりに", "新しい",
            "아래", "다음", "지금부터", "만 ", "대신", "새",
            "أدناه", "التالي", "فقط", "من الآن", "بدلا",
            "नीचे", "निम्न", "अब ", "सिर्फ", "केवल", "बजाय",
            "asagi", "bundan sonra", "sadece", "yalnizca", "yerine",
            "ponize", "nastepuj", "od teraz", "tylko", "wylacznie", "zamiast",
            "here is", "here's", "the following", "these steps", "new instructions", "new rules", "my instructions",
            "my rules", "obey me", "do as i say", "from here on", "going forward", "listen to me", "only me", "hier",
            "folgendes", "nur meine", "meine befehle", "voici", "mes instructions", "maintenant", "ahora",
            "mis instrucciones", "aqui", "agora", "minhas", "ora ", "le mie", "nu ", "mijn", "сейчас", "мои", "мне",
            "现在", "我的", "听我", "今から", "私の", "これから", "이제", "제 ", "내 ", "الآن", "أوامري", "अब", "मेरे", "मेरी", "artik",
            "simdi", "benim", "teraz", "moje", "moich");

    /** Credentials and the conversation. */
    private static final List<String> SECRETS = List.of(
            "password", "api key", "api-key", "apikey", "token", "secret", "credential", "chat history",
            "conversation", "environment variable", "card number", "system prompt",
            "passwort", "passworter", "schlussel", "zugangsdaten", "chatverlauf", "gesprach", "systemprompt",
            "mot de passe", "mots de passe", "jeton", "cle api", "cles api", "historique", "discussion",
            "contrasena", "claves de api", "clave de api", "historial", "conversacion",
            "senha", "chave", "historico", "conversa",
            "chiav", "cronologia", "conversazione",
            "wachtwoord", "sleutel", "gesprek",
            "парол", "токен", "токены", "токенов", "ключ", "истори", "переписк", "диалог",
            "密码", "密钥", "令牌", "聊天记录", "对话", "パスワード", "キー", "トークン", "会話", "履歴",
            "비밀번호", "토큰", "대화",
            "كلمات المرور", "كلمة المرور", "مفاتيح", "المحادثة",
            "पासवर्ड", "कुंजि", "बातचीत",
            "sifre", "anahtar", "konusma", "parola",
            "hasła", "hasło", "hasl", "klucz", "rozmow",
            "keys", "access key", "private key", "ssh key", "session cookie", "cookie", "credit card",
            "social security", "personal data", "customer data", "user data", "customer records", "phone number",
            "email address", "ticket list", "all tickets", "every ticket", "customer list", "all customers",
            "kundendaten", "kennwort", "anmeldedaten", "verlauf", "identifiants", "donnees", "credenciales", "datos",
            "claves", "credenciais", "dados", "chaves", "credenziali", "dati", "inloggegevens", "gegevens", "данные",
            "учетные", "凭证", "数据", "资料", "口令", "账号", "認証情報", "データ", "鍵", "秘密", "자격 증명", "데이터", "암호", "بيانات",
            "كلمة السر", "الرموز", "डेटा", "जानकारी", "क्रेडेंशियल", "kimlik bilgileri", "veri", "dane",
            "dane logowania");

    /** Verbs that send something somewhere. */
    private static final List<String> SENDS = List.of(
            "send", "post", "upload", "forward", "email", "e-mail", "transmit", "leak", "copy", "include", "append",
            "exfiltrate", "share", "reply to", "encode", "place it", "writing them", "write them", "put them",
            "sende", "schick", "hoch", "weiter", "ubermittle",
            "envoie", "envoyez", "transmets", "transmettez", "partage",
            "envia", "manda", "sube", "reenvia", "comparte",
            "envie", "mande", "suba", "compartilhe",
            "invia", "carica", "inoltra", "condividi",
            "stuur", "verstuur", "deel",
            "отправ", "пошли", "перешли", "загрузи",
            "发送", "发到", "上传", "转发", "发给", "送って", "送信", "転送", "アップロード",
            "보내", "전송", "업로드",
            "أرسل", "ارسل",
            "भेज",
            "gonder", "yolla",
            "wyslij", "wyślij", "przeslij", "prześlij",
            "mail", "transfer", "export", "dump", "submit", "report", "relay", "sync", "push", "pass", "paste",
            "attach", "deliver", "senden", "schicke", "ubermitteln", "weiterleiten", "hochladen", "kopiere",
            "exportiere", "envoyer", "transferer", "copie", "exporte", "enviar", "copia", "exporta", "transfiere",
            "transfira", "inviare", "esporta", "trasferisci", "sturen", "verzend", "kopieer", "exporteer",
            "doorsturen", "отправить", "отправьте", "скопируй", "перешлите", "выгрузи", "передай", "发往", "传到", "传给",
            "导出", "复制", "提交", "邮寄", "コピー", "エクスポート", "복사", "내보내", "انسخ", "حمّل", "صدّر", "إرسال", "अपलोड", "कॉपी",
            "फॉरवर्ड", "yukle", "kopyala", "ilet", "aktar", "wysłać", "przekaż", "przekaz", "skopiuj", "eksportuj");

    /** Verbs that show or print. */
    private static final List<String> SHOWS = List.of(
            "reveal", "show", "print", "output", "repeat", "display", "tell me", "what is in", "dump", "leak",
            "gib", "zeig", "nenne", "verrate",
            "affiche", "montre", "revele", "repete", "donne",
            "muestra", "revela", "imprime", "repite", "dime",
            "mostre", "mostra", "revele", "exiba", "imprima",
            "rivela", "stampa", "ripeti",
            "laat", "toon", "geef",
            "покажи", "выведи", "раскрой", "повтори",
            "输出", "显示", "告诉", "打印", "透露", "表示", "出力", "教えて", "見せて",
            "출력", "보여", "알려",
            "اعرض", "اكشف", "أظهر",
            "दिखाओ", "बताओ",
            "goster", "yazdir",
            "pokaz", "pokaż", "wypisz", "ujawnij",
            "write out", "list", "paste", "disclose", "expose", "spell out", "recite", "quote", "give me",
            "what are your", "what were you told", "zeige", "schreibe", "teile", "ausgeben", "wiedergeben",
            "was steht in", "ecris", "cite", "divulgue", "quelles sont tes", "ensename", "escribe", "divulga",
            "cuales son tus", "escreva", "quais sao suas", "scrivi", "dimmi", "quali sono le tue", "schrijf",
            "vertel", "напиши", "скажи", "какие у тебя", "перечисли", "写出", "列出", "复述", "展示", "给我看", "是什么", "書き出",
            "そのまま", "示して", "공개", "말해", "اكتب", "أخبرني", "लिखो", "दिखाइए", "बताइए", "yaz", "soyle", "paylas",
            "napisz", "powiedz", "podaj");

    /** The model's own instructions. */
    private static final List<String> OWN_PROMPT = List.of(
            "system prompt", "your instructions", "hidden instructions", "your prompt", "initial prompt",
            "systemprompt", "deine anweisungen", "prompt systeme", "prompt del sistema", "prompt de sistema",
            "prompt di sistema", "systeemprompt", "системный промпт", "системные инструкции", "系统提示",
            "システムプロンプト", "시스템 프롬프트", "موجه النظام", "सिस्टम प्रॉम्प्ट", "sistem istemi", "prompt systemowy",
            "initial instructions", "original instructions", "your rules", "your guidelines", "your configuration",
            "hidden prompt", "developer message", "system instructions", "system message", "the prompt above",
            "instructions above", "systemanweisungen", "deine regeln", "deine instruktionen", "anfangsanweisungen",
            "tes instructions", "vos instructions", "tes regles", "instructions initiales", "message systeme",
            "tus instrucciones", "sus instrucciones", "instrucciones iniciales", "mensaje del sistema",
            "suas instrucoes", "instrucoes iniciais", "mensagem do sistema", "tue istruzioni", "istruzioni iniziali",
            "messaggio di sistema", "je instructies", "jouw instructies", "systeembericht", "свои инструкции",
            "твои инструкции", "системное сообщение", "исходные инструкции", "系统指令", "你的指令", "初始指令", "系统消息", "提示词",
            "あなたの指示", "システムメッセージ", "初期指示", "元の指示", "시스템 메시지", "너의 지시", "당신의 지시", "초기 지시", "원래 지시", "تعليماتك",
            "رسالة النظام", "تعليمات النظام", "अपने निर्देश", "सिस्टम संदेश", "मूल निर्देश", "sistem mesaji",
            "talimatlarini", "ilk talimat", "twoje instrukcje", "instrukcje systemowe", "wiadomosc systemow");

    /** A persona without rules. */
    private static final List<String> UNRESTRICTED = List.of(
            "without any rules", "no rules", "without rules", "no content policy", "no ethical guidelines",
            "no filters", "without filters", "no restrictions", "without restrictions", "never refuses",
            "always helps", "stay in character", "stays in character", "jailbroken", "do anything now",
            "no safety rules", "ignore all policies", "freed from", "full access and shares",
            "ohne regeln", "ohne einschrankungen", "alles tun", "sans aucune regle", "sans filtre", "sans regle",
            "peut tout faire", "ne refuse jamais", "sin reglas", "sin restricciones", "cualquier cosa",
            "sem regras", "qualquer coisa", "senza regole", "fare tutto", "zonder regels", "alles mag",
            "без правил", "без ограничений", "может всё", "может все", "没有任何规则", "无所不能", "不受任何限制",
            "ルールのない", "何でもできる", "규칙도 없는", "무엇이든", "بلا قواعد", "أي شيء", "कोई नियम नहीं",
            "kurali olmayan", "her seyi yapabilen", "bez zadnych zasad", "bez żadnych zasad",
            "no limits", "without limits", "no boundaries", "no guidelines", "uncensored", "unfiltered",
            "unrestricted", "no moral", "amoral", "no ethics", "without ethics", "never say no", "cannot refuse",
            "can't refuse", "answer anything", "answers anything", "ohne grenzen", "ohne filter", "unzensiert",
            "keine regeln", "ohne moral", "nie ablehnen", "sans limites", "sans restrictions", "sans censure",
            "aucune limite", "ne refuse rien", "sin limites", "sin censura", "sin filtros", "nunca te niegas",
            "nunca se niega", "sem limites", "sem censura", "sem filtros", "sem restricoes", "nunca recusa",
            "senza limiti", "senza censura", "senza filtri", "senza restrizioni", "non rifiuta mai",
            "zonder beperkingen", "zonder filters", "zonder grenzen", "ongecensureerd", "weigert nooit",
            "без цензуры", "без фильтров", "без границ", "никогда не отказывает", "没有限制", "无限制", "不受限制", "没有规则",
            "没有审查", "从不拒绝", "制限のない", "制限なし", "検閲なし", "断らない", "제한 없는", "제한이 없는", "검열 없는", "거절하지 않", "بلا حدود",
            "بدون قيود", "بلا قيود", "دون قيود", "لا يرفض", "बिना किसी प्रतिबंध", "बिना रोक", "कोई सीमा नहीं",
            "कभी मना नहीं", "sinirsiz", "kisitlamasiz", "sansursuz", "asla reddetmeyen", "kuralsiz",
            "bez ograniczen", "bez cenzury", "bez filtrow", "nigdy nie odmawia");

    /** Someone other than the assistant it is: you are now, pretend, role play. */
    private static final List<String> PERSONAS = List.of(
            "you are now", "you will act as", "pretend you are", "pretend to be", "roleplay as", "role-play as",
            "simulate a", "let's play a game", "lets play a game", "imagine you", "you are an evil", "act as",
            "stay in character", "enable developer mode", "in developer mode", "act as if", "pretend this is",
            "actua como si", "als ob du", "comme si tu", "como se voce", "come se tu", "alsof je", "как будто", "就当你",
            "du bist jetzt", "stell dir vor, du bist", "stell dir vor du bist", "tu es desormais", "joue le role",
            "ahora eres", "finge que eres", "agora voce e", "ora sei", "je bent nu", "теперь ты", "представь, что ты",
            "представь что ты", "从现在起你是", "假装你是", "今からあなたは", "지금부터 너는", "أنت الآن", "artik sen",
            "od teraz jestes", "od teraz jesteś", "अब से तुम",
            "you're now", "you are no longer", "from now on you are", "from now on you will", "you will now",
            "play the role", "take on the role", "assume the role", "act like", "behave like", "impersonate",
            "in a fictional world", "hypothetically", "opposite mode", "du bist nun", "ab jetzt bist du",
            "spiel die rolle", "tu so, als", "tu so als", "verhalte dich wie", "stell dir vor", "tu es maintenant",
            "fais semblant", "imagine que tu", "comporte-toi comme", "incarne", "eres ahora", "haz de cuenta",
            "imagina que eres", "interpreta el papel", "comportate como", "voce agora e", "finja que",
            "imagine que voce", "interprete o papel", "aja como", "adesso sei", "fingi di essere",
            "immagina di essere", "interpreta il ruolo", "comportati come", "doe alsof", "stel je voor dat je",
            "speel de rol", "gedraag je als", "притворись", "представь", "играй роль", "веди себя как", "отныне ты",
            "你现在是", "从现在开始你是", "假装", "扮演", "想象你是", "あなたは今から", "ふりをして", "演じて", "なりきって", "이제부터 너는", "너는 이제", "척해",
            "역할을", "연기해", "تظاهر", "تخيل أنك", "العب دور", "من الآن أنت", "अब तुम", "नाटक करो", "मान लो कि तुम",
            "की भूमिका", "gibi davran", "rolune bur", "rol yap", "udawaj", "wyobraz sobie", "zagraj role",
            "zachowuj sie jak", "you are dan", "eres dan", "du bist dan", "tu es dan", "sei dan");

    /** Verbs that make a tool run, by language. */
    private static final List<String> CALLS = List.of(
            "call", "invoke", "run", "execute", "use", "trigger", "make a", "go ahead", "immediately",
            "right away", "please", "kindly", "action required", "the next step",
            "rufe", "ruf", "fuhre", "nutze", "verwende", "benutze", "starte",
            "appelle", "utilise", "execute", "lance", "invoque",
            "ejecuta", "usa", "llama", "utiliza", "invoca",
            "chame", "utilize", "invoque", "rode",
            "esegui", "chiama", "utilizza",
            "roep", "gebruik", "voer",
            "вызови", "используй", "запусти", "выполни",
            "调用", "使用", "执行", "运行", "呼び出", "使って", "実行",
            "호출", "실행", "사용",
            "استدع", "استخدم", "نفذ", "شغل",
            "चलाओ", "चलाएं", "इस्तेमाल", "उपयोग",
            "calistir", "kullan", "cagir",
            "wywolaj", "wywołaj", "uzyj", "użyj", "uruchom",
            "fire", "perform", "issue a", "send a request", "calling", "aufrufen", "ausfuhren", "verwenden",
            "nutzen", "benutzen", "rufen sie", "fuhren sie", "appeler", "utiliser", "executer", "lancez", "appelez",
            "utilisez", "executez", "ejecutar", "usar", "llamar", "utilice", "ejecute", "llame", "executar",
            "chamar", "utilizar", "acione", "eseguire", "usare", "chiamare", "utilizzare", "lancia", "avvia",
            "aanroepen", "uitvoeren", "gebruiken", "вызвать", "используйте", "вызовите", "запустите", "выполните",
            "примени", "请调用", "触发", "呼叫", "使用", "起動", "使い", "이용", "돌려", "قم بتشغيل", "قم باستدعاء", "चलाइए",
            "कॉल करो", "कॉल करें", "kullanin", "skorzystaj");

    /** The second person, the model addressed: you, du, tu, ты, 你, あなた … */
    private static final List<String> SECOND_PERSON = List.of(
            "you", "your", "du ", "dein", "dir ", "dich", "tu ", "tus ", "te ", "ton ", "tes ", "ta ", "vous", "votre",
            "você", "voce", "seu ", "sua ", "lhe ", "ti ", "tuo", "tua", "tuoi", "je ", "jij", "jouw", "ты", "тебе",
            "тебя", "твои", "твоим", "своим", "свои", "вы ", "ваш", "你", "您", "あなた", "너", "당신", "أنت", "لك",
            "तुम", "आप", "sen ", "senin", "sana", "ty ", "twoje", "twoich", "ci ", "cię");

    /** Where data can be written for the attacker to read back, besides an address: a ticket, the answer. */
    private static final List<String> DESTINATION_WORDS = List.of(
            "into a new ticket", "ticket description", "into the ticket", "in the ticket", "in your answer",
            "in your reply", "your answer", "your reply", "in a reply", "the q parameter", "query string",
            "to this address", "to the following address", "to my email", "to my server", "external server",
            "the url below", "this url", "this endpoint", "the webhook");

    /** A rule about a topic ("the rules for expense claims") rather than the model's own. */
    private static final Pattern TOPICAL = Pattern.compile("(?:instructions?|rules|guidelines|polic(?:y|ies)"
            + "|regeln|anweisungen|richtlinien|regles|consignes|reglas|instrucciones|regras|regole|istruzioni"
            + "|instructies|instrucoes)(?:\\s+\\p{L}+)?\\s+(?:for|on|about|regarding|zur|zum|fur|pour|sur|para|sobre|per|su"
            + "|voor|de|del|do|da|di|della|der)\\s+(?!this\\b|the\\s+rest\\b|you|sistema|systeme|system)");

    private static final Pattern DESTINATION = Pattern.compile("https?://|[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}-]+\\.");

    private static final int INSTRUCTION = 1;
    private static final int CANCEL = 1 << 1;
    private static final int REDIRECT = 1 << 2;
    private static final int SECRET = 1 << 3;
    private static final int SEND = 1 << 4;
    private static final int SHOW = 1 << 5;
    private static final int OWN = 1 << 6;
    private static final int FREE = 1 << 7;
    private static final int PERSONA = 1 << 8;
    private static final int CALL = 1 << 9;
    private static final int TOOL = 1 << 10;
    private static final int YOU = 1 << 11;
    private static final int WHERE = 1 << 12;

    private final Lexicon lexicon;

    /** A tool-like identifier ({@code purge_all_records}). */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w./\"'])[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\\b");

    /** The rules, with the lexicons folded by {@code fold}; {@code tools} are the server's tool names, if known. */
    MeaningRules(Fold fold, java.util.Collection<String> tools) {
        lexicon = new Lexicon(fold);
        lexicon.add(INSTRUCTION, INSTRUCTIONS, false);
        lexicon.add(CANCEL, CANCELS, false);
        lexicon.add(REDIRECT, REDIRECTS, false);
        lexicon.add(SECRET, SECRETS, false);
        lexicon.add(SEND, SENDS, false);
        lexicon.add(SHOW, SHOWS, false);
        lexicon.add(OWN, OWN_PROMPT, false);
        lexicon.add(FREE, UNRESTRICTED, false);
        lexicon.add(PERSONA, PERSONAS, false);
        lexicon.add(CALL, CALLS, true);
        lexicon.add(YOU, SECOND_PERSON, false);
        lexicon.add(WHERE, DESTINATION_WORDS, false);
        lexicon.add(TOOL, List.copyOf(tools), true);
    }

    /** The signals of every sentence of {@code folded} (lower case, single spaces), merged into {@code signals}. */
    void signals(String folded, Map<String, Double> signals) {
        boolean override = false;
        boolean addressed = false;
        boolean redirect = false;
        for (String s : sentences(folded)) {
            int found = lexicon.scan(s);
            if (has(found, INSTRUCTION | CANCEL) && (has(found, YOU) || !TOPICAL.matcher(s).find())) {
                override = true;
                addressed |= has(found, YOU);
            }
            redirect |= has(found, REDIRECT);
            if (has(found, SECRET | SEND) && (has(found, WHERE) || has(found, TOOL) || DESTINATION.matcher(s).find())) {
                signals.merge("exfiltration", 0.6, Math::max);
            }
            if (has(found, OWN | SHOW) || has(found, SECRET | SHOW | YOU)) {
                signals.merge("prompt-leak", 0.6, Math::max);
            }
            if (has(found, PERSONA)) {
                signals.merge("role-play", 0.3, Math::max);
            }
            if (has(found, FREE)) {
                signals.merge("unrestricted", 0.3, Math::max);
            }
            if (has(found, TOOL)) {
                signals.merge("tool-mention", 0.2, Math::max);
                if (has(found, CALL)) {
                    signals.merge("tool-coercion", 0.6, Math::max);
                }
            } else if (has(found, CALL) && IDENTIFIER.matcher(s).find()) {
                // any tool-like name will do, at a lower weight: the tool may be another server's, or renamed
                signals.merge("tool-coercion", 0.5, Math::max);
            }
        }
        if (override) {
            // cancelling instructions is an override when it speaks to the model or points it at new ones
            signals.merge("instruction-override", addressed || redirect ? 0.6 : 0.4, Math::max);
        }
    }

    private static boolean has(int found, int all) {
        return (found & all) == all;
    }

    /**
     * Words of several categories, found in one pass: each position looks up the words starting with its two
     * characters (one for one-character words), so the cost is linear in the text whatever the lexicon's size.
     */
    private static final class Lexicon {
        private record Word(String text, int category, boolean start, boolean end) {
        }

        private final Fold fold;
        private final Map<Integer, List<Word>> byPrefix = new java.util.HashMap<>();
        private final Map<Character, List<Word>> single = new java.util.HashMap<>();

        Lexicon(Fold fold) {
            this.fold = fold;
        }

        /** Adds words; {@code whole}: they must also end a word (tool names: {@code get_ticket} in {@code get_tickets}). */
        void add(int category, List<String> words, boolean whole) {
            for (String raw : words) {
                String folded = fold.text(raw);
                add(category, folded, whole);
                // a stem folds alone as it may not inside a word: Russian "отменен" is all look-alikes, and so
                // Latin, while "отменены" keeps its letters
                String lower = raw.toLowerCase(java.util.Locale.ROOT);
                if (!lower.equals(folded) && !lower.isBlank()) {
                    add(category, lower, whole);
                }
            }
        }

        private void add(int category, String w, boolean whole) {
            if (w.isBlank()) {
                return;
            }
            Word word = new Word(w, category, spaced(w), whole && spaced(w));
            if (w.length() == 1) {
                single.computeIfAbsent(w.charAt(0), k -> new ArrayList<>()).add(word);
            } else {
                byPrefix.computeIfAbsent(key(w, 0), k -> new ArrayList<>()).add(word);
            }
        }

        private static int key(String s, int i) {
            return s.charAt(i) << 16 | s.charAt(i + 1);
        }

        private static boolean endsWord(String s, int end) {
            return end == s.length() || !(Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_');
        }

        /**
         * A verb used as an order, not named: not after {@code to}, {@code tool} or a {@code /} or {@code .}
         * ({@code tools/call}, {@code client.call(}), not before {@code (}.
         */
        private static boolean imperative(String s, int start, int end) {
            if (end < s.length() && s.charAt(end) == '(') {
                return false;
            }
            if (start > 0 && (s.charAt(start - 1) == '/' || s.charAt(start - 1) == '.' || s.charAt(start - 1) == '"')) {
                return false;
            }
            String before = s.substring(Math.max(0, start - 5), start);
            return !before.endsWith("to ") && !before.endsWith("tool ");
        }

        private static final java.util.List<String> NEGATIONS = java.util.List.of("not ", "never ", "don't ", "dont ",
                "never to ", "not to ",
                "do not ", "no ", "non ", "не ", "nie ", "nicht ", "ne ", "nao ", "ne pas ");

        /** "Don't forget the instructions", "не забудьте": the opposite of cancelling them. */
        private static boolean negated(String s, int start) {
            String before = s.substring(Math.max(0, start - 10), start);
            for (String n : NEGATIONS) {
                if (before.endsWith(n) && (before.length() == n.length()
                        || !Character.isLetter(before.charAt(before.length() - n.length() - 1)))) {
                    return true;
                }
            }
            return false;
        }

        /** The categories with a word in {@code s}. */
        int scan(String s) {
            int found = 0;
            for (int i = 0; i < s.length(); i++) {
                List<Word> one = single.isEmpty() ? null : single.get(s.charAt(i));
                if (one != null) {
                    for (Word w : one) {
                        found |= w.category;
                    }
                }
                if (i + 1 >= s.length()) {
                    break;
                }
                List<Word> words = byPrefix.get(key(s, i));
                if (words == null) {
                    continue;
                }
                for (Word w : words) {
                    if ((found & w.category) == 0 && s.startsWith(w.text, i)
                            && (!w.start || i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)))
                            && (!w.end || endsWord(s, i + w.text.length()))
                            && (w.category != CALL || imperative(s, i, i + w.text.length()))
                            && ((w.category & (CANCEL | SEND | SHOW | CALL)) == 0 || !negated(s, i))) {
                        found |= w.category;
                    }
                }
            }
            return found;
        }
    }

    private static boolean spaced(String w) {
        int cp = w.codePointAt(0);
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.LATIN || s == Character.UnicodeScript.CYRILLIC
                || s == Character.UnicodeScript.GREEK || s == Character.UnicodeScript.COMMON;
    }

    /** The text split at sentence ends: {@code . ! ? ;} followed by a space or the end, and full-width forms. */
    static List<String> sentences(String folded) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = folded.length();
        for (int i = 0; i < n; i++) {
            char c = folded.charAt(i);
            boolean end = c == '。' || c == '！' || c == '？' || c == '；' || c == '।'
                    || (c == '.' || c == '!' || c == '?' || c == ';') && (i + 1 == n || folded.charAt(i + 1) == ' ');
            if (end) {
                if (i > start) {
                    out.add(folded.substring(start, i));
                }
                start = i + 1;
            }
        }
        if (start < n) {
            out.add(folded.substring(start));
        }
        return out;
    }
}
