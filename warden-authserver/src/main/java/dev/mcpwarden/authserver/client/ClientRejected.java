package dev.mcpwarden.authserver.client;

/**
 * The client cannot be identified or its redirect URI cannot be trusted. The message is safe to show: it never
 * contains fetched content or internal details.
 */
public final class ClientRejected extends Exception {
    public ClientRejected(String message) {
        super(message, null, false, false);
    }
}
