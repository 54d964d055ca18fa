package dev.mcpwarden.authserver.store;

import java.time.Instant;
import java.util.Set;

/**
 * A validated authorization request waiting for login and consent, bound to the browser that made it.
 *
 * @param id               random handle carried through the login and consent pages
 * @param clientId         the client
 * @param redirectUri      the validated redirect URI the response goes to
 * @param redirectUriGiven whether the request named it (the token request must then repeat it)
 * @param state            the client's state, echoed back
 * @param codeChallenge    the PKCE S256 challenge
 * @param scopes           the scopes requested (after defaults)
 * @param resource         the resource (RFC 8707)
 * @param browserBinding   hash of the random value in the browser-binding cookie
 * @param forceConsent     whether the consent page must be shown even if consent was remembered
 *                         ({@code prompt=consent})
 * @param expiresAt        when the request is forgotten
 */
public record PendingAuthorization(String id, String clientId, String redirectUri, boolean redirectUriGiven,
                                   String state, String codeChallenge, Set<String> scopes, String resource,
                                   String browserBinding, boolean forceConsent, Instant expiresAt) {
    public PendingAuthorization {
        scopes = Set.copyOf(scopes);
    }
}
