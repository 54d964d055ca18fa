package dev.mcpwarden.security.guard;

import java.util.List;

/** The redactors configuration can name. */
public enum RedactorKind {
    /** {@link Redactor#secrets()}: credentials, keys and tokens (the default for every tool) */
    SECRETS,
    /** {@link Redactor#secretsAndPii()}: secrets and every kind of personal data */
    SECRETS_AND_PII,
    /** no redaction at all: an explicit opt-out, logged as a warning when configured */
    NONE;

    /** The redactor this kind names. */
    public Redactor create() {
        return switch (this) {
            case SECRETS -> Redactor.secrets();
            case SECRETS_AND_PII -> Redactor.secretsAndPii();
            // a detector that finds nothing: the Redactor still normalises, but replaces no span
            case NONE -> Redactor.of(List.of(text -> List.of()));
        };
    }
}
