package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.pipeline.Challenge;
import dev.mcpwarden.server.pipeline.Rejection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The 401, 403 and 503 answers of the resource server, with their {@code WWW-Authenticate} challenges. */
final class Challenges {

    private final String metadataUrl;
    private final String defaultScope;
    private final Dpop dpop;
    private final String dpopAlgs;

    Challenges(String metadataUrl, Set<String> scopesSupported, Dpop dpop, Set<com.nimbusds.jose.JWSAlgorithm> algs) {
        this.metadataUrl = metadataUrl;
        this.defaultScope = String.join(" ", new java.util.TreeSet<>(scopesSupported));
        this.dpop = dpop;
        this.dpopAlgs = String.join(" ", algs.stream().map(a -> a.getName()).sorted().toList());
    }

    /** No usable credential was sent (RFC 6750 §3: no error code). */
    Rejection missing() {
        return unauthorized(null, "Unauthorized: a bearer token is required");
    }

    /** A credential was sent in a way this server refuses (query string, several headers). */
    Rejection badRequest(String why) {
        return unauthorized("invalid_request", "Unauthorized: " + why);
    }

    /** The token is invalid, expired, or not for this server. */
    Rejection invalidToken() {
        return unauthorized("invalid_token", "Unauthorized: the access token is invalid or expired");
    }

    private Rejection unauthorized(String error, String message) {
        List<Challenge.Scheme> schemes = new ArrayList<>(2);
        if (dpop == null || dpop.mode() != Dpop.Mode.REQUIRED) {
            schemes.add(scheme("Bearer", error, null, false));
        }
        if (dpop != null) {
            schemes.add(scheme("DPoP", dpop.mode() == Dpop.Mode.REQUIRED ? error : null, null, true));
        }
        return Rejection.unauthorized(message, new Challenge(error, null, schemes, null));
    }

    private Challenge.Scheme scheme(String name, String error, String description, boolean algs) {
        Map<String, String> params = new LinkedHashMap<>();
        if (error != null) {
            params.put("error", error);
        }
        if (description != null) {
            params.put("error_description", description);
        }
        params.put("resource_metadata", metadataUrl);
        if (!defaultScope.isEmpty()) {
            params.put("scope", defaultScope);
        }
        if (algs) {
            params.put("algs", dpopAlgs);
        }
        return new Challenge.Scheme(name, params);
    }

    /** A DPoP proof that does not hold; with {@code nonce}, the client must retry with that nonce. */
    Rejection invalidProof(String description, String nonce) {
        String error = nonce != null ? "use_dpop_nonce" : "invalid_dpop_proof";
        return Rejection.unauthorized("Unauthorized: " + description, new Challenge(error, description,
                List.of(scheme("DPoP", error, description, true)), nonce));
    }

    /** The token lacks scopes the operation needs: name all of them in one step-up challenge. */
    Rejection insufficientScope(Set<String> needed) {
        String scope = String.join(" ", new java.util.TreeSet<>(needed));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("error", "insufficient_scope");
        params.put("scope", scope);
        params.put("resource_metadata", metadataUrl);
        params.put("error_description", "This operation needs the scopes " + scope);
        return Rejection.insufficientScope("Forbidden: insufficient scope, needs " + scope,
                new Challenge("insufficient_scope", "This operation needs the scopes " + scope,
                        List.of(new Challenge.Scheme("Bearer", params)), null));
    }

    /** The token could not be checked (its issuer's keys are unreachable): our failure, not the client's. */
    Rejection unavailable() {
        return Rejection.unavailable("Service Unavailable: the access token cannot be verified right now", 5);
    }

    /** The DPoP proof's replay check could not be made (the shared replay cache is down): 503, never accepted. */
    Rejection proofUnavailable() {
        return Rejection.unavailable("Service Unavailable: the DPoP proof cannot be checked right now", 5);
    }
}
