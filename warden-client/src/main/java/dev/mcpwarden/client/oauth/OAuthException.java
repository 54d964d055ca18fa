package dev.mcpwarden.client.oauth;

/** Why the OAuth client obtained no token; its message names the server and the step, never a secret. */
final class OAuthException extends Exception {

    private static final long serialVersionUID = 1L;

    OAuthException(String message) {
        super(message);
    }

    OAuthException(String message, Throwable cause) {
        super(message, cause);
    }
}
