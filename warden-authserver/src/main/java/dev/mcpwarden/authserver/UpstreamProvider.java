package dev.mcpwarden.authserver;

import dev.mcpwarden.authserver.login.UpstreamLogin;
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
 * @param subjectClaim  the ID token claim that becomes the local subject, after {@link #subjectPrefix()}
 *                      ({@code sub} by default; {@code email} and {@code phone_number} only when the provider says
 *                      it verified them; claims users choose, such as {@code preferred_username}, are refused)
 * @param copiedClaims  ID token claims copied into access tokens (e.g. {@code email}); {@code email} and
 *                      {@code phone_number} are copied only when the provider says it verified them
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
        if (MUTABLE.contains(subjectClaim)) {
            throw new IllegalArgumentException("upstream " + issuer + ": subjectClaim '" + subjectClaim + "' is "
                    + "chosen by the user and can change or be reused; use sub (or a verified email)");
        }
        copiedClaims = copiedClaims == null ? Set.of() : Set.copyOf(copiedClaims);
        for (String c : copiedClaims) {
            if (BuiltInUser.RESERVED.contains(c)) {
                throw new IllegalArgumentException("upstream claim '" + c + "' cannot be copied: the server sets it");
            }
        }
    }

    /**
     * Claims users choose or change themselves at the provider and no provider verifies: as the local subject they
     * would let one user become another (a new account taking a freed name).
     */
    static final Set<String> MUTABLE = Set.of("preferred_username", "name", "nickname", "given_name",
            "family_name", "middle_name", "username", "login", "upn", "unique_name", "profile", "website");

    /** What every local subject of this provider's users starts with (see {@link UpstreamLogin#subjectPrefix}). */
    public String subjectPrefix() {
        return UpstreamLogin.subjectPrefix(issuer);
    }

    public static UpstreamProvider of(URI issuer, String clientId, String clientSecret, String displayName) {
        return new UpstreamProvider(issuer, clientId, clientSecret, displayName, Set.of("openid", "profile", "email"),
                "sub", Set.of());
    }

    boolean isHttps() {
        return "https".equalsIgnoreCase(issuer.getScheme());
    }
}
