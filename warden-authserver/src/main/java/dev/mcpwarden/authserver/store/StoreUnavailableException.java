package dev.mcpwarden.authserver.store;

/**
 * The store's backing service (e.g. Redis) could not be reached or did not answer in time. Thrown by an
 * {@link AuthStore} instead of guessing: an unanswered "was this code already used?" must not be taken for "no".
 * The HTTP layer answers 503 so that clients retry later.
 */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
