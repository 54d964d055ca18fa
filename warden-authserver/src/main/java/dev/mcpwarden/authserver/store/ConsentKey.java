package dev.mcpwarden.authserver.store;

import java.util.Set;

/** What a remembered consent covers: this user, this client, exactly these scopes, this resource. */
public record ConsentKey(String subject, String clientId, Set<String> scopes, String resource) {
    public ConsentKey {
        scopes = Set.copyOf(scopes);
    }
}
