package dev.mcpwarden.security.oauth;

import java.util.Objects;
import java.util.Optional;

/**
 * How callers authenticate: the OAuth resource server's token checks, and optionally sender-constrained tokens
 * (DPoP) and introspection of opaque tokens.
 *
 * @param resourceServer the resource server configuration (resource URI, trusted issuers, algorithms, claims)
 * @param dpop           DPoP, or empty for bearer tokens only
 * @param introspection  where opaque tokens are checked, or empty to accept JWTs only
 */
public record AuthenticationConfig(ResourceServerConfig resourceServer, Optional<Dpop> dpop,
                                   Optional<Introspection> introspection) {

    public AuthenticationConfig {
        Objects.requireNonNull(resourceServer, "resourceServer");
        Objects.requireNonNull(dpop, "dpop (use Optional.empty() for bearer tokens only)");
        Objects.requireNonNull(introspection, "introspection (use Optional.empty() for JWTs only)");
        introspection.ifPresent(i -> i.checkAgainst(resourceServer));
    }

    /** JWTs only, bearer tokens, no introspection. */
    public static AuthenticationConfig of(ResourceServerConfig resourceServer) {
        return new AuthenticationConfig(resourceServer, Optional.empty(), Optional.empty());
    }

    /** This configuration with another resource server configuration (e.g. a resource URI known only at start). */
    public AuthenticationConfig withResourceServer(ResourceServerConfig config) {
        return new AuthenticationConfig(config, dpop, introspection);
    }
}
