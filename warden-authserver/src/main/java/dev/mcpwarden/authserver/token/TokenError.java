package dev.mcpwarden.authserver.token;

/**
 * A refused token, registration or revocation request: an RFC 6749 §5.2 error code, a description safe to show, and
 * the HTTP status ({@code 401} for {@code invalid_client}, {@code 400} otherwise; {@code 429} or {@code 503} with
 * {@code Retry-After} when client authentication is throttled or busy).
 */
public final class TokenError extends Exception {

    private final int status;
    private final String error;
    private final long retryAfterSeconds;

    public TokenError(int status, String error, String description) {
        this(status, error, description, 0);
    }

    /** An error the client may retry after {@code retryAfterSeconds} (sent as {@code Retry-After}; 0: none). */
    public TokenError(int status, String error, String description, long retryAfterSeconds) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static TokenError invalidRequest(String description) {
        return new TokenError(400, "invalid_request", description);
    }

    public static TokenError invalidGrant(String description) {
        return new TokenError(400, "invalid_grant", description);
    }

    public static TokenError invalidClient(String description) {
        return new TokenError(401, "invalid_client", description);
    }

    public static TokenError invalidTarget(String description) {
        return new TokenError(400, "invalid_target", description);
    }

    public static TokenError invalidScope(String description) {
        return new TokenError(400, "invalid_scope", description);
    }

    public static TokenError unauthorizedClient(String description) {
        return new TokenError(400, "unauthorized_client", description);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
