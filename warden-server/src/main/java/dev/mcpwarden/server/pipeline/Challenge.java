package dev.mcpwarden.server.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An authentication challenge as a value: the OAuth error it reports and the schemes it offers, formatted into
 * {@code WWW-Authenticate} only when the response is written. Whoever records the refusal reads {@link #error()}
 * from here, never from the header.
 *
 * @param error       the OAuth error code ({@code invalid_token}, {@code insufficient_scope}, ...), or null when no
 *                    credential was sent (RFC 6750 §3)
 * @param description the human-readable error description, or null
 * @param schemes     the schemes offered, in order, each with its parameters in order
 * @param nonce       a {@code DPoP-Nonce} the client must use on its retry, or null
 */
public record Challenge(String error, String description, List<Scheme> schemes, String nonce) {

    /** One scheme of a challenge, e.g. {@code Bearer} with {@code resource_metadata} and {@code scope}. */
    public record Scheme(String name, Map<String, String> params) {
        public Scheme {
            Objects.requireNonNull(name, "name");
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        /** {@code name k="v", k="v"}. */
        String format() {
            StringBuilder h = new StringBuilder(name);
            String sep = " ";
            for (Map.Entry<String, String> p : params.entrySet()) {
                h.append(sep).append(p.getKey()).append("=\"").append(p.getValue()).append('"');
                sep = ", ";
            }
            return h.toString();
        }
    }

    public Challenge {
        schemes = List.copyOf(schemes);
        if (schemes.isEmpty()) {
            throw new IllegalArgumentException("a challenge offers at least one scheme");
        }
    }

    /** The {@code WWW-Authenticate} value: every scheme, comma-separated. */
    public String header() {
        StringBuilder h = new StringBuilder();
        for (Scheme s : schemes) {
            if (!h.isEmpty()) {
                h.append(", ");
            }
            h.append(s.format());
        }
        return h.toString();
    }
}
