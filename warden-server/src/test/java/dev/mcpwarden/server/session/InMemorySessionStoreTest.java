package dev.mcpwarden.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.testkit.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class InMemorySessionStoreTest {

    private final FakeClock clock = new FakeClock();

    private Session session(String id) {
        return new Session(id, ProtocolVersion.V2025_11_25, Json.object(), Json.object(), "alice", clock.instant());
    }

    @Test
    void storedSessionIsFound() {
        InMemorySessionStore store = new InMemorySessionStore(10, Duration.ofMinutes(5), clock);
        Session s = session("a");
        store.put(s);
        assertThat(store.find("a")).containsSame(s);
        assertThat(store.find("b")).isEmpty();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void idleSessionExpires() {
        InMemorySessionStore store = new InMemorySessionStore(10, Duration.ofMinutes(5), clock);
        Session s = session("a");
        CompletableFuture<JsonNode> pending = new CompletableFuture<>();
        s.pendingClientRequests().put("warden-1", pending);
        store.put(s);
        clock.advance(Duration.ofMinutes(5));
        assertThat(store.find("a")).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(store.find("a")).isEmpty();
        assertThat(store.size()).isZero();
        assertThat(pending).isCancelled();
    }

    @Test
    void touchingASessionKeepsItAlive() {
        InMemorySessionStore store = new InMemorySessionStore(10, Duration.ofMinutes(5), clock);
        Session s = session("a");
        store.put(s);
        clock.advance(Duration.ofMinutes(4));
        s.touch(clock.instant());
        clock.advance(Duration.ofMinutes(4));
        assertThat(store.find("a")).isPresent();
    }

    @Test
    void capacityEvictsTheLeastRecentlySeenSession() {
        InMemorySessionStore store = new InMemorySessionStore(2, Duration.ofMinutes(5), clock);
        Session a = session("a");
        store.put(a);
        clock.advance(Duration.ofSeconds(1));
        Session b = session("b");
        store.put(b);
        clock.advance(Duration.ofSeconds(1));
        a.touch(clock.instant()); // a is now more recent than b
        clock.advance(Duration.ofSeconds(1));
        store.put(session("c"));
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.find("b")).isEmpty();
        assertThat(store.find("a")).isPresent();
        assertThat(store.find("c")).isPresent();
    }

    @Test
    void fullStoreDropsIdleSessionsBeforeEvictingActiveOnes() {
        InMemorySessionStore store = new InMemorySessionStore(2, Duration.ofMinutes(5), clock);
        store.put(session("old1"));
        store.put(session("old2"));
        clock.advance(Duration.ofMinutes(6));
        store.put(session("new"));
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.find("new")).isPresent();
    }

    @Test
    void removeClosesTheSession() {
        InMemorySessionStore store = new InMemorySessionStore(10, Duration.ofMinutes(5), clock);
        Session s = session("a");
        boolean[] cancelled = {false};
        s.inFlight().put(Json.nodes().numberNode(1), () -> cancelled[0] = true);
        store.put(s);
        assertThat(store.remove("a")).containsSame(s);
        assertThat(cancelled[0]).isTrue();
        assertThat(store.remove("a")).isEmpty();
    }

    @Test
    void boundsAreValidated() {
        assertThatThrownBy(() -> new InMemorySessionStore(0, Duration.ofMinutes(5), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSessions must be at least 1, was 0");
        assertThatThrownBy(() -> new InMemorySessionStore(1, Duration.ZERO, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must be positive, was PT0S");
    }

    @Test
    void onePrincipalHoldsATenthOfTheSessionsAtMostAndEndsItsOwnOldestNotOthers() {
        InMemorySessionStore store = new InMemorySessionStore(100, Duration.ofMinutes(5), clock);
        java.util.List<String> ended = new java.util.ArrayList<>();
        store.onEnded(ended::add);
        store.put(new Session("bob-1", ProtocolVersion.V2025_11_25, Json.object(), null, "issuer|bob",
                clock.instant()));
        for (int i = 0; i < 11; i++) {
            clock.advance(Duration.ofSeconds(1));
            store.put(session("p-" + i));
        }

        assertThat(store.find("p-0")).isEmpty();
        assertThat(ended).containsExactly("p-0");
        assertThat(store.find("p-10")).isPresent();
        assertThat(store.find("bob-1")).isPresent();
        assertThat(store.size()).isEqualTo(11);
    }
}
