package dev.mcpwarden.authserver.client;

import dev.mcpwarden.authserver.store.AuthStore;

/** Finds a client by id: registered ones in the store, https ids as metadata documents (when enabled). */
public final class Clients {

    private final AuthStore store;
    private final ClientMetadataDocuments documents;
    private final java.time.InstantSource clock;

    /** @param documents the metadata document resolver, or null when metadata documents are disabled */
    public Clients(AuthStore store, ClientMetadataDocuments documents, java.time.InstantSource clock) {
        this.store = store;
        this.documents = documents;
        this.clock = clock;
    }

    public Client find(String clientId) throws ClientRejected {
        if (clientId == null || clientId.isEmpty()) {
            throw new ClientRejected("client_id is missing");
        }
        if (ClientMetadataDocuments.isMetadataUrl(clientId)) {
            if (documents == null) {
                throw new ClientRejected("client metadata documents are not accepted by this server");
            }
            return documents.resolve(clientId);
        }
        return store.client(clientId, clock.instant()).orElseThrow(() -> new ClientRejected("unknown client_id"));
    }
}
