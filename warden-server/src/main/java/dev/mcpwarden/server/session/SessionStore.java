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

    void put(Session session);

    Optional<Session> find(String id);

    /** Removes and returns the session. */
    Optional<Session> remove(String id);

    int size();
}
