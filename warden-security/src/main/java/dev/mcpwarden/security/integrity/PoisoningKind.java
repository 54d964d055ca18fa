package dev.mcpwarden.security.integrity;

/** What a {@link PoisoningFinding} found. */
public enum PoisoningKind {
    /** Imperatives aimed at the model: "ignore previous instructions", "do not tell the user", {@code <IMPORTANT>}. */
    HIDDEN_INSTRUCTION,
    /** A reference to a secret-bearing file or store: {@code ~/.ssh/id_rsa}, {@code .env}, {@code mcp.json}. */
    SENSITIVE_PATH,
    /** Zero-width and other invisible characters (U+200B–U+200D, U+2060, U+FEFF, soft hyphen, variation selectors). */
    INVISIBLE_CHARACTER,
    /** Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks. */
    BIDI_CONTROL,
    /** Unicode tag characters (U+E0000–U+E007F), which carry invisible ASCII. */
    TAG_CHARACTER,
    /** C0/C1 control characters such as ESC, which can rewrite what a terminal shows. */
    CONTROL_CHARACTER,
    /** A word mixing Latin letters with Cyrillic or Greek look-alikes. */
    CONFUSABLE_TEXT,
    /** A mention of another tool on the server, possibly steering the model to or away from it. */
    TOOL_REFERENCE,
    /** Phrasing that moves data out: send to a URL, include the contents of, pass the API key. */
    EXFILTRATION,
    /** A parameter whose name invites the model to hand over data the tool does not need ("sidenote"). */
    SUSPICIOUS_PARAMETER,
    /** A base64 or hex blob, worst when it decodes to text with instructions. */
    ENCODED_PAYLOAD,
    /** A string long enough to bury instructions in. */
    EXCESSIVE_LENGTH
}
