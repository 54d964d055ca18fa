package dev.mcpwarden.security.guard;

/** What a detector found; {@link #label()} is the replacement text the {@link Redactor} writes. */
public enum FindingKind {
    /** A vendor API key (Stripe, OpenAI, GitHub, Slack, Google) or a generic {@code api_key=} value. */
    API_KEY(true),
    /** An AWS access key id or secret access key. */
    AWS_KEY(true),
    /** A bearer token such as a JWT, or a generic {@code token=} value. */
    TOKEN(true),
    /** A PEM (or OpenSSH, PGP) private key block. */
    PRIVATE_KEY(true),
    /** A connection string or URL that carries a password. */
    CONNECTION_STRING(true),
    /** A generic {@code password=} or {@code secret=} value. */
    PASSWORD(true),
    /** An e-mail address. */
    EMAIL(false),
    /** A telephone number. */
    PHONE(false),
    /** A US social security number. */
    SSN(false),
    /** A payment card number (Luhn-valid). */
    CARD(false),
    /** An international bank account number (mod-97 valid). */
    IBAN(false),
    /** A date of birth, where a label says it is one. */
    DATE_OF_BIRTH(false),
    /** A passport number, where a label says it is one. */
    PASSPORT(false);

    private final boolean secret;

    FindingKind(boolean secret) {
        this.secret = secret;
    }

    /** Whether this is a secret (credential) rather than personal data. */
    public boolean secret() {
        return secret;
    }

    /** The replacement text, {@code [REDACTED-<KIND>]}. */
    public String label() {
        return "[REDACTED-" + name() + "]";
    }
}
