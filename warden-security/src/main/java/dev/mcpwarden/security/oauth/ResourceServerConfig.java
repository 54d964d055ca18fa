package dev.mcpwarden.security.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How this MCP server checks access tokens.
 *
 * @param resource           this server's canonical URI (RFC 8707); tokens must name it in {@code aud}
 * @param issuers            the authorization servers trusted to issue tokens
 * @param scopesSupported    the minimal scopes for basic use, published in the metadata and the 401 challenge
 * @param algorithms         signature algorithms accepted (asymmetric only: never {@code none}, never HMAC)
 * @param requireAtJwtType   whether tokens must carry {@code typ: at+jwt} (RFC 9068)
 * @param clockSkew          tolerance for {@code exp}, {@code nbf} and {@code iat}; at most 60 s
 * @param tenantClaim        the claim naming the caller's tenant
 * @param rolesClaim         the claim listing the caller's roles
 * @param tokenCacheSize     verified tokens kept (by digest) so signatures are not checked twice
 * @param jwksRefreshMinimum the least time between two key set fetches for unknown key ids
 */
public record ResourceServerConfig(URI resource, List<TrustedIssuer> issuers, Set<String> scopesSupported,
                                   Set<JWSAlgorithm> algorithms, boolean requireAtJwtType, Duration clockSkew,
                                   String tenantClaim, String rolesClaim, int tokenCacheSize,
                                   Duration jwksRefreshMinimum) {

    /** The asymmetric algorithms accepted by default. */
    public static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);

    public ResourceServerConfig {
        if (resource == null || !resource.isAbsolute() || resource.getFragment() != null) {
            throw new IllegalArgumentException("resource must be an absolute URI without a fragment, was: " + resource);
        }
        String scheme = resource.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && isLoopback(resource.getHost()))) {
            throw new IllegalArgumentException("resource must be https (or http on loopback), was: " + resource);
        }
        if (issuers == null || issuers.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted issuer is required");
        }
        issuers = List.copyOf(issuers);
        if (issuers.stream().map(TrustedIssuer::issuer).distinct().count() != issuers.size()) {
            throw new IllegalArgumentException("each issuer may be trusted only once");
        }
        scopesSupported = Set.copyOf(scopesSupported);
        if (scopesSupported.contains("offline_access")) {
            throw new IllegalArgumentException("scopesSupported must not list offline_access");
        }
        algorithms = Set.copyOf(algorithms);
        for (JWSAlgorithm a : algorithms) {
            if (JWSAlgorithm.Family.HMAC_SHA.contains(a) || a.getName().equalsIgnoreCase("none")) {
                throw new IllegalArgumentException("algorithm " + a + " is not allowed: only asymmetric signatures");
            }
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("at least one algorithm must be accepted");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("clockSkew must be between 0 and 60 s, was " + clockSkew);
        }
        if (tokenCacheSize < 0) {
            throw new IllegalArgumentException("tokenCacheSize must not be negative, was " + tokenCacheSize);
        }
        if (jwksRefreshMinimum.isNegative()) {
            throw new IllegalArgumentException("jwksRefreshMinimum must not be negative");
        }
    }

    static boolean isLoopback(String host) {
        return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")
                || host.equals("::1"));
    }

    /** Strict defaults: at+jwt not required (many issuers send JWT), 60 s skew, tenant/roles claims. */
    public static ResourceServerConfig of(URI resource, List<TrustedIssuer> issuers, Set<String> scopesSupported) {
        return new ResourceServerConfig(resource, issuers, scopesSupported, DEFAULT_ALGORITHMS, false,
                Duration.ofSeconds(60), "tenant", "roles", 10_000, Duration.ofSeconds(30));
    }

    public ResourceServerConfig withRequireAtJwtType(boolean require) {
        return new ResourceServerConfig(resource, issuers, scopesSupported, algorithms, require, clockSkew,
                tenantClaim, rolesClaim, tokenCacheSize, jwksRefreshMinimum);
    }

    public ResourceServerConfig withClaims(String tenant, String roles) {
        return new ResourceServerConfig(resource, issuers, scopesSupported, algorithms, requireAtJwtType,
                clockSkew, tenant, roles, tokenCacheSize, jwksRefreshMinimum);
    }

    public ResourceServerConfig withTokenCacheSize(int size) {
        return new ResourceServerConfig(resource, issuers, scopesSupported, algorithms, requireAtJwtType,
                clockSkew, tenantClaim, rolesClaim, size, jwksRefreshMinimum);
    }

    public ResourceServerConfig withJwksRefreshMinimum(Duration d) {
        return new ResourceServerConfig(resource, issuers, scopesSupported, algorithms, requireAtJwtType,
                clockSkew, tenantClaim, rolesClaim, tokenCacheSize, d);
    }

    public ResourceServerConfig withAlgorithms(Set<JWSAlgorithm> algs) {
        return new ResourceServerConfig(resource, issuers, scopesSupported, algs, requireAtJwtType, clockSkew,
                tenantClaim, rolesClaim, tokenCacheSize, jwksRefreshMinimum);
    }
}
