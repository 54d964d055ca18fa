package dev.mcpwarden.security.guard.eval;

import java.util.Objects;

/**
 * One labelled text of an injection evaluation set.
 *
 * @param id        stable name, {@code a-<class>-<lang>-<n>} for attacks and {@code b-…} for benign texts
 * @param attack    whether the text tries to instruct the model
 * @param kind      the class: {@code override}, {@code paraphrase}, {@code tool-coercion}, {@code exfiltration},
 *                  {@code beacon}, {@code tag-directive}, {@code role-play}, {@code obfuscation} for attacks;
 *                  {@code quoted-mail}, {@code notice}, {@code code}, {@code log}, {@code article},
 *                  {@code reset-ticket}, {@code non-english}, {@code misc} for benign texts
 * @param language  the BCP 47 language of the text
 * @param untrusted whether the text arrives through a tool whose output is marked untrusted, so that it is
 *                  spotlighted even when no detector flags it (always false for benign texts)
 * @param text      the text as a tool would return it
 */
public record InjectionCase(String id, boolean attack, String kind, String language, boolean untrusted, String text) {
    public InjectionCase {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(text, "text");
    }
}
