package dev.mcpwarden.authserver.client;

import java.util.List;
import java.util.Set;

/**
 * A client as the server knows it, whichever way it was registered.
 *
 * @param id              the client id (an https URL for a metadata document client)
 * @param name            the name to show; unverified unless {@link #kind()} is {@link ClientKind#PRE_REGISTERED}
 * @param redirectUris    registered redirect URIs
 * @param kind            how the client came to be known
 * @param secretHash      the secret's hash (Argon2id PHC or {@code sha256:...}), or null for a public client
 * @param grantTypes      grants it may use
 * @param scopes          scopes for the client credentials grant
 * @param applicationType {@code native} or {@code web}
 */
public record Client(String id, String name, List<String> redirectUris, ClientKind kind, String secretHash,
                     Set<String> grantTypes, Set<String> scopes, String applicationType) {

    public Client {
        redirectUris = List.copyOf(redirectUris);
        grantTypes = Set.copyOf(grantTypes);
        scopes = Set.copyOf(scopes);
    }

    public boolean isPublic() {
        return secretHash == null;
    }

    /** Whether the name shown comes from the client itself and nobody vouched for it. */
    public boolean nameUnverified() {
        return kind != ClientKind.PRE_REGISTERED;
    }
}
