package dev.mcpwarden.authserver.login;

import java.util.Map;

/**
 * Who signed in.
 *
 * @param subject the token subject
 * @param claims  extra claims for the user's access tokens
 */
public record Identity(String subject, Map<String, Object> claims) {
    public Identity {
        claims = Map.copyOf(claims);
    }
}
