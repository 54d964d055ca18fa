package dev.mcpwarden.authserver.token;

import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientRejected;
import dev.mcpwarden.authserver.client.Clients;
import dev.mcpwarden.authserver.client.SecretHash;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Authenticates the client at the token and revocation endpoints: {@code client_secret_basic},
 * {@code client_secret_post}, or {@code none} (a public client naming itself with {@code client_id}). Exactly one
 * method per request; a confidential client must present its secret and a public one must not.
 */
public final class ClientAuthenticator {

    private final Clients clients;

    public ClientAuthenticator(Clients clients) {
        this.clients = clients;
    }

    public Client authenticate(String authorization, Map<String, String> form) throws TokenError {
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (secret != null) {
                throw TokenError.invalidRequest("use only one client authentication method");
            }
            String[] pair = basic(authorization.substring(6).trim());
            if (id != null && !id.equals(pair[0])) {
                throw TokenError.invalidRequest("client_id does not match the Authorization header");
            }
            id = pair[0];
            secret = pair[1];
        }
        if (id == null || id.isEmpty()) {
            throw TokenError.invalidClient("client authentication failed: no client_id");
        }
        Client client;
        try {
            client = clients.find(id);
        } catch (ClientRejected e) {
            throw TokenError.invalidClient("client authentication failed: " + e.getMessage());
        }
        if (client.isPublic()) {
            if (secret != null) {
                throw TokenError.invalidClient("client authentication failed: public clients have no secret");
            }
            return client;
        }
        if (secret == null || !SecretHash.matches(client.secretHash(), secret)) {
            throw TokenError.invalidClient("client authentication failed");
        }
        return client;
    }

    /** RFC 6749 §2.3.1: both parts are form-urlencoded before being joined with a colon. */
    private static String[] basic(String value) throws TokenError {
        try {
            String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                throw TokenError.invalidClient("client authentication failed: malformed Basic credentials");
            }
            return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            throw TokenError.invalidClient("client authentication failed: malformed Basic credentials");
        }
    }
}
