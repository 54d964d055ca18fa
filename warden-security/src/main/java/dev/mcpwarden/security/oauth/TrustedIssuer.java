package dev.mcpwarden.security.oauth;

import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.util.Objects;

/**
 * An authorization server whose tokens this resource server accepts. Its signing keys come from, in order of
 * preference: a key set given here (tests, air-gapped deployments), an explicit {@code jwks_uri}, or the
 * {@code jwks_uri} of the issuer's metadata (RFC 8414, then OpenID discovery), fetched on first use.
 *
 * @param issuer  the exact {@code iss} value tokens carry
 * @param jwksUri the key set URL, or null to discover it
 * @param keys    a fixed key set, or null to fetch
 */
public record TrustedIssuer(String issuer, URI jwksUri, JWKSet keys) {

    public TrustedIssuer {
        Objects.requireNonNull(issuer, "issuer");
        if (issuer.isBlank()) {
            throw new IllegalArgumentException("issuer must not be blank");
        }
        if (keys != null && keys.getKeys().stream().anyMatch(k -> k.isPrivate())) {
            throw new IllegalArgumentException("issuer " + issuer + ": the key set must hold public keys only");
        }
    }

    /** Keys from the issuer's metadata document. */
    public static TrustedIssuer discover(String issuer) {
        return new TrustedIssuer(issuer, null, null);
    }

    public static TrustedIssuer withJwksUri(String issuer, URI jwksUri) {
        return new TrustedIssuer(issuer, Objects.requireNonNull(jwksUri, "jwksUri"), null);
    }

    public static TrustedIssuer withKeys(String issuer, JWKSet keys) {
        return new TrustedIssuer(issuer, null, Objects.requireNonNull(keys, "keys").toPublicJWKSet());
    }
}
