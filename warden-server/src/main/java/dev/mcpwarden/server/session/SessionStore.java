package dev.mcpwarden.server.session;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/** Where 2025-era sessions live. Implementations must be safe for concurrent use. */
public interface SessionStore {

    /**
     * Sessions in this process's memory: at most {@code maxSessions} (the one idle longest goes first), each
     * forgotten after {@code idleTimeout} without use.
     */
    static SessionStore inMemory(int maxSessions, Duration idleTimeout, InstantSource clock) {
        return new InMemorySessionStore(maxSessions, idleTimeout, clock);
    }

    /**
     * The most sessions one principal may hold in a store of {@code maxSessions}: a tenth of them, at least 8.
     * Beyond, the principal's own longest idle session ends, so no caller can push everyone else's out.
     */
    static int perPrincipal(int maxSessions) {
        return Math.max(8, maxSessions / 10);
    }

    /** Stores a new session; a store that is full, or whose principal holds its share, ends the longest idle. */
    void put(Session session);

    Optional<Session> find(String id);

    /** Removes and returns the session. */
    Optional<Session> remove(String id);

    int size();

    /**
     * Ends now every session idle past its timeout, telling the {@link #onEnded} listeners, so that an abandoned
     * session's streams and events do not wait for someone to ask for it. The transport calls it periodically; a
     * store whose entries expire by themselves (Redis) does nothing.
     */
    default void sweep() {
    }

    /**
     * Hands on a client's answer to a server-to-client request that no request in this process is waiting for: a
     * store shared by several replicas passes it to the one that sent the request (a 2025 client may POST its
     * answer to any of them). A store of one process has no one to pass it to.
     *
     * @param error true when the client answered with a JSON-RPC error ({@code result} is then its error object)
     */
    default void relayAnswer(String sessionId, String requestId, tools.jackson.databind.JsonNode result,
                             boolean error) {
    }

    /**
     * Calls {@code listener} with the id of each session that ended other than by this process's own
     * {@link #remove}: it expired, was evicted to make room, or (with a shared store) was ended on another replica,
     * so that what this process holds for it (its streams) ends too.
     */
    default void onEnded(java.util.function.Consumer<String> listener) {
    }

    /**
     * Tells the other replicas sharing this store that a resource changed here, so that sessions subscribed to it
     * whose streams they hold hear of it. A store of one process has no one to tell.
     */
    default void publishResourceUpdate(String uri) {
    }

    /**
     * Calls {@code listener} with each resource another replica {@linkplain #publishResourceUpdate published} as
     * changed (never with this process's own). A store of one process never calls it.
     */
    default void onResourceUpdate(java.util.function.Consumer<String> listener) {
    }
}
