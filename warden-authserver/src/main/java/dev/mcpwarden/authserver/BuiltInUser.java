package dev.mcpwarden.authserver;

import java.util.Map;
import java.util.Objects;

/**
 * A user who signs in with a password kept in the configuration.
 *
 * @param username     the login name, also the token subject
 * @param passwordHash an Argon2id PHC string from {@link dev.mcpwarden.authserver.login.PasswordHash#hash}
 * @param claims       extra claims copied into this user's access tokens (e.g. {@code tenant}, {@code roles})
 */
public record BuiltInUser(String username, String passwordHash, Map<String, Object> claims) {

    /** Claims the server sets itself; configuration may not override them. */
    static final java.util.Set<String> RESERVED = java.util.Set.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti",
            "client_id", "scope", "act", "auth_time");

    public BuiltInUser {
        Objects.requireNonNull(username, "username");
        if (username.isBlank() || username.length() > 128 || !username.strip().equals(username)) {
            throw new IllegalArgumentException("username must be 1-128 characters without surrounding spaces, was '"
                    + username + "'");
        }
        if (passwordHash == null || !passwordHash.startsWith("$argon2id$")) {
            throw new IllegalArgumentException("user " + username
                    + ": passwordHash must be an Argon2id PHC string ($argon2id$v=19$...)");
        }
        claims = claims == null ? Map.of() : Map.copyOf(claims);
        for (String k : claims.keySet()) {
            if (RESERVED.contains(k)) {
                throw new IllegalArgumentException("user " + username + ": claim '" + k + "' is set by the server");
            }
        }
    }

    public static BuiltInUser of(String username, String passwordHash) {
        return new BuiltInUser(username, passwordHash, Map.of());
    }
}
