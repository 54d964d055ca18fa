package dev.mcpwarden.authserver;

import java.net.URI;
import java.util.Objects;
import java.util.Set;

/**
 * An upstream OpenID provider users may sign in with (the OAuth-proxy shape): Warden is one confidential client
 * there, with a static client id; the upstream's tokens stay inside Warden and never reach MCP clients.
 *
 * @param issuer        the provider's issuer (its discovery document is fetched from it)
 * @param clientId      Warden's client id at the provider
 * @param clientSecret  Warden's client secret at the provider
 * @param displayName   the name on the login button
 * @param scopes        scopes requested upstream ({@code openid} is always added)
 * @param subjectClaim  the ID token claim that becomes the local subject ({@code sub} by default)
 * @param copiedClaims  ID token claims copied into access tokens (e.g. {@code email})
 */
public record UpstreamProvider(URI issuer, String clientId, String clientSecret, String displayName,
                               Set<String> scopes, String subjectClaim, Set<String> copiedClaims) {

    public UpstreamProvider {
        Objects.requireNonNull(issuer, "issuer");
        if (!issuer.isAbsolute() || issuer.getFragment() != null || issuer.getQuery() != null) {
            throw new IllegalArgumentException("upstream issuer must be an absolute URL, was " + issuer);
        }
        if (clientId == null || clientId.isBlank() || clientSecret == null || clientSecret.isBlank()) {
            throw new IllegalArgumentException("upstream " + issuer + ": clientId and clientSecret are required");
        }
        displayName = displayName == null || displayName.isBlank() ? issuer.getHost() : displayName;
        scopes = scopes == null ? Set.of("openid") : Set.copyOf(scopes);
        subjectClaim = subjectClaim == null || subjectClaim.isBlank() ? "sub" : subjectClaim;
        copiedClaims = copiedClaims == null ? Set.of() : Set.copyOf(copiedClaims);
        for (String c : copiedClaims) {
            if (BuiltInUser.RESERVED.contains(c)) {
                throw new IllegalArgumentException("upstream claim '" + c + "' cannot be copied: the server sets it");
            }
        }
    }

    public static UpstreamProvider of(URI issuer, String clientId, String clientSecret, String displayName) {
        return new UpstreamProvider(issuer, clientId, clientSecret, displayName, Set.of("openid", "profile", "email"),
                "sub", Set.of());
    }

    boolean isHttps() {
        return "https".equalsIgnoreCase(issuer.getScheme());
    }
}
