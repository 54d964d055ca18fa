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

    /**
     * Asked before a client's metadata document is fetched (never when it is cached), so that the fetches anonymous
     * callers can cause are paid from a quota wherever a client id can be given.
     */
    @FunctionalInterface
    public interface FetchPermit {
        /** Nothing asked: the caller paid a quota already (the authorization endpoint). */
        FetchPermit PAID = () -> { };

        /** Takes a fetch from the quota, or refuses it. */
        void take() throws TooManyFetches;
    }

    /** A metadata document fetch over its quota: the message is safe to show. */
    public static final class TooManyFetches extends Exception {
        private final long retryAfterSeconds;

        public TooManyFetches(String message, long retryAfterSeconds) {
            super(message, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** The client {@code clientId} names, where fetching its metadata document was paid for already. */
    public Client find(String clientId) throws ClientRejected {
        try {
            return find(clientId, FetchPermit.PAID);
        } catch (TooManyFetches e) {
            throw new IllegalStateException(e); // PAID never refuses
        }
    }

    /** The client {@code clientId} names; a metadata document not cached is fetched only with {@code permit}. */
    public Client find(String clientId, FetchPermit permit) throws ClientRejected, TooManyFetches {
        if (clientId == null || clientId.isEmpty()) {
            throw new ClientRejected("client_id is missing");
        }
        if (ClientMetadataDocuments.isMetadataUrl(clientId)) {
            if (documents == null) {
                throw new ClientRejected("client metadata documents are not accepted by this server");
            }
            return documents.resolve(clientId, permit);
        }
        return store.client(clientId, clock.instant()).orElseThrow(() -> new ClientRejected("unknown client_id"));
    }
}
