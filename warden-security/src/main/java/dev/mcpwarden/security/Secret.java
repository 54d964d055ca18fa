package dev.mcpwarden.security;

import java.util.Objects;

/**
 * A secret value (a client secret, an API key, a password) that never shows itself by accident: {@link #toString()}
 * prints where it came from and never the value, and two secrets are equal only if they are the same object, so a
 * value cannot leak through logs, exception messages or a debugger's record printing. Only {@link #reveal()} gives the
 * value, at the one place that needs it.
 */
public final class Secret {

    private final String value;
    private final String origin;

    private Secret(String value, String origin) {
        this.value = value;
        this.origin = origin;
    }

    /**
     * A secret read from {@code origin} (e.g. {@code file:/run/secrets/key}, {@code env:API_KEY}), which is shown
     * instead of the value.
     */
    public static Secret of(String value, String origin) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the secret from " + origin + " is empty");
        }
        return new Secret(value, origin);
    }

    /** The value: pass it straight to the API that needs it, never to a log. */
    public String reveal() {
        return value;
    }

    /** Where the value came from (the reference, not the value). */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "Secret[" + origin + "]";
    }
}
