package dev.mcpwarden.authserver.store;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What an authorization code stands for; the code itself is stored only as a hash.
 *
 * @param grantId          the grant its tokens will belong to (revoked as a whole if the code is replayed)
 * @param clientId         the client it was issued to
 * @param redirectUri      the redirect URI it was sent to
 * @param redirectUriGiven whether the authorization request named the redirect URI
 * @param codeChallenge    the PKCE S256 challenge
 * @param scopes           granted scopes
 * @param resource         the resource its tokens are for
 * @param subject          the user
 * @param claims           extra claims for the user's tokens
 * @param expiresAt        end of its short life
 */
public record CodeGrant(String grantId, String clientId, String redirectUri, boolean redirectUriGiven,
                        String codeChallenge, Set<String> scopes, String resource, String subject,
                        Map<String, Object> claims, Instant expiresAt) {
    public CodeGrant {
        scopes = Set.copyOf(scopes);
        claims = Map.copyOf(claims);
    }
}
