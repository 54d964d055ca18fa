package dev.mcpwarden.security.oauth;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.pipeline.Rejection;
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
        StringBuilder h = new StringBuilder();
        if (dpop == null || dpop.mode() != Dpop.Mode.REQUIRED) {
            h.append(challenge("Bearer", error, null));
        }
        if (dpop != null) {
            if (!h.isEmpty()) {
                h.append(", ");
            }
            h.append(challenge("DPoP", dpop.mode() == Dpop.Mode.REQUIRED ? error : null, null))
                    .append(", algs=\"").append(dpopAlgs).append('"');
        }
        return new Rejection(401, ErrorCodes.INVALID_REQUEST, message, null, Map.of("WWW-Authenticate", h.toString()));
    }

    private String challenge(String scheme, String error, String description) {
        StringBuilder h = new StringBuilder(scheme);
        if (error != null) {
            h.append(" error=\"").append(error).append("\",");
        }
        if (description != null) {
            h.append(" error_description=\"").append(description).append("\",");
        }
        h.append(" resource_metadata=\"").append(metadataUrl).append('"');
        if (!defaultScope.isEmpty()) {
            h.append(", scope=\"").append(defaultScope).append('"');
        }
        return h.toString();
    }

    /** A DPoP proof that does not hold; with {@code nonce}, the client must retry with that nonce. */
    Rejection invalidProof(String description, String nonce) {
        String h = challenge("DPoP", nonce != null ? "use_dpop_nonce" : "invalid_dpop_proof", description)
                + ", algs=\"" + dpopAlgs + "\"";
        Map<String, String> headers = nonce == null ? Map.of("WWW-Authenticate", h)
                : Map.of("WWW-Authenticate", h, "DPoP-Nonce", nonce);
        return new Rejection(401, ErrorCodes.INVALID_REQUEST, "Unauthorized: " + description, null, headers);
    }

    /** The token lacks scopes the operation needs: name all of them in one step-up challenge. */
    Rejection insufficientScope(Set<String> needed) {
        String scope = String.join(" ", new java.util.TreeSet<>(needed));
        String h = "Bearer error=\"insufficient_scope\", scope=\"" + scope + "\", resource_metadata=\"" + metadataUrl
                + "\", error_description=\"This operation needs the scopes " + scope + "\"";
        return new Rejection(403, ErrorCodes.INVALID_REQUEST, "Forbidden: insufficient scope, needs " + scope, null,
                Map.of("WWW-Authenticate", h));
    }

    /** The token could not be checked (its issuer's keys are unreachable): our failure, not the client's. */
    Rejection unavailable() {
        return new Rejection(503, ErrorCodes.INTERNAL_ERROR,
                "Service Unavailable: the access token cannot be verified right now", null,
                Map.of("Retry-After", "5"));
    }
}
