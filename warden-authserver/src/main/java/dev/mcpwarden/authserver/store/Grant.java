package dev.mcpwarden.authserver.store;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A user's (or service's) authorization of a client for a resource, from which access tokens and one rotating
 * refresh token family are issued.
 *
 * @param id        random id
 * @param clientId  the client
 * @param subject   the user (or the client, for client credentials)
 * @param scopes    granted scopes
 * @param resource  the resource tokens are for
 * @param claims    extra claims for tokens
 * @param expiresAt when the refresh token family ends, whatever the rotations
 */
public record Grant(String id, String clientId, String subject, Set<String> scopes, String resource,
                    Map<String, Object> claims, Instant expiresAt) {
    public Grant {
        scopes = Set.copyOf(scopes);
        claims = Map.copyOf(claims);
    }
}
