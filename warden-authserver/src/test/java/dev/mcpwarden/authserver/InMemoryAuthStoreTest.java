package dev.mcpwarden.authserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.store.AuthStoreContract;
import dev.mcpwarden.authserver.store.CodeRedemption;
import dev.mcpwarden.authserver.store.InMemoryAuthStore;
import dev.mcpwarden.authserver.store.LoginSession;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The store of one process: the shared contract (including its once-only transitions under contention), plus
 * forgetting expired state when swept.
 */
class InMemoryAuthStoreTest extends AuthStoreContract {

    @Override
    protected AuthStore newStore(InstantSource clock) {
        return new InMemoryAuthStore();
    }

    @Test
    void aSweepForgetsARevokedAccessTokenOnceItHasExpired() {
        store.putGrant(grant("g", NOW.plusSeconds(3600)), null);
        store.recordAccessToken("g", "jti-1", NOW.plusSeconds(300));
        store.revokeGrant("g");
        store.sweep(NOW.plusSeconds(300));
        assertThat(store.isAccessTokenRevoked("jti-1")).as("not yet expired").isTrue();
        store.sweep(NOW.plusSeconds(301));
        assertThat(store.isAccessTokenRevoked("jti-1")).as("forgotten once expired").isFalse();
    }

    @Test
    void aSweepForgetsAUsedCodeTenMinutesAfterItsExpiry() {
        store.putCode("h", code("g", NOW.plusSeconds(60)));
        store.redeemCode("h", NOW);
        store.sweep(NOW.plusSeconds(60).plus(Duration.ofMinutes(10)));
        assertThat(store.redeemCode("h", NOW)).isInstanceOf(CodeRedemption.Replayed.class);
        store.sweep(NOW.plusSeconds(61).plus(Duration.ofMinutes(10)));
        assertThat(store.redeemCode("h", NOW)).isEqualTo(new CodeRedemption.Invalid());
    }

    @Test
    void aSweepForgetsExpiredPendingRequestsSessionsAndFamilies() {
        store.putPending(pending("p", NOW.plusSeconds(600)));
        store.putSession(new LoginSession("s", "alice", Map.of(), "csrf", NOW, NOW.plusSeconds(600)));
        store.putGrant(grant("g", NOW.plusSeconds(600)), "rt0");
        store.sweep(NOW.plusSeconds(601));
        assertThat(store.pending("p", NOW)).isEmpty();
        assertThat(store.session("s", NOW)).isEmpty();
        assertThat(store.grantByRefresh("rt0", NOW)).isEmpty();
    }
}
