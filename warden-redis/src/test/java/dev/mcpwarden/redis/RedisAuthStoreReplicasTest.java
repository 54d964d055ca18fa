package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.RedisServer;

import static dev.mcpwarden.authserver.store.AuthStoreContract.NOW;
import static dev.mcpwarden.authserver.store.AuthStoreContract.code;
import static dev.mcpwarden.authserver.store.AuthStoreContract.grant;
import static dev.mcpwarden.authserver.store.AuthStoreContract.pending;
import static dev.mcpwarden.authserver.store.AuthStoreContract.race;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientKind;
import dev.mcpwarden.authserver.store.CodeGrant;
import dev.mcpwarden.authserver.store.CodeRedemption;
import dev.mcpwarden.authserver.store.ConsentKey;
import dev.mcpwarden.authserver.store.Grant;
import dev.mcpwarden.authserver.store.LoginSession;
import dev.mcpwarden.authserver.store.RefreshRotation;
import dev.mcpwarden.authserver.store.StoreUnavailableException;
import dev.mcpwarden.authserver.store.UpstreamState;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Two replicas, each with its own store and connection, on one real Redis (a redis-server per test, so that a test
 * may stop it): what one does, the other sees, and the once-only transitions hold across them.
 */
class RedisAuthStoreReplicasTest {

    static final String NS = "warden:as:";
    static final Duration DAY = Duration.ofDays(1);

    RedisServer redis;
    RedisAuthStore a;
    RedisAuthStore b;
    RedisClient rawClient;
    RedisCommands<String, String> raw;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        a = replica();
        b = replica();
        rawClient = RedisClient.create(redis.url());
        StatefulRedisConnection<String, String> c = rawClient.connect();
        raw = c.sync();
    }

    RedisAuthStore replica() {
        return RedisAuthStore.builder(redis.url()).clock(InstantSource.fixed(NOW)).timeout(Duration.ofMillis(500))
                .clientRetention(DAY).consentRetention(DAY).build();
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        rawClient.shutdown();
        redis.close();
    }

    @RepeatedTest(5)
    void twoReplicasRacingToRedeemOneCodeFromSixteenThreadsHaveExactlyOneWinner() throws Exception {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        a.putCode("h", g);
        AtomicInteger n = new AtomicInteger();
        List<CodeRedemption> out = race(16, () -> (n.incrementAndGet() % 2 == 0 ? a : b).redeemCode("h", NOW));
        assertThat(out).filteredOn(r -> r instanceof CodeRedemption.Redeemed)
                .containsExactly(new CodeRedemption.Redeemed(g));
        assertThat(out).filteredOn(r -> r instanceof CodeRedemption.Replayed).hasSize(15);
        assertThat(a.redeemCode("h", NOW)).isEqualTo(new CodeRedemption.Replayed(g));
    }

    @Test
    void aRefreshTokenReusedOnOneReplicaRevokesTheFamilyForTheOther() {
        Grant g = grant("g", NOW.plusSeconds(3600));
        a.putGrant(g, "rt0");
        a.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        assertThat(a.rotateRefresh("rt0", "rt1", NOW)).isEqualTo(new RefreshRotation.Rotated(g));
        assertThat(b.grantByRefresh("rt1", NOW)).as("the rotation is seen by the other replica").contains(g);
        b.recordAccessToken("g", "jti-2", NOW.plusSeconds(300));

        assertThat(b.rotateRefresh("rt0", "rt-thief", NOW.plusSeconds(5))).isEqualTo(new RefreshRotation.Reused(g));

        assertThat(a.rotateRefresh("rt1", "rt2", NOW.plusSeconds(6))).isEqualTo(new RefreshRotation.Invalid());
        assertThat(a.grantByRefresh("rt1", NOW.plusSeconds(6))).isEmpty();
        assertThat(a.isAccessTokenRevoked("jti-1")).isTrue();
        assertThat(a.isAccessTokenRevoked("jti-2")).isTrue();
    }

    @RepeatedTest(5)
    void twoReplicasRotatingOneRefreshTokenFromSixteenThreadsHaveExactlyOneWinnerAndTheNextRevokes()
            throws Exception {
        Grant g = grant("g", NOW.plusSeconds(3600));
        a.putGrant(g, "rt0");
        AtomicInteger n = new AtomicInteger();
        List<RefreshRotation> out = race(16, () -> {
            int i = n.incrementAndGet();
            return (i % 2 == 0 ? a : b).rotateRefresh("rt0", "rt" + i, NOW);
        });
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Rotated)
                .containsExactly(new RefreshRotation.Rotated(g));
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Reused)
                .containsExactly(new RefreshRotation.Reused(g));
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Invalid).hasSize(14);
        assertThat(b.grantByRefresh("rt0", NOW)).isEmpty();
    }

    @Test
    void aPendingRequestAndAnUpstreamStateAreTakenByOneReplicaOnly() throws Exception {
        a.putPending(pending("p", NOW.plusSeconds(600)));
        a.putUpstreamState(new UpstreamState("st", "p", "nonce", "verifier", "binding", NOW.plusSeconds(600)));
        AtomicInteger n = new AtomicInteger();
        List<Boolean> pendings = race(16, () -> (n.incrementAndGet() % 2 == 0 ? a : b).takePending("p", NOW)
                .isPresent());
        List<Boolean> states = race(16, () -> (n.incrementAndGet() % 2 == 0 ? a : b).takeUpstreamState("st", NOW)
                .isPresent());
        assertThat(pendings).containsOnlyOnce(true).hasSize(16);
        assertThat(states).containsOnlyOnce(true).hasSize(16);
    }

    @Test
    void everyKeyLivesAsLongAsItsRecordAndNoLonger() {
        Client dynamic = new Client("dcr_1", "App", List.of("https://a.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web");
        a.putClient(dynamic);
        a.putPending(pending("p", NOW.plusSeconds(600)));
        a.putCode("code-hash", code("g", NOW.plusSeconds(60)));
        a.putGrant(grant("g", NOW.plusSeconds(3600)), "rt0");
        a.rotateRefresh("rt0", "rt1", NOW);
        a.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        a.revokeAccessToken("jti-9", NOW.plusSeconds(120));
        a.putConsent(new ConsentKey("alice", "c", Set.of("read"), "https://mcp.example/"), NOW.plus(DAY).plus(DAY));
        a.putSession(new LoginSession("sid-hash", "alice", Map.of(), "csrf", NOW, NOW.plusSeconds(1800)));
        a.putUpstreamState(new UpstreamState("st", "p", "nonce", "verifier", "binding", NOW.plusSeconds(900)));

        Map<String, Long> ttls = new TreeMap<>();
        for (String k : raw.keys(NS + "*")) {
            ttls.put(k, raw.pttl(k));
        }
        String consent = ttls.keySet().stream().filter(k -> k.startsWith(NS + "consent:")).findFirst().orElseThrow();
        assertThat(ttls.keySet()).containsExactlyInAnyOrder(NS + "client:dcr_1", NS + "pending:p",
                NS + "code:code-hash", NS + "grant:{g}", NS + "refresh:rt0", NS + "refresh:rt1", NS + "revoked:jti-9",
                NS + "access:jti-1", consent, NS + "session:sid-hash", NS + "upstream:st");
        assertThat(ttls.keySet()).as("no subject name in any key").noneMatch(k -> k.contains("alice"));
        assertThat(ttls.get(NS + "client:dcr_1")).isBetween(DAY.toMillis() - 5_000, DAY.toMillis());
        assertThat(ttls.get(consent)).as("capped at the consent retention").isBetween(DAY.toMillis() - 5_000,
                DAY.toMillis());
        assertThat(ttls.get(NS + "access:jti-1")).as("the token's grant, as long as the token lives")
                .isBetween(295_000L, 300_000L);
        assertThat(ttls.get(NS + "pending:p")).isBetween(595_000L, 600_000L);
        assertThat(ttls.get(NS + "code:code-hash")).as("the code's life and the ten minutes a replay is remembered")
                .isBetween(655_000L, 660_000L);
        assertThat(ttls.get(NS + "grant:{g}")).isBetween(3_595_000L, 3_600_000L);
        assertThat(ttls.get(NS + "refresh:rt0")).isBetween(3_595_000L, 3_600_000L);
        assertThat(ttls.get(NS + "refresh:rt1")).isBetween(3_595_000L, 3_600_000L);
        assertThat(ttls.get(NS + "revoked:jti-9")).isBetween(115_000L, 120_000L);
        assertThat(ttls.get(NS + "session:sid-hash")).isBetween(1_795_000L, 1_800_000L);
        assertThat(ttls.get(NS + "upstream:st")).isBetween(895_000L, 900_000L);

        a.revokeGrant("g");
        assertThat(raw.pttl(NS + "revoked:jti-1")).as("a revocation lives until the token expires")
                .isBetween(295_000L, 300_000L);
        assertThat(raw.pttl(NS + "grant:{g}")).as("revoking keeps the family's time to live")
                .isBetween(3_590_000L, 3_600_000L);
        a.redeemCode("code-hash", NOW);
        assertThat(raw.pttl(NS + "code:code-hash")).as("redeeming keeps the code's time to live")
                .isBetween(650_000L, 660_000L);
    }

    @Test
    void aDynamicClientsLifeIsExtendedWhenTokensAreIssuedToItNotByAnonymousLookups() {
        Client dynamic = new Client("dcr_1", "App", List.of("https://a.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web");
        a.putClient(dynamic, NOW.plusSeconds(60));
        assertThat(b.client("dcr_1", NOW)).contains(dynamic);
        assertThat(raw.pttl(NS + "client:dcr_1")).as("a lookup extends nothing").isBetween(55_000L, 60_000L);
        b.extendClient("dcr_1", NOW.plus(DAY), NOW);
        assertThat(raw.pttl(NS + "client:dcr_1")).isBetween(DAY.toMillis() - 5_000, DAY.toMillis());
        assertThat(a.client("dcr_1", NOW.plus(DAY).minusSeconds(1))).contains(dynamic);
    }

    @Test
    void aPreRegisteredClientIsKeptInTheProcessThatIsConfiguredWithIt() {
        Client configured = new Client("gateway", "Gateway", List.of(), ClientKind.PRE_REGISTERED, "sha256:abc",
                Set.of("client_credentials"), Set.of("mcp"), "web");
        a.putClient(configured);
        assertThat(a.client("gateway", NOW)).contains(configured);
        assertThat(b.client("gateway", NOW)).as("the other replica has its own configuration").isEmpty();
        assertThat(raw.keys(NS + "*")).isEmpty();
    }

    @Test
    void scriptsAreSentAgainWhenRedisHasForgottenThem() {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        a.putCode("h1", g);
        assertThat(a.redeemCode("h1", NOW)).isEqualTo(new CodeRedemption.Redeemed(g));
        raw.scriptFlush();
        a.putCode("h2", g);
        assertThat(a.redeemCode("h2", NOW)).isEqualTo(new CodeRedemption.Redeemed(g));
        assertThat(a.redeemCode("h1", NOW)).isEqualTo(new CodeRedemption.Replayed(g));
    }

    @Test
    void whenRedisIsDownEveryOperationFailsWithStoreUnavailableAndTheStoreRecovers() throws Exception {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        a.putCode("h", g);
        redis.stop();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> a.redeemCode("h", NOW)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("redeemCode");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails within its timeout")
                .isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> a.rotateRefresh("rt0", "rt1", NOW)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> a.takePending("p", NOW)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> a.takeUpstreamState("st", NOW)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> a.isAccessTokenRevoked("jti")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> a.client("dcr_1", NOW)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> a.putGrant(grant("g", NOW.plusSeconds(60)), "rt0"))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> b.session("s", NOW)).as("a replica that never connected")
                .isInstanceOf(StoreUnavailableException.class).hasMessageStartingWith("cannot connect to Redis");

        redis.startAgain();
        long deadline = System.currentTimeMillis() + 15_000;
        CodeRedemption r = null;
        while (r == null && System.currentTimeMillis() < deadline) {
            try {
                a.putCode("h2", g);
                r = a.redeemCode("h2", NOW);
            } catch (StoreUnavailableException e) {
                Thread.sleep(200);
            }
        }
        assertThat(r).as("the store reconnects by itself").isEqualTo(new CodeRedemption.Redeemed(g));
        assertThat(b.session("s", NOW)).as("and so does the other").isEmpty();
    }

    @Test
    void anUnreachableRedisAtStartIsUnavailableNotACrash() {
        try (RedisAuthStore nowhere = RedisAuthStore.builder("redis://127.0.0.1:1").timeout(Duration.ofMillis(300))
                .build()) {
            assertThatThrownBy(() -> nowhere.redeemCode("h", NOW)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("cannot connect to Redis");
        }
    }
}
