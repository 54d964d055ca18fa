package dev.mcpwarden.authserver.store;

import java.time.Instant;
import java.util.Map;

/**
 * A signed-in browser. Its id travels in the session cookie; the CSRF token is embedded in the consent form and
 * must come back with it.
 *
 * @param id        random session id
 * @param subject   the user
 * @param claims    the user's extra token claims
 * @param csrfToken random token bound to this session
 * @param authTime  when the user signed in
 * @param expiresAt when the session ends
 */
public record LoginSession(String id, String subject, Map<String, Object> claims, String csrfToken,
                           Instant authTime, Instant expiresAt) {
    public LoginSession {
        claims = Map.copyOf(claims);
    }
}
