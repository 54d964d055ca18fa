package dev.mcpwarden.security.oauth;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where tokens are checked for being still active: an RFC 7662 introspection endpoint, called with this resource
 * server's own client credentials ({@code client_secret_basic}): opaque tokens always, and by default the issuer's
 * JWTs too, so that a revoked token stops working here.
 *
 * @param endpoint     the introspection URL (https, or http on loopback)
 * @param issuer       the issuer the introspected tokens belong to (used when the response names none)
 * @param clientId     this resource server's client id at the authorization server
 * @param clientSecret its secret
 * @param timeout      how long one introspection call may take
 * @param maxCacheTtl  how long an active result may be reused; never beyond the token's {@code exp}, and how late
 *                     a revocation may reach this server
 * @param when         which tokens are introspected: {@link When#ALWAYS} (the default) also asks about the JWTs of
 *                     {@code issuer}, so that their revocation reaches this server within {@code maxCacheTtl};
 *                     {@link When#OPAQUE} only asks about opaque tokens and accepts a revoked JWT until it expires
 */
public record Introspection(URI endpoint, String issuer, String clientId, String clientSecret, Duration timeout,
                            Duration maxCacheTtl, When when) {

    /** Which tokens are checked at the introspection endpoint. */
    public enum When {
        /** Opaque tokens, and JWTs of the introspection issuer after their signature checked out. */
        ALWAYS,
        /** Only opaque tokens; JWTs are checked locally and stay valid until they expire, even if revoked. */
        OPAQUE
    }

    /** With {@link When#ALWAYS}. */
    public Introspection(URI endpoint, String issuer, String clientId, String clientSecret, Duration timeout,
                         Duration maxCacheTtl) {
        this(endpoint, issuer, clientId, clientSecret, timeout, maxCacheTtl, When.ALWAYS);
    }

    public Introspection {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = String.valueOf(endpoint.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http")
                && ResourceServerConfig.isLoopback(endpoint.getHost()))) {
            throw new IllegalArgumentException("introspection endpoint must be https (or http on loopback), was: "
                    + endpoint);
        }
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(when, "when");
        if (!timeout.isPositive() || maxCacheTtl.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive and maxCacheTtl not negative");
        }
    }

    public static Introspection of(URI endpoint, String issuer, String clientId, String clientSecret) {
        return new Introspection(endpoint, issuer, clientId, clientSecret, Duration.ofSeconds(5),
                Duration.ofMinutes(1));
    }

    /**
     * Refuses {@link When#ALWAYS} for an issuer none of {@code config}'s trusted issuers: issuers are compared
     * exactly, as a token's {@code iss} is, so a trailing slash apart no JWT would ever be introspected and a revoked
     * JWT would be accepted until it expires, silently.
     *
     * @throws IllegalArgumentException naming both, and what to write instead
     */
    void checkAgainst(ResourceServerConfig config) {
        if (when == When.ALWAYS && config.issuers().stream().noneMatch(i -> i.issuer().equals(issuer))) {
            throw new IllegalArgumentException("introspection issuer " + issuer + " is none of the trusted issuers "
                    + config.issuers().stream().map(TrustedIssuer::issuer).toList() + " (compared exactly): with "
                    + "introspect: always no JWT would be introspected and a revoked JWT would be accepted until it "
                    + "expires; name a trusted issuer exactly, or say introspect: opaque");
        }
    }

    @Override
    public String toString() {
        return "Introspection[endpoint=" + endpoint + ", issuer=" + issuer + ", clientId=" + clientId
                + ", clientSecret=(redacted), when=" + when + "]";
    }
}
