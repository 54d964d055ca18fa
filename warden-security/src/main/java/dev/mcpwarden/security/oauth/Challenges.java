package dev.mcpwarden.security.oauth;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.pipeline.Rejection;
import java.util.Map;
import java.util.Set;

/** The 401, 403 and 503 answers of the resource server, with their {@code WWW-Authenticate} challenges. */
final class Challenges {

    private final String metadataUrl;
    private final String defaultScope;

    Challenges(String metadataUrl, Set<String> scopesSupported) {
        this.metadataUrl = metadataUrl;
        this.defaultScope = String.join(" ", new java.util.TreeSet<>(scopesSupported));
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
        StringBuilder h = new StringBuilder("Bearer");
        if (error != null) {
            h.append(" error=\"").append(error).append("\",");
        }
        h.append(" resource_metadata=\"").append(metadataUrl).append('"');
        if (!defaultScope.isEmpty()) {
            h.append(", scope=\"").append(defaultScope).append('"');
        }
        return new Rejection(401, ErrorCodes.INVALID_REQUEST, message, null, Map.of("WWW-Authenticate", h.toString()));
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
