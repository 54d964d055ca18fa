package dev.mcpwarden.server.auth;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who made a request, as established by authentication. Handlers see this, never the token it came from.
 *
 * @param issuer   the token's issuer ({@code iss}), or "local" for unauthenticated transports
 * @param subject  the subject ({@code sub})
 * @param clientId the OAuth client the token was issued to, or null
 * @param scopes   granted scopes
 * @param tenant   the tenant claim, or null
 * @param roles    roles from the configured claim
 * @param claims   the other claims, for policies
 */
public record Principal(String issuer, String subject, String clientId, Set<String> scopes, String tenant,
                        Set<String> roles, Map<String, Object> claims) {

    /** Requests on transports without authentication (stdio, or HTTP with authentication explicitly off). */
    public static final Principal ANONYMOUS = new Principal("local", "anonymous", null, Set.of(), null, Set.of(),
            Map.of());

    public Principal {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        scopes = Set.copyOf(scopes);
        roles = Set.copyOf(roles);
        claims = Map.copyOf(claims);
    }

    /**
     * A stable identity key: issuer, subject and client. Sessions and sealed request state are bound to it, so they
     * cannot be used by anyone else, nor by the same user through another client.
     */
    public String key() {
        return issuer + "\u0000" + subject + "\u0000" + (clientId == null ? "" : clientId);
    }

    public boolean hasScopes(Set<String> required) {
        return scopes.containsAll(required);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
