package dev.mcpwarden.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryEventStoreTest {

    private static byte[] data(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> payloads(List<EventStore.Event> events) {
        return events.stream().map(e -> new String(e.data(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void eventIdsEncodeTheirStream() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        String id = store.append("s1", "stream-a", data("1"));
        assertThat(id).startsWith("stream-a_");
        assertThat(store.streamOf("s1", id)).contains("stream-a");
    }

    @Test
    void streamIdsContainingTheSeparatorAreDecoded() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        String id = store.append("s1", "get_stream_1", data("1"));
        assertThat(store.streamOf("s1", id)).contains("get_stream_1");
    }

    @Test
    void eventIdsAreUnique() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        String a = store.append("s1", "x", data("1"));
        String b = store.append("s1", "x", data("2"));
        String c = store.append("s2", "x", data("3"));
        assertThat(List.of(a, b, c)).doesNotHaveDuplicates();
    }

    @Test
    void afterReturnsOnlySameStreamEventsAfterTheId() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        String a1 = store.append("s1", "a", data("a1"));
        store.append("s1", "b", data("b1"));
        store.append("s1", "a", data("a2"));
        store.append("s1", "b", data("b2"));
        store.append("s1", "a", data("a3"));
        List<EventStore.Event> replay = store.after("s1", a1);
        assertThat(payloads(replay)).containsExactly("a2", "a3");
        assertThat(replay).allSatisfy(e -> assertThat(e.streamId()).isEqualTo("a"));
    }

    @Test
    void afterTheLastEventIsEmpty() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        store.append("s1", "a", data("a1"));
        String last = store.append("s1", "a", data("a2"));
        assertThat(store.after("s1", last)).isEmpty();
    }

    @Test
    void eventsOfAnotherSessionAreNeverReplayed() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        String mine = store.append("s1", "a", data("mine"));
        store.append("s2", "a", data("theirs"));
        assertThat(store.after("s1", mine)).isEmpty();
        assertThat(store.after("s2", mine)).extracting(e -> new String(e.data(), StandardCharsets.UTF_8))
                .containsExactly("theirs");
        assertThat(store.after("unknown", mine)).isEmpty();
        assertThat(store.streamOf("unknown", mine)).isEmpty();
    }

    @Test
    void aMadeUpStreamIdReplaysNothing() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        store.append("s1", "a", data("a1"));
        assertThat(store.streamOf("s1", "b_0")).isEmpty();
        assertThat(store.after("s1", "b_0")).isEmpty();
        assertThat(store.streamOf("s1", "a_0")).contains("a");
    }

    @Test
    void malformedLastEventIdReplaysNothing() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        store.append("s1", "a", data("a1"));
        assertThat(store.after("s1", "garbage")).isEmpty();
        assertThat(store.after("s1", "a_notanumber")).isEmpty();
        assertThat(store.streamOf("s1", "garbage")).isEmpty();
    }

    @Test
    void boundPerSessionDropsTheOldest() {
        InMemoryEventStore store = new InMemoryEventStore(3);
        String e1 = store.append("s1", "a", data("1"));
        store.append("s1", "a", data("2"));
        store.append("s1", "a", data("3"));
        store.append("s1", "a", data("4"));
        store.append("s1", "a", data("5"));
        store.append("s2", "a", data("other"));
        assertThat(payloads(store.after("s1", e1))).containsExactly("3", "4", "5");
    }

    @Test
    void dropForgetsASession() {
        InMemoryEventStore store = new InMemoryEventStore(10);
        String e1 = store.append("s1", "a", data("1"));
        store.append("s1", "a", data("2"));
        store.drop("s1");
        assertThat(store.after("s1", e1)).isEmpty();
    }

    @Test
    void boundMustBePositive() {
        assertThatThrownBy(() -> new InMemoryEventStore(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("perSession must be at least 1, was 0");
    }

    @Test
    void aSessionRemembersOnlyAsManyStreamsAsItKeepsEventsTheMostRecentlyWrittenTo() {
        InMemoryEventStore store = new InMemoryEventStore(3);
        String first = store.append("s1", "a", data("1"));
        String keptLive = store.append("s1", "b", data("2"));
        for (int i = 0; i < 10_000; i++) {
            store.append("s1", "post" + i, data("x")); // one event per stream, as a POST stream writes
            if (i % 2 == 0) {
                keptLive = store.append("s1", "b", data("b" + i));
            }
        }
        // Ten thousand streams opened by one session: only the three written to last are remembered.
        assertThat(store.streamOf("s1", first)).isEmpty();
        assertThat(store.streamOf("s1", "post0_1")).isEmpty();
        assertThat(store.streamOf("s1", keptLive)).contains("b");
        assertThat(store.streamOf("s1", "post9999_1")).contains("post9999");
    }
}
