package dev.mcpwarden.security.oauth;

import dev.mcpwarden.security.replay.ReplayCache;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Stage;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Wires the verifier, the authenticator and the access stage of one resource server. */
public final class OAuthProtection {

    private final Challenges challenges;
    private final BearerAuthenticator authenticator;
    private final AuthorizationStage authorizationStage;
    private final String metadataUrl;
    private final List<String> metadataPaths;
    private final JwtVerifier jwt;

    public OAuthProtection(ResourceServerConfig config, Introspection introspection, Dpop dpop,
                           ScopeRequirements scopes, AccessPolicy policy, InstantSource clock) {
        this(config, introspection, dpop, scopes, policy, clock, ReplayCache.inMemory());
    }

    /**
     * @param replayCache where DPoP proofs' {@code jti}s are remembered (shared by replicas, or this process's own);
     *                    unused without {@code dpop}
     */
    public OAuthProtection(ResourceServerConfig config, Introspection introspection, Dpop dpop,
                           ScopeRequirements scopes, AccessPolicy policy, InstantSource clock,
                           ReplayCache replayCache) {
        URI r = config.resource();
        String path = r.getRawPath() == null || r.getRawPath().isEmpty() ? "/" : r.getRawPath();
        String wellKnown = "/.well-known/oauth-protected-resource";
        this.metadataPaths = new ArrayList<>();
        metadataPaths.add(path.equals("/") ? wellKnown : wellKnown + path);
        this.metadataUrl = r.getScheme() + "://" + r.getRawAuthority() + metadataPaths.get(0);
        this.challenges = new Challenges(metadataUrl, config.scopesSupported(), dpop,
                proofAlgorithms(config.algorithms()));
        this.jwt = new JwtVerifier(config, clock);
        if (introspection != null) {
            introspection.checkAgainst(config);
        }
        TokenVerifier verifier = new TokenRouter(jwt,
                introspection == null ? null : new IntrospectionVerifier(introspection, config, clock),
                introspection != null && introspection.when() == Introspection.When.ALWAYS
                        ? introspection.issuer() : null);
        if (config.tokenCacheSize() > 0) {
            verifier = new CachingVerifier(verifier, config.tokenCacheSize(), clock);
        }
        this.authenticator = new BearerAuthenticator(verifier, challenges, dpop == null ? null
                : new DpopVerifier(dpop, proofAlgorithms(config.algorithms()), config.resource().toString(), clock,
                        replayCache), config.clockSkew());
        this.authorizationStage = new AuthorizationStage(scopes, policy, challenges);
    }

    /**
     * The algorithms a DPoP proof may be signed with: the accepted ones that are asymmetric (RFC 9449 §4.2; a proof
     * carries its public key, so an HMAC algorithm can never apply).
     */
    public static java.util.Set<com.nimbusds.jose.JWSAlgorithm> proofAlgorithms(
            java.util.Set<com.nimbusds.jose.JWSAlgorithm> accepted) {
        java.util.Set<com.nimbusds.jose.JWSAlgorithm> out = new java.util.LinkedHashSet<>(accepted);
        out.retainAll(com.nimbusds.jose.JWSAlgorithm.Family.SIGNATURE);
        return java.util.Set.copyOf(out);
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public Stage<Call, JsonNode> authorizationStage() {
        return authorizationStage;
    }

    public String metadataUrl() {
        return metadataUrl;
    }

    public List<String> metadataPaths() {
        return List.copyOf(metadataPaths);
    }

    /** The trusted issuers' keys, in counts (for readiness): {@code "1 of 1 available"}. */
    public String issuerKeysState() {
        return jwt.keysState();
    }
}
