package dev.mcpwarden.authserver.store;

import java.time.Instant;

/**
 * A sign-in at the upstream provider in progress.
 *
 * @param state          the state sent upstream
 * @param pendingId      the authorization request waiting for the sign-in
 * @param nonce          the nonce the ID token must carry
 * @param codeVerifier   the PKCE verifier for the upstream code
 * @param browserBinding hash of the browser-binding cookie of the browser that started it
 * @param expiresAt      when it is forgotten
 */
public record UpstreamState(String state, String pendingId, String nonce, String codeVerifier,
                            String browserBinding, Instant expiresAt) {
}
