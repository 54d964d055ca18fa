package dev.mcpwarden.authserver.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientKind;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuthStore} must do, whatever keeps the state: run by {@code InMemoryAuthStoreTest} and by
 * warden-redis's {@code RedisAuthStoreTest} (through this module's test-jar), so both stores answer alike.
 * Forgetting expired state ({@link AuthStore#sweep}) is left to the stores' own tests: the in-memory store forgets
 * when swept, Redis when a key's time to live runs out.
 */
public abstract class AuthStoreContract {

    public static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** A fresh, empty store whose clock (used only to derive how long to keep things) reads {@code clock}. */
    protected abstract AuthStore newStore(InstantSource clock);

    protected AuthStore store;

    @BeforeEach
    public void newStoreForEachTest() {
        store = newStore(InstantSource.fixed(NOW));
    }

    public static <T> List<T> race(int n, Supplier<T> action) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return action.get();
                }));
            }
            go.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                out.add(f.get());
            }
            return out;
        }
    }

    public static CodeGrant code(String grantId, Instant expiresAt) {
        return new CodeGrant(grantId, "c", "https://a.example/cb", true, "challenge", Set.of("read", "write"),
                "https://mcp.example/", "alice", Map.of("email", "alice@example.com", "groups", List.of("a", "b")),
                expiresAt);
    }

    public static Grant grant(String id, Instant expiresAt) {
        return new Grant(id, "c", "alice", Set.of("read"), "https://mcp.example/",
                Map.of("email", "alice@example.com", "groups", List.of("a", "b")), expiresAt);
    }

    public static PendingAuthorization pending(String id, Instant expiresAt) {
        return new PendingAuthorization(id, "c", "https://a.example/cb", true, "xyz", "challenge", Set.of("read"),
                "https://mcp.example/", "binding-hash", false, expiresAt);
    }

    // ---- clients

    @Test
    public void aClientIsFoundByItsIdAsItWasStored() {
        Client dynamic = new Client("dcr_1", "Some app", List.of("http://127.0.0.1/cb", "https://a.example/cb"),
                ClientKind.DYNAMIC, "sha256:abc", Set.of("authorization_code", "refresh_token"), Set.of(), "native");
        Client configured = new Client("gateway", "Gateway", List.of(), ClientKind.PRE_REGISTERED, "sha256:def",
                Set.of("client_credentials"), Set.of("mcp"), "web");
        Client publicClient = new Client("dcr_2", "Public", List.of("https://b.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web");
        store.putClient(dynamic);
        store.putClient(configured);
        store.putClient(publicClient);
        assertThat(store.client("dcr_1", NOW)).contains(dynamic);
        assertThat(store.client("gateway", NOW)).contains(configured);
        assertThat(store.client("dcr_2", NOW)).hasValueSatisfying(c -> {
            assertThat(c).isEqualTo(publicClient);
            assertThat(c.isPublic()).isTrue();
        });
        assertThat(store.client("dcr_3", NOW)).isEmpty();
    }

    @Test
    public void aClientStoredAgainReplacesTheEarlierOne() {
        store.putClient(new Client("dcr_1", "Old", List.of("https://a.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web"));
        Client renamed = new Client("dcr_1", "New", List.of("https://a.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web");
        store.putClient(renamed);
        assertThat(store.client("dcr_1", NOW)).contains(renamed);
    }

    @Test
    public void aClientWithAnExpiryIsForgottenThenUnlessExtendedWhileLive() {
        Client c = new Client("dcr_x", "App", List.of("https://a.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web");
        store.putClient(c, NOW.plusSeconds(60));
        assertThat(store.client("dcr_x", NOW.plusSeconds(59))).contains(c);
        assertThat(store.client("dcr_x", NOW.plusSeconds(60))).as("expired").isEmpty();

        store.extendClient("dcr_x", NOW.plusSeconds(3600), NOW.plusSeconds(30));
        assertThat(store.client("dcr_x", NOW.plusSeconds(3599))).contains(c);
        assertThat(store.client("dcr_x", NOW.plusSeconds(3600))).isEmpty();

        store.extendClient("dcr_x", NOW.plusSeconds(120), NOW.plusSeconds(40));
        assertThat(store.client("dcr_x", NOW.plusSeconds(3000))).as("never moved earlier").contains(c);
    }

    @Test
    public void anExpiredClientIsNotRevivedByAnExtensionAndAnUnknownOneIsNotCreated() {
        Client c = new Client("dcr_y", "App", List.of("https://a.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web");
        store.putClient(c, NOW.plusSeconds(60));
        store.extendClient("dcr_y", NOW.plusSeconds(3600), NOW.plusSeconds(60));
        assertThat(store.client("dcr_y", NOW.plusSeconds(61))).isEmpty();
        store.extendClient("dcr_z", NOW.plusSeconds(3600), NOW);
        assertThat(store.client("dcr_z", NOW)).isEmpty();
    }

    @Test
    public void aClientWithoutExpiryIsKeptAndAnExtensionGivesItNone() {
        Client c = new Client("dcr_n", "App", List.of("https://a.example/cb"), ClientKind.DYNAMIC, null,
                Set.of("authorization_code"), Set.of(), "web");
        store.putClient(c);
        store.extendClient("dcr_n", NOW.plusSeconds(60), NOW);
        assertThat(store.client("dcr_n", NOW.plusSeconds(3600))).contains(c);
    }

    // ---- pending authorization requests

    @Test
    public void aPendingRequestIsReadableUntilItExpires() {
        PendingAuthorization p = pending("p", NOW.plusSeconds(600));
        store.putPending(p);
        assertThat(store.pending("p", NOW)).contains(p);
        assertThat(store.pending("p", NOW.plusSeconds(599))).as("reading does not take it").contains(p);
        assertThat(store.pending("p", NOW.plusSeconds(600))).as("at its expiry").isEmpty();
        assertThat(store.pending("q", NOW)).isEmpty();
    }

    @Test
    public void aPendingRequestIsTakenOnceAndIsThenGone() {
        PendingAuthorization p = pending("p", NOW.plusSeconds(600));
        store.putPending(p);
        assertThat(store.takePending("p", NOW)).contains(p);
        assertThat(store.takePending("p", NOW)).isEmpty();
        assertThat(store.pending("p", NOW)).isEmpty();
    }

    @Test
    public void anExpiredPendingRequestIsNotTakenButIsRemoved() {
        store.putPending(pending("p", NOW.plusSeconds(600)));
        assertThat(store.takePending("p", NOW.plusSeconds(600))).isEmpty();
        assertThat(store.pending("p", NOW)).as("taking removed it even though it had expired").isEmpty();
    }

    @Test
    public void aPendingRequestIsTakenByExactlyOneOfManyConcurrentCallers() throws Exception {
        store.putPending(pending("p", NOW.plusSeconds(600)));
        List<Boolean> out = race(32, () -> store.takePending("p", NOW).isPresent());
        assertThat(out).containsOnlyOnce(true).hasSize(32);
    }

    // ---- authorization codes

    @Test
    public void aCodeIsRedeemedOnceAndEveryLaterPresentationIsAReplay() {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        store.putCode("h", g);
        assertThat(store.redeemCode("h", NOW)).isEqualTo(new CodeRedemption.Redeemed(g));
        assertThat(store.redeemCode("h", NOW.plusSeconds(1))).isEqualTo(new CodeRedemption.Replayed(g));
        assertThat(store.redeemCode("h", NOW.plusSeconds(2))).isEqualTo(new CodeRedemption.Replayed(g));
    }

    @Test
    public void aUsedCodeIsStillRecognisedAsAReplayAfterItsExpiry() {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        store.putCode("h", g);
        store.redeemCode("h", NOW);
        assertThat(store.redeemCode("h", NOW.plusSeconds(120))).isEqualTo(new CodeRedemption.Replayed(g));
    }

    @Test
    public void peekingAtACodeShowsItsGrantAndUsesNothingUp() {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        store.putCode("h", g);
        assertThat(store.peekCode("h")).contains(g);
        assertThat(store.peekCode("h")).contains(g);
        assertThat(store.peekCode("nope")).isEmpty();

        assertThat(store.redeemCode("h", NOW)).isEqualTo(new CodeRedemption.Redeemed(g));
        assertThat(store.peekCode("h")).contains(g); // a used code is still shown, so that a replay is recognised
    }

    @Test
    public void anUnknownCodeIsInvalid() {
        assertThat(store.redeemCode("nope", NOW)).isEqualTo(new CodeRedemption.Invalid());
    }

    @Test
    public void anExpiredUnusedCodeIsInvalidAndIsNotMarkedUsed() {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        store.putCode("h", g);
        assertThat(store.redeemCode("h", NOW.plusSeconds(60))).isEqualTo(new CodeRedemption.Invalid());
        assertThat(store.redeemCode("h", NOW.plusSeconds(61))).as("still not a replay: it was never used")
                .isEqualTo(new CodeRedemption.Invalid());
    }

    @Test
    public void aCodeExpiresToTheNanosecond() {
        CodeGrant g = code("g", NOW.plusSeconds(60).plusNanos(5));
        store.putCode("h", g);
        assertThat(store.redeemCode("h", NOW.plusSeconds(60).plusNanos(5))).isEqualTo(new CodeRedemption.Invalid());
        assertThat(store.redeemCode("h", NOW.plusSeconds(60).plusNanos(4))).isEqualTo(new CodeRedemption.Redeemed(g));
    }

    @RepeatedTest(10)
    public void aCodeIsRedeemedByExactlyOneOfManyConcurrentCallers() throws Exception {
        CodeGrant g = code("g", NOW.plusSeconds(60));
        store.putCode("h", g);
        List<CodeRedemption> out = race(32, () -> store.redeemCode("h", NOW));
        assertThat(out).filteredOn(r -> r instanceof CodeRedemption.Redeemed).containsExactly(
                new CodeRedemption.Redeemed(g));
        assertThat(out).filteredOn(r -> r instanceof CodeRedemption.Replayed).hasSize(31);
    }

    // ---- grants and refresh token families

    @Test
    public void aGrantIsFoundByItsCurrentAndItsEarlierRefreshTokens() {
        Grant g = grant("g", NOW.plusSeconds(3600));
        store.putGrant(g, "rt0");
        assertThat(store.grantByRefresh("rt0", NOW)).contains(g);
        assertThat(store.rotateRefresh("rt0", "rt1", NOW)).isEqualTo(new RefreshRotation.Rotated(g));
        assertThat(store.grantByRefresh("rt1", NOW)).contains(g);
        assertThat(store.grantByRefresh("rt0", NOW)).as("an earlier token of the family").contains(g);
        assertThat(store.grantByRefresh("rt9", NOW)).isEmpty();
    }

    @Test
    public void aGrantIsNotFoundByRefreshOnceItHasExpired() {
        store.putGrant(grant("g", NOW.plusSeconds(3600)), "rt0");
        assertThat(store.grantByRefresh("rt0", NOW.plusSeconds(3600))).isEmpty();
    }

    @Test
    public void aGrantWithoutARefreshTokenHasNoFamilyToRotate() {
        store.putGrant(grant("g", NOW.plusSeconds(3600)), null);
        assertThat(store.grantByRefresh("null", NOW)).isEmpty();
        assertThat(store.rotateRefresh("null", "rt1", NOW)).isEqualTo(new RefreshRotation.Invalid());
        store.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        store.revokeGrant("g");
        assertThat(store.isAccessTokenRevoked("jti-1")).isTrue();
    }

    @Test
    public void eachRotationReplacesTheCurrentToken() {
        Grant g = grant("g", NOW.plusSeconds(3600));
        store.putGrant(g, "rt0");
        assertThat(store.rotateRefresh("rt0", "rt1", NOW)).isEqualTo(new RefreshRotation.Rotated(g));
        assertThat(store.rotateRefresh("rt1", "rt2", NOW.plusSeconds(10))).isEqualTo(new RefreshRotation.Rotated(g));
        assertThat(store.rotateRefresh("rt2", "rt3", NOW.plusSeconds(20))).isEqualTo(new RefreshRotation.Rotated(g));
        assertThat(store.grantByRefresh("rt3", NOW)).contains(g);
    }

    @Test
    public void reusingAnEarlierRefreshTokenRevokesTheFamilyAndItsAccessTokens() {
        Grant g = grant("g", NOW.plusSeconds(3600));
        store.putGrant(g, "rt0");
        store.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        store.rotateRefresh("rt0", "rt1", NOW);
        store.recordAccessToken("g", "jti-2", NOW.plusSeconds(310));
        assertThat(store.rotateRefresh("rt0", "rt-thief", NOW.plusSeconds(20)))
                .isEqualTo(new RefreshRotation.Reused(g));
        assertThat(store.rotateRefresh("rt1", "rt2", NOW.plusSeconds(30))).as("the current token is dead too")
                .isEqualTo(new RefreshRotation.Invalid());
        assertThat(store.rotateRefresh("rt-thief", "rt3", NOW.plusSeconds(30)))
                .isEqualTo(new RefreshRotation.Invalid());
        assertThat(store.grantByRefresh("rt1", NOW.plusSeconds(30))).isEmpty();
        assertThat(store.grantByRefresh("rt0", NOW.plusSeconds(30))).isEmpty();
        assertThat(store.isAccessTokenRevoked("jti-1")).isTrue();
        assertThat(store.isAccessTokenRevoked("jti-2")).isTrue();
    }

    @Test
    public void anUnknownOrExpiredRefreshTokenIsInvalidAndRevokesNothing() {
        Grant g = grant("g", NOW.plusSeconds(3600));
        store.putGrant(g, "rt0");
        assertThat(store.rotateRefresh("rt9", "rt1", NOW)).isEqualTo(new RefreshRotation.Invalid());
        assertThat(store.rotateRefresh("rt0", "rt1", NOW.plusSeconds(3600))).isEqualTo(new RefreshRotation.Invalid());
        assertThat(store.grantByRefresh("rt0", NOW)).as("neither attempt touched the family").contains(g);
        assertThat(store.rotateRefresh("rt0", "rt1", NOW)).isEqualTo(new RefreshRotation.Rotated(g));
    }

    @Test
    public void aGrantStoredAgainStartsAFreshFamily() {
        Grant g = grant("g", NOW.plusSeconds(3600));
        store.putGrant(g, "rt0");
        store.revokeGrant("g");
        Grant again = grant("g", NOW.plusSeconds(7200));
        store.putGrant(again, "rt5");
        assertThat(store.grantByRefresh("rt5", NOW)).contains(again);
        assertThat(store.rotateRefresh("rt5", "rt6", NOW)).isEqualTo(new RefreshRotation.Rotated(again));
    }

    @RepeatedTest(10)
    public void aRefreshTokenRotatesForExactlyOneOfManyConcurrentCallersAndTheNextOneRevokesTheFamily()
            throws Exception {
        Grant g = grant("g", NOW.plusSeconds(3600));
        store.putGrant(g, "rt0");
        AtomicInteger n = new AtomicInteger();
        List<RefreshRotation> out = race(32, () -> store.rotateRefresh("rt0", "rt" + n.incrementAndGet(), NOW));
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Rotated)
                .containsExactly(new RefreshRotation.Rotated(g));
        // the first caller after the winner presented a used token and revoked the family; the rest find it revoked
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Reused)
                .containsExactly(new RefreshRotation.Reused(g));
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Invalid).hasSize(30);
        assertThat(store.grantByRefresh("rt0", NOW)).isEmpty();
    }

    // ---- access tokens

    @Test
    public void revokingAGrantRevokesItsRefreshTokensAndEveryAccessTokenIssuedFromIt() {
        store.putGrant(grant("g", NOW.plusSeconds(3600)), "rt0");
        store.putGrant(grant("other", NOW.plusSeconds(3600)), "ort0");
        store.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        store.recordAccessToken("other", "jti-other", NOW.plusSeconds(300));
        store.revokeGrant("g");
        store.recordAccessToken("g", "jti-2", NOW.plusSeconds(300));
        assertThat(store.isAccessTokenRevoked("jti-1")).isTrue();
        assertThat(store.isAccessTokenRevoked("jti-2")).as("minted while the grant was being revoked").isTrue();
        assertThat(store.isAccessTokenRevoked("jti-other")).isFalse();
        assertThat(store.grantByRefresh("rt0", NOW)).isEmpty();
        assertThat(store.rotateRefresh("rt0", "rt1", NOW)).isEqualTo(new RefreshRotation.Invalid());
        assertThat(store.grantByRefresh("ort0", NOW)).isPresent();
    }

    @Test
    public void revokingAnUnknownGrantChangesNothing() {
        store.revokeGrant("nope");
        store.recordAccessToken("nope", "jti-1", NOW.plusSeconds(300));
        assertThat(store.isAccessTokenRevoked("jti-1")).as("no grant, nothing remembered").isFalse();
    }

    @Test
    public void anAccessTokenFindsItsGrantUntilItExpires() {
        store.putGrant(grant("g", NOW.plusSeconds(3600)), "rt0");
        store.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        assertThat(store.grantOfAccessToken("jti-1", NOW.plusSeconds(299))).contains("g");
        assertThat(store.grantOfAccessToken("jti-1", NOW.plusSeconds(300))).isEmpty();
        assertThat(store.grantOfAccessToken("jti-2", NOW)).isEmpty();
        store.recordAccessToken("nope", "jti-3", NOW.plusSeconds(300));
        assertThat(store.grantOfAccessToken("jti-3", NOW)).as("no grant, nothing recorded").isEmpty();
    }

    @Test
    public void aTokenRecordedUnderAGrantThroughAnotherTokenIsRevokedWithTheGrant() {
        store.putGrant(grant("g", NOW.plusSeconds(3600)), "rt0");
        store.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        String grantId = store.grantOfAccessToken("jti-1", NOW).orElseThrow();
        store.recordAccessToken(grantId, "exchanged-1", NOW.plusSeconds(200));
        store.revokeGrant("g");
        assertThat(store.isAccessTokenRevoked("exchanged-1")).isTrue();
    }

    @Test
    public void aRevokedAccessTokenIsRevokedAndOthersAreNot() {
        store.revokeAccessToken("jti-1", NOW.plusSeconds(300));
        assertThat(store.isAccessTokenRevoked("jti-1")).isTrue();
        assertThat(store.isAccessTokenRevoked("jti-2")).isFalse();
    }

    // ---- consent

    @Test
    public void aConsentCoversExactlyItsSubjectClientScopesAndResource() {
        store.putConsent(new ConsentKey("alice", "c", Set.of("read", "write"), "https://mcp.example/"), NOW.plusSeconds(60));
        assertThat(store.hasConsent(new ConsentKey("alice", "c", Set.of("write", "read"), "https://mcp.example/"), NOW))
                .isTrue();
        assertThat(store.hasConsent(new ConsentKey("alice", "c", Set.of("read"), "https://mcp.example/"), NOW)).isFalse();
        assertThat(store.hasConsent(new ConsentKey("bob", "c", Set.of("read", "write"), "https://mcp.example/"), NOW))
                .isFalse();
        assertThat(store.hasConsent(new ConsentKey("alice", "d", Set.of("read", "write"), "https://mcp.example/"), NOW))
                .isFalse();
        assertThat(store.hasConsent(new ConsentKey("alice", "c", Set.of("read", "write"), "https://other.example/"), NOW))
                .isFalse();
        assertThat(store.hasConsent(new ConsentKey("alice", "c", Set.of("read", "write"), null), NOW)).isFalse();
    }

    @Test
    public void aConsentWithoutResourceOrScopesIsRemembered() {
        store.putConsent(new ConsentKey("alice", "c", Set.of(), null), NOW.plusSeconds(60));
        assertThat(store.hasConsent(new ConsentKey("alice", "c", Set.of(), null), NOW)).isTrue();
        assertThat(store.hasConsent(new ConsentKey("alice", "c", Set.of(), ""), NOW)).isFalse();
    }

    @Test
    public void aConsentLastsUntilItsExpiryAndGivingItAgainRenewsIt() {
        ConsentKey k = new ConsentKey("alice", "c", Set.of("read"), "https://mcp.example/");
        store.putConsent(k, NOW.plusSeconds(60));
        assertThat(store.hasConsent(k, NOW.plusSeconds(59))).isTrue();
        assertThat(store.hasConsent(k, NOW.plusSeconds(60))).isFalse();
        store.putConsent(k, NOW.plusSeconds(600));
        assertThat(store.hasConsent(k, NOW.plusSeconds(599))).isTrue();
    }

    // ---- login sessions

    @Test
    public void aSessionIsReadableUntilItExpiresAndGoneOnceRemoved() {
        LoginSession s = new LoginSession("sid-hash", "alice", Map.of("email", "alice@example.com"), "csrf",
                NOW.minusSeconds(5), NOW.plusSeconds(3600));
        store.putSession(s);
        assertThat(store.session("sid-hash", NOW)).contains(s);
        assertThat(store.session("sid-hash", NOW.plusSeconds(3600))).isEmpty();
        assertThat(store.session("other", NOW)).isEmpty();
        store.removeSession("sid-hash");
        assertThat(store.session("sid-hash", NOW)).isEmpty();
        store.removeSession("never-there");
    }

    // ---- upstream sign-in state

    @Test
    public void anUpstreamStateIsTakenOnce() {
        UpstreamState u = new UpstreamState("st", "p", "nonce", "verifier", "binding", NOW.plusSeconds(600));
        store.putUpstreamState(u);
        assertThat(store.takeUpstreamState("st", NOW)).contains(u);
        assertThat(store.takeUpstreamState("st", NOW)).isEmpty();
    }

    @Test
    public void anExpiredUpstreamStateIsNotTakenButIsRemoved() {
        store.putUpstreamState(new UpstreamState("st", "p", "nonce", "verifier", "binding", NOW.plusSeconds(600)));
        assertThat(store.takeUpstreamState("st", NOW.plusSeconds(600))).isEmpty();
        assertThat(store.takeUpstreamState("st", NOW)).isEmpty();
    }

    @Test
    public void anUpstreamStateIsTakenByExactlyOneOfManyConcurrentCallers() throws Exception {
        store.putUpstreamState(new UpstreamState("st", "p", "nonce", "verifier", "binding", NOW.plusSeconds(600)));
        List<Boolean> out = race(32, () -> store.takeUpstreamState("st", NOW).isPresent());
        assertThat(out).containsOnlyOnce(true).hasSize(32);
    }
}
