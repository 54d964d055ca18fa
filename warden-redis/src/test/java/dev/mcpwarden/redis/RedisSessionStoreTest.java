package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.session.EventStore;
import dev.mcpwarden.server.session.Session;
import dev.mcpwarden.server.session.SessionStore;
import dev.mcpwarden.testkit.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** 2025 sessions and their events in a real Redis, seen from two replicas (two independent connections). */
@Timeout(60)
class RedisSessionStoreTest {

    static RedisServer redis;
    RedisStores replicaA;
    RedisStores replicaB;
    SessionStore a;
    SessionStore b;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void replicas() throws Exception {
        redis.startAgain();
        replicaA = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        replicaB = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        replicaA.sharedRedis().call(c -> c.flushall());
        a = replicaA.sessions(100, Duration.ofMinutes(5), Clock.systemUTC());
        b = replicaB.sessions(100, Duration.ofMinutes(5), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        replicaA.close();
        replicaB.close();
    }

    static Session newSession(String id) {
        ObjectNode caps = Json.object();
        caps.putObject("elicitation");
        ObjectNode info = Json.object().put("name", "client").put("version", "1");
        return new Session(id, ProtocolVersion.V2025_11_25, caps, info, "issuer|alice", Clock.systemUTC().instant());
    }

    @Test
    void aSessionCreatedOnOneReplicaIsServedByAnotherWithWhatInitializeNegotiated() {
        a.put(newSession("s1"));

        Session seen = b.find("s1").orElseThrow();

        assertThat(seen.version()).isEqualTo(ProtocolVersion.V2025_11_25);
        assertThat(seen.principalKey()).isEqualTo("issuer|alice");
        assertThat(seen.clientCapabilities().has("elicitation")).isTrue();
        assertThat(seen.clientInfo().path("name").asString()).isEqualTo("client");
        assertThat(seen.initialized()).isFalse();
        assertThat(seen.logLevel()).isEqualTo(LogLevel.INFO);
    }

    @Test
    void changesMadeOnOneReplicaAreSeenByTheOtherOnItsNextRequest() {
        Session s = newSession("s2");
        a.put(s);
        Session onB = b.find("s2").orElseThrow();

        s.markInitialized();
        s.logLevel(LogLevel.ERROR);
        s.subscribe("file:///a");
        onB.subscribe("file:///b");
        s.unsubscribe("file:///a");

        Session later = b.find("s2").orElseThrow();
        assertThat(later).isSameAs(onB);
        assertThat(later.initialized()).isTrue();
        assertThat(later.logLevel()).isEqualTo(LogLevel.ERROR);
        assertThat(later.subscriptions()).containsExactly("file:///b");
        assertThat(a.find("s2").orElseThrow().subscriptions()).containsExactly("file:///b");
    }

    @Test
    void aSessionEndedOnOneReplicaIsUnknownOnTheOtherAndWhatWaitedThereIsCancelled() {
        a.put(newSession("s3"));
        Session onB = b.find("s3").orElseThrow();
        CompletableFuture<JsonNode> waiting = new CompletableFuture<>();
        onB.pendingClientRequests().put("r1", waiting);

        assertThat(a.remove("s3")).isPresent();

        assertThat(b.find("s3")).isEmpty();
        assertThat(waiting).isCancelled();
    }

    @Test
    void theNumberOfSessionsIsBoundedAcrossReplicasAndTheLongestIdleGoesFirst() throws Exception {
        SessionStore small = replicaA.sessions(3, Duration.ofMinutes(5), Clock.systemUTC());
        SessionStore smallB = replicaB.sessions(3, Duration.ofMinutes(5), Clock.systemUTC());
        small.put(newSession("old"));
        Thread.sleep(5);
        smallB.put(newSession("mid"));
        Thread.sleep(5);
        small.put(newSession("new"));
        Thread.sleep(5);
        assertThat(smallB.find("old")).isPresent(); // used again: now the most recent
        Thread.sleep(5);

        smallB.put(newSession("newest"));

        assertThat(small.find("mid")).isEmpty();
        assertThat(small.find("old")).isPresent();
        assertThat(small.find("new")).isPresent();
        assertThat(small.find("newest")).isPresent();
        assertThat(small.size()).isEqualTo(3);
    }

    @Test
    void aSessionUnusedForItsIdleTimeoutIsForgottenByRedisItself() throws Exception {
        SessionStore brief = replicaA.sessions(100, Duration.ofMillis(300), Clock.systemUTC());
        brief.put(newSession("brief"));
        Long ttl = replicaA.sharedRedis().call(c -> c.pttl(RedisSessionStore.key("brief")));
        assertThat(ttl).isBetween(1L, 300L);

        Thread.sleep(600);

        assertThat(brief.find("brief")).isEmpty();
    }

    @Test
    void anIdThatWardenNeverMintsNamesNoSession() {
        assertThat(a.find("s}{x")).isEmpty();
        assertThat(a.find("x".repeat(129))).isEmpty();
        assertThat(a.remove("../../x")).isEmpty();
    }

    @Test
    void aClientsAnswerPostedToAnotherReplicaReachesTheRequestWaitingOnTheFirst() throws Exception {
        Session s = newSession("s4");
        a.put(s);
        b.find("s4").orElseThrow();
        CompletableFuture<JsonNode> waiting = new CompletableFuture<>();
        String id = s.nextServerRequestId();
        s.pendingClientRequests().put(id, waiting);
        Thread.sleep(100); // let the subscriptions settle

        b.relayAnswer("s4", id, Json.object().put("action", "accept"), false);

        assertThat(waiting.get(5, TimeUnit.SECONDS).path("action").asString()).isEqualTo("accept");
    }

    @Test
    void serverRequestIdsOfOneSessionDifferBetweenReplicas() {
        Session s = newSession("s5");
        a.put(s);
        Session onB = b.find("s5").orElseThrow();

        assertThat(s.nextServerRequestId()).isNotEqualTo(onB.nextServerRequestId());
    }

    @Test
    void eventsWrittenOnOneReplicaAreReplayedOnAnotherInOrderAfterTheLastOneSeen() {
        a.put(newSession("s6"));
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        EventStore eb = replicaB.events(100, Duration.ofMinutes(5));
        String first = ea.append("s6", "streamone", "{\"n\":1}".getBytes());
        ea.append("s6", "streamtwo", "{\"other\":true}".getBytes());
        String second = ea.append("s6", "streamone", "{\"n\":2}".getBytes());
        ea.append("s6", "streamone", "{\"n\":3}".getBytes());

        assertThat(eb.streamOf("s6", first)).contains("streamone");
        assertThat(eb.after("s6", first)).extracting(e -> new String(e.data()))
                .containsExactly("{\"n\":2}", "{\"n\":3}");
        assertThat(eb.after("s6", second)).extracting(e -> new String(e.data())).containsExactly("{\"n\":3}");
        assertThat(eb.writing("s6", "streamone")).isTrue();

        ea.end("s6", "streamone");

        assertThat(eb.writing("s6", "streamone")).isFalse();
        assertThat(eb.streamOf("s6", first)).contains("streamone");
    }

    @Test
    void anEventIdOfAnotherSessionOrAMadeUpStreamResumesNothing() {
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        String id = ea.append("s7", "mine", "{}".getBytes());

        assertThat(ea.streamOf("s8", id)).isEmpty();
        assertThat(ea.after("s8", id)).isEmpty();
        assertThat(ea.streamOf("s7", "invented_" + id.substring(id.indexOf('_') + 1))).isEmpty();
        assertThat(ea.streamOf("s7", "mine_not-an-id")).isEmpty();
    }

    @Test
    void eachSessionKeepsOnlyItsLastEventsAndTheyExpireWithIt() {
        EventStore ea = replicaA.events(3, Duration.ofMinutes(5));
        a.put(newSession("s9")); // events are kept only for a session that exists
        String first = ea.append("s9", "st", "{\"n\":0}".getBytes());
        for (int i = 1; i <= 5; i++) {
            ea.append("s9", "st", ("{\"n\":" + i + "}").getBytes());
        }

        assertThat(ea.after("s9", first)).extracting(e -> new String(e.data()))
                .containsExactly("{\"n\":3}", "{\"n\":4}", "{\"n\":5}");
        Long ttl = replicaA.sharedRedis().call(c -> c.pttl(RedisSessionStore.key("s9") + ":ev"));
        assertThat(ttl).isPositive();
    }

    @Test
    void whileRedisIsDownSessionRequestsAreRefusedWith503AndServedAgainWhenItReturns() throws Exception {
        a.put(newSession("s10"));
        redis.stop();

        assertThatThrownBy(() -> b.find("s10")).isInstanceOfSatisfying(Rejection.class, r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.getMessage())
                    .isEqualTo("Service unavailable: the session store cannot be reached; retry shortly");
        });
        assertThat(replicaB.reachable()).isFalse();

        redis.startAgain(); // keeps nothing on disk: the session is gone, but the store works again by itself
        long back = System.nanoTime();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!(replicaA.reachable() && replicaB.reachable()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(3));
        assertThat(b.find("s10")).isEmpty();
        b.put(newSession("s11"));
        assertThat(a.find("s11")).isPresent();
    }

    @Test
    void aStreamEndedAfterItsSessionWasDeletedLeavesNothingInRedis() {
        a.put(newSession("s20"));
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        ea.append("s20", "gstream", "{}".getBytes());
        a.remove("s20");
        ea.drop("s20");

        ea.end("s20", "gstream");

        Long left = replicaA.sharedRedis().call(c -> c.exists(RedisSessionStore.key("s20") + ":st"));
        assertThat(left).isZero();
    }

    @Test
    void anEndedStreamStaysEndedForTheSessionsTimeToLiveOnly() {
        a.put(newSession("s21"));
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        ea.append("s21", "gstream", "{}".getBytes());

        ea.end("s21", "gstream");

        Long ttl = replicaA.sharedRedis().call(c -> c.pttl(RedisSessionStore.key("s21") + ":st"));
        assertThat(ttl).isPositive();
    }

    @Test
    void ofTwoReplicasTakingOverAStreamNoOneWritesExactlyOneDoes() throws Exception {
        a.put(newSession("s22"));
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        EventStore eb = replicaB.events(100, Duration.ofMinutes(5));
        ea.append("s22", "gstream", "{}".getBytes());
        assertThat(eb.claim("s22", "gstream")).as("its writer lives").isFalse();
        ea.end("s22", "gstream");

        java.util.List<Boolean> won = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                EventStore e = i % 2 == 0 ? ea : eb;
                pool.submit(() -> won.add(e.claim("s22", "gstream")));
            }
        }
        assertThat(won).hasSize(8).containsOnlyOnce(true);
        assertThat(eb.writing("s22", "gstream")).isTrue();
    }

    @Test
    void anEventIdBeyondWhatRedisCountsNamesNothingAndIsNotAnOutage() {
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        ea.append("s23", "st", "{}".getBytes());

        assertThat(ea.streamOf("s23", "st_99999999999999999999-0")).isEmpty();
        assertThat(ea.after("s23", "st_99999999999999999999-0")).isEmpty();
    }

    @Test
    void followingReadsAStreamAPageAtATimeSkippingOtherStreams() {
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        a.put(newSession("s24")); // events are kept only for a session that exists
        String first = ea.append("s24", "mine", "{\"n\":0}".getBytes());
        for (int i = 1; i <= 5; i++) {
            ea.append("s24", "other", "{}".getBytes());
            ea.append("s24", "mine", ("{\"n\":" + i + "}").getBytes());
        }
        EventStore.Page one = ea.scan("s24", first, 4);
        EventStore.Page two = ea.scan("s24", one.cursor(), 4);
        EventStore.Page three = ea.scan("s24", two.cursor(), 4);

        assertThat(one.events()).extracting(e -> new String(e.data())).containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(two.events()).extracting(e -> new String(e.data())).containsExactly("{\"n\":3}", "{\"n\":4}");
        assertThat(three.events()).extracting(e -> new String(e.data())).containsExactly("{\"n\":5}");
        assertThat(ea.scan("s24", three.cursor(), 4).events()).isEmpty();
    }

    @Test
    void anAnswerToARequestNoWardenSentIsPassedToNoOne() throws Exception {
        java.util.concurrent.atomic.AtomicInteger published = new java.util.concurrent.atomic.AtomicInteger();
        replicaA.sharedRedis().subscribe(RedisSessionStore.ANSWERS + "zzzz", (ch, m) -> published.incrementAndGet());

        b.relayAnswer("s25", "warden-zzzz", Json.object(), false);
        b.relayAnswer("s25", "1", Json.object(), false);
        Session mine = newSession("s25");
        b.put(mine);
        b.relayAnswer("s25", mine.nextServerRequestId(), Json.object(), false); // its own: no one else waits
        Thread.sleep(200);

        assertThat(published).hasValue(0);
    }

    @Test
    void aSessionEndedOnOneReplicaIsAnnouncedToTheOthers() throws Exception {
        java.util.concurrent.BlockingQueue<String> ended = new java.util.concurrent.LinkedBlockingQueue<>();
        b.onEnded(ended::add);
        a.put(newSession("s26"));
        b.find("s26").orElseThrow();
        Thread.sleep(100);

        a.remove("s26");

        assertThat(ended.poll(5, TimeUnit.SECONDS)).isEqualTo("s26");
    }

    @Test
    void aReplicaStartedWhileRedisWasDownHearsAnswersOnceItIsBack() throws Exception {
        redis.stop();
        RedisStores late = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        try {
            SessionStore lateStore = late.sessions(100, Duration.ofMinutes(5), Clock.systemUTC());
            assertThat(late.reachable()).isFalse();
            redis.startAgain();
            Session s = newSession("s27");
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                try {
                    lateStore.put(s);
                    break;
                } catch (Rejection notYet) {
                    Thread.sleep(100);
                }
            }
            CompletableFuture<JsonNode> waiting = new CompletableFuture<>();
            String id = s.nextServerRequestId();
            s.pendingClientRequests().put(id, waiting);
            Thread.sleep(2_500); // the heartbeat subscribes within a second or two

            b.find("s27").orElseThrow();
            b.relayAnswer("s27", id, Json.object().put("ok", true), false);

            assertThat(waiting.get(5, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();
        } finally {
            late.close();
        }
    }

    @Test
    void onePrincipalHoldsATenthOfTheSessionsAtMostAndEndsItsOwnOldestNotOthers() throws Exception {
        Session other = new Session("someone-else", ProtocolVersion.V2025_11_25, Json.object(), null, "issuer|bob",
                Clock.systemUTC().instant());
        b.put(other);
        for (int i = 0; i < 11; i++) { // a store of 100: ten each
            a.put(newSession("alice-" + i));
            Thread.sleep(2);
        }

        assertThat(b.find("alice-0")).isEmpty();
        assertThat(b.find("alice-1")).isPresent();
        assertThat(b.find("alice-10")).isPresent();
        assertThat(a.find("someone-else")).isPresent();
    }

    @Test
    void afterAnEvictionFloodNoKeyOfAnEvictedSessionRemainsEvenWhileOneOfItsCallsStillStreams() throws Exception {
        EventStore ea = replicaA.events(100, Duration.ofMinutes(5));
        a.put(newSession("victim"));
        ea.append("victim", "poststream", "{\"progress\":1}".getBytes());
        ea.append("victim", "gstream", "{}".getBytes());
        for (int i = 0; i < 200; i++) { // one principal's flood: a store of 100 keeps ten of them
            a.put(newSession("flood-" + i));
            ea.append("flood-" + i, "poststream", "{}".getBytes());
            Thread.sleep(1);
        }
        assertThat(b.find("victim")).isEmpty();
        java.util.List<String> left = replicaA.sharedRedis().call(c -> c.keys("warden:s:{victim}*"));
        assertThat(left).isEmpty();

        // A call of the evicted session still streaming: its events are sent, but nothing is stored for it.
        String id = ea.append("victim", "poststream", "{\"progress\":2}".getBytes());
        assertThat(id).isEqualTo("poststream_0-0");
        ea.end("victim", "poststream");
        left = replicaA.sharedRedis().call(c -> c.keys("warden:s:{victim}*"));
        assertThat(left).isEmpty();
        // Of the flood, only the ten sessions kept have event keys.
        long eventKeys = replicaA.sharedRedis().call(c -> c.keys("warden:s:{flood-*}:ev")).size();
        assertThat(eventKeys).isEqualTo(SessionStore.perPrincipal(100));
    }
}
