package dev.mcpwarden.authserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.store.CodeGrant;
import dev.mcpwarden.authserver.store.CodeRedemption;
import dev.mcpwarden.authserver.store.Grant;
import dev.mcpwarden.authserver.store.InMemoryAuthStore;
import dev.mcpwarden.authserver.store.PendingAuthorization;
import dev.mcpwarden.authserver.store.RefreshRotation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The store's once-only transitions under contention: exactly one winner, every time. */
class InMemoryAuthStoreTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static <T> List<T> race(int n, Supplier<T> action) throws Exception {
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

    @RepeatedTest(20)
    void aCodeIsRedeemedByExactlyOneOfManyConcurrentCallers() throws Exception {
        InMemoryAuthStore store = new InMemoryAuthStore();
        store.putCode("h", new CodeGrant("g", "c", "https://a/cb", true, "x", Set.of(), "r", "alice", Map.of(),
                NOW.plusSeconds(60)));
        List<CodeRedemption> out = race(32, () -> store.redeemCode("h", NOW));
        assertThat(out).filteredOn(r -> r instanceof CodeRedemption.Redeemed).hasSize(1);
        assertThat(out).filteredOn(r -> r instanceof CodeRedemption.Replayed).hasSize(31);
    }

    @RepeatedTest(20)
    void aRefreshTokenRotatesForExactlyOneCallerAndTheOthersRevokeTheFamily() throws Exception {
        InMemoryAuthStore store = new InMemoryAuthStore();
        store.putGrant(new Grant("g", "c", "alice", Set.of(), "r", Map.of(), NOW.plusSeconds(3600)), "rt0");
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        List<RefreshRotation> out = race(32, () -> store.rotateRefresh("rt0", "rt" + n.incrementAndGet(), NOW));
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Rotated).hasSize(1);
        // whoever came after the winner presented a used token: the family is revoked (later ones find it revoked)
        assertThat(out).filteredOn(r -> r instanceof RefreshRotation.Reused).isNotEmpty();
        assertThat(store.grantByRefresh("rt0", NOW)).isEmpty();
    }

    @Test
    void aPendingRequestIsTakenOnce() throws Exception {
        InMemoryAuthStore store = new InMemoryAuthStore();
        store.putPending(new PendingAuthorization("p", "c", "https://a/cb", true, null, "x", Set.of(), "r", "b",
                false, NOW.plusSeconds(600)));
        List<Boolean> out = race(32, () -> store.takePending("p", NOW).isPresent());
        assertThat(out).containsOnlyOnce(true);
    }

    @Test
    void revokingAGrantRevokesItsAccessTokens() {
        InMemoryAuthStore store = new InMemoryAuthStore();
        store.putGrant(new Grant("g", "c", "alice", Set.of(), "r", Map.of(), NOW.plusSeconds(3600)), null);
        store.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        store.revokeGrant("g");
        store.recordAccessToken("g", "jti-2", NOW.plusSeconds(300));
        assertThat(store.isAccessTokenRevoked("jti-1")).isTrue();
        assertThat(store.isAccessTokenRevoked("jti-2")).as("minted while the grant was being revoked").isTrue();
        store.sweep(NOW.plusSeconds(301));
        assertThat(store.isAccessTokenRevoked("jti-1")).as("forgotten once expired").isFalse();
    }
}
