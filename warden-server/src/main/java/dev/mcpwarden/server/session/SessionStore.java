package dev.mcpwarden.server.session;

import java.util.Optional;

/** Where 2025-era sessions live. Implementations must be safe for concurrent use. */
public interface SessionStore {

    void put(Session session);

    Optional<Session> find(String id);

    /** Removes and returns the session. */
    Optional<Session> remove(String id);

    int size();
}
