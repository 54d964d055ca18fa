package dev.mcpwarden.server.session;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in this process, bounded in number and idle time: an idle session expires, and when the store is full
 * the least recently seen session is ended to make room.
 */
final class InMemorySessionStore implements SessionStore {

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final int maxSessions;
    private final Duration idleTimeout;
    private final InstantSource clock;
    private final java.util.List<java.util.function.Consumer<String>> endListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    InMemorySessionStore(int maxSessions, Duration idleTimeout, InstantSource clock) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
        }
        this.maxSessions = maxSessions;
        this.idleTimeout = idleTimeout;
        this.clock = clock;
    }

    @Override
    public void put(Session session) {
        java.util.List<Session> own = sessions.values().stream()
                .filter(s -> s.principalKey().equals(session.principalKey()))
                .sorted(Comparator.comparing(Session::lastSeen)).toList();
        for (int i = 0; i <= own.size() - SessionStore.perPrincipal(maxSessions); i++) {
            remove(own.get(i).id()).ifPresent(s -> ended(s.id()));
        }
        if (sessions.size() >= maxSessions) {
            expireIdle();
            while (sessions.size() >= maxSessions) {
                sessions.values().stream().min(Comparator.comparing(Session::lastSeen))
                        .flatMap(s -> remove(s.id())).ifPresent(s -> ended(s.id()));
            }
        }
        sessions.put(session.id(), session);
    }

    @Override
    public Optional<Session> find(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (s.lastSeen().plus(idleTimeout).isBefore(clock.instant())) {
            remove(id);
            ended(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    @Override
    public Optional<Session> remove(String id) {
        Session s = sessions.remove(id);
        if (s != null) {
            s.close();
        }
        return Optional.ofNullable(s);
    }

    @Override
    public int size() {
        return sessions.size();
    }

    @Override
    public void sweep() {
        expireIdle();
    }

    private void expireIdle() {
        var cutoff = clock.instant().minus(idleTimeout);
        java.util.List<String> gone = new java.util.ArrayList<>();
        sessions.values().removeIf(s -> {
            boolean idle = s.lastSeen().isBefore(cutoff);
            if (idle) {
                s.close();
                gone.add(s.id());
            }
            return idle;
        });
        gone.forEach(this::ended);
    }

    @Override
    public void onEnded(java.util.function.Consumer<String> listener) {
        endListeners.add(listener);
    }

    private void ended(String id) {
        endListeners.forEach(l -> l.accept(id));
    }
}
