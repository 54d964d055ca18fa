package dev.mcpwarden.security.oauth;

/**
 * A token that does not authenticate. {@link Reason#UNAVAILABLE} means the token could not be checked right now
 * (its issuer's keys are unreachable), which is the server's problem, not the client's.
 */
public final class TokenRejected extends Exception {

    /** Why; the message is for logs, never for the client. */
    public enum Reason { INVALID, UNAVAILABLE }

    private final Reason reason;

    public TokenRejected(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
