package dev.mcpwarden.server.session;

import java.util.List;
import java.util.Optional;

/**
 * Keeps the SSE events of 2025-era streams so that a client that lost its connection can resume with
 * {@code Last-Event-ID}. Event ids name their stream, so a replay never crosses streams.
 */
public interface EventStore {

    /** Events in this process's memory: the last {@code perSession} of each session. */
    static EventStore inMemory(int perSession) {
        return new InMemoryEventStore(perSession);
    }

    /** A stored event. */
    record Event(String id, String streamId, byte[] data) {
    }

    /** Stores an event and returns its id. */
    String append(String sessionId, String streamId, byte[] data);

    /** The stream an event id belongs to, if the id is known to this session. */
    Optional<String> streamOf(String sessionId, String eventId);

    /** The events of the same stream after {@code lastEventId}, oldest first. */
    List<Event> after(String sessionId, String lastEventId);

    /**
     * A page of a stream's events, and where the next page starts.
     *
     * @param cursor pass it to the next {@link #scan}; it moves past events of other streams too
     */
    record Page(List<Event> events, String cursor) {
    }

    /**
     * At most {@code max} events of the stream after {@code cursor} (an event id of that stream, or a cursor an
     * earlier page returned), for following a stream that is still being written without reading it all again.
     */
    default Page scan(String sessionId, String cursor, int max) {
        List<Event> all = after(sessionId, cursor);
        List<Event> page = all.size() > max ? all.subList(0, max) : all;
        return new Page(List.copyOf(page), page.isEmpty() ? cursor : page.getLast().id());
    }

    /**
     * Records that a stream has ended (its last event is stored). A store shared by several replicas keeps this, so
     * a replica that resumes a stream knows whether another is still writing it.
     */
    default void end(String sessionId, String streamId) {
    }

    /**
     * Whether some process is still writing the stream: true for a shared store between its first event and
     * {@link #end}; always false for a store of one process (where a stream not live here is live nowhere).
     */
    default boolean writing(String sessionId, String streamId) {
        return false;
    }

    /**
     * Takes over a stream that no live process writes (it ended, or its writer died), for a session's GET stream
     * that continues on this replica: true when this caller now writes it (of several at once, one). A store of one
     * process: true (a stream not live here is live nowhere).
     */
    default boolean claim(String sessionId, String streamId) {
        return true;
    }

    /** Forgets a session's events. */
    void drop(String sessionId);
}
