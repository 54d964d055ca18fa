package dev.mcpwarden.server.auth;

import dev.mcpwarden.server.pipeline.Rejection;

/**
 * Establishes who sent an HTTP request. Implementations refuse with a {@link Rejection} (401 with a
 * {@code WWW-Authenticate} challenge for a missing or bad credential, 503 when the credential cannot be checked
 * right now); they never let a request through unauthenticated.
 */
@FunctionalInterface
public interface Authenticator {

    Principal authenticate(RequestHead request);

    /**
     * Whether the principals this authenticator returns are proven by the request's own {@code Authorization: Bearer}
     * token (an OAuth access token it verified), so that a backend may exchange that very token on the caller's
     * behalf (RFC 8693, a gateway's upstream). The default, false, keeps whatever a custom scheme puts in that header
     * out of any exchange: a principal proven by an API key must not be acted for with some other token.
     */
    default boolean verifiesBearerToken() {
        return false;
    }

    /**
     * Whether authenticating {@code request} may block: fetch keys, ask an introspection endpoint or a remote replay
     * store. Say no only when the answer is at hand (a token verified before and still cached); a request that may
     * block is authenticated on a virtual thread. The default is the safe answer.
     */
    default boolean mayBlock(RequestHead request) {
        return true;
    }

    /**
     * Until when the credential that proved {@code principal} is accepted, or null when it does not expire. A
     * long-lived stream the credential opened ends then, so that it does not outlive it. The default reads the
     * {@code exp} claim (seconds since the epoch); an authenticator that tolerates clock skew adds it, so that the
     * stream ends exactly when the credential stops being accepted.
     */
    default java.time.Instant validUntil(Principal principal) {
        return principal.claims().get("exp") instanceof Number exp ? java.time.Instant.ofEpochSecond(exp.longValue())
                : null;
    }

    /** The parts of an HTTP request an authenticator may look at. */
    interface RequestHead {
        String method();

        /** A header value, or null; {@link #headers} for repeated headers. */
        String header(String name);

        java.util.List<String> headers(String name);

        /** The raw query string, or null. */
        String query();

        /** The full request URL as received. */
        String url();

        /** The request's correlation id (for audit records), or null where the transport has none. */
        default String correlationId() {
            return null;
        }

        /** The peer's network address, or null. */
        default String remoteAddress() {
            return null;
        }
    }
}
