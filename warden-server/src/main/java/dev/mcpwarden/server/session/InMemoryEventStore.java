package dev.mcpwarden.server.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events in memory, at most {@code perSession} per session (the oldest are dropped first, after which a resume
 * from before them replays only what is left). The stream ids a session may resume are bounded alike: the
 * {@code perSession} most recently written to, which include every stream that still has an event here.
 */
final class InMemoryEventStore implements EventStore {

    private final int perSession;
    private final ConcurrentHashMap<String, Deque<Event>> bySession = new ConcurrentHashMap<>();
    /** Per session, its streams in the order they were last written to (guarded by the session's event deque). */
    private final ConcurrentHashMap<String, java.util.LinkedHashSet<String>> streamsBySession =
            new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    InMemoryEventStore(int perSession) {
        if (perSession < 1) {
            throw new IllegalArgumentException("perSession must be at least 1, was " + perSession);
        }
        this.perSession = perSession;
    }

    @Override
    public String append(String sessionId, String streamId, byte[] data) {
        String id = streamId + "_" + sequence.incrementAndGet();
        Deque<Event> events = bySession.computeIfAbsent(sessionId, k -> new ArrayDeque<>());
        java.util.LinkedHashSet<String> streams = streamsBySession.computeIfAbsent(sessionId,
                k -> new java.util.LinkedHashSet<>());
        synchronized (events) {
            // One session can open any number of streams: only the most recently written to are remembered.
            streams.remove(streamId);
            streams.add(streamId);
            while (streams.size() > perSession) {
                streams.removeFirst();
            }
            events.addLast(new Event(id, streamId, data));
            while (events.size() > perSession) {
                events.removeFirst();
            }
        }
        return id;
    }

    @Override
    public Optional<String> streamOf(String sessionId, String eventId) {
        int sep = eventId.lastIndexOf('_');
        java.util.LinkedHashSet<String> streams = streamsBySession.get(sessionId);
        Deque<Event> events = bySession.get(sessionId);
        if (sep <= 0 || streams == null || events == null) {
            return Optional.empty();
        }
        // Only streams this session was given can be resumed; a made-up stream id names nothing.
        String stream = eventId.substring(0, sep);
        synchronized (events) {
            return streams.contains(stream) ? Optional.of(stream) : Optional.empty();
        }
    }

    @Override
    public List<Event> after(String sessionId, String lastEventId) {
        Deque<Event> events = bySession.get(sessionId);
        if (events == null) {
            return List.of();
        }
        String stream = streamOf(sessionId, lastEventId).orElse(null);
        if (stream == null) {
            return List.of();
        }
        long last = sequenceOf(lastEventId);
        List<Event> out = new ArrayList<>();
        synchronized (events) {
            for (Event e : events) {
                if (e.streamId().equals(stream) && sequenceOf(e.id()) > last) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static long sequenceOf(String eventId) {
        try {
            return Long.parseLong(eventId.substring(eventId.lastIndexOf('_') + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public void drop(String sessionId) {
        bySession.remove(sessionId);
        streamsBySession.remove(sessionId);
    }
}
