package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.authserver.login.LoginAttemptsContract;
import dev.mcpwarden.authserver.store.StoreUnavailableException;
import dev.mcpwarden.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LoginAttempts contract (shared with the in-memory counts) against a real redis-server started for each test,
 * and what only a shared count does: two replicas count one name together, keys hide the name and expire, and an
 * unreachable Redis refuses instead of letting a guess through.
 */
class RedisLoginAttemptsTest extends LoginAttemptsContract {

    RedisServer redis;
    final List<RedisStores> opened = new ArrayList<>();

    @Override
    protected LoginAttempts newAttempts() {
        try {
            redis = RedisServer.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return replica();
    }

    /** Another process's view: its own connection to the same Redis. */
    LoginAttempts replica() {
        RedisStores s = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        opened.add(s);
        return s.loginAttempts();
    }

    @AfterEach
    void stop() throws Exception {
        opened.forEach(RedisStores::close);
        redis.close();
    }

    @Test
    void failuresSpreadOverTwoReplicasBlockTheNameOnBoth() {
        LoginAttempts a = attempts;
        LoginAttempts b = replica();
        fail(a, "alice", 3, NOW);
        fail(b, "Alice", 3, NOW);

        assertThat(a.attempt("alice", NOW.plusSeconds(1))).isFalse();
        assertThat(b.attempt("alice", NOW.plusSeconds(1))).isFalse();
        assertThat(b.attempt("bob", NOW.plusSeconds(1))).isTrue();
    }

    @Test
    void aSuccessOnOneReplicaForgetsTheFailuresOnTheOther() {
        LoginAttempts b = replica();
        fail(attempts, "alice", 5, NOW);
        b.succeeded("alice");

        fail(attempts, "alice", 5, NOW);
    }

    @Test
    void parallelGuessesOnTwoReplicasPassOnlyUntilTheBlockIsCounted() throws Exception {
        LoginAttempts b = replica();
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        List<Boolean> allowed = dev.mcpwarden.authserver.store.AuthStoreContract.race(32,
                () -> (n.incrementAndGet() % 2 == 0 ? attempts : b).attempt("alice", NOW));

        assertThat(allowed.stream().filter(x -> x).count()).isEqualTo(LoginAttempts.FREE_FAILURES + 1);
    }

    @Test
    void theKeyIsTheHashOfTheLowerCaseNameAndLivesADayBeyondTheBlock() {
        fail(attempts, "Alice", 6, NOW);

        RedisClient raw = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            List<String> keys = c.sync().keys("*");
            assertThat(keys).containsExactly(
                    "warden:as:login:2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
            assertThat(c.sync().hgetall(keys.get(0))).containsEntry("count", "6")
                    .containsEntry("until", Long.toString(NOW.plusSeconds(30).toEpochMilli()));
            assertThat(c.sync().pttl(keys.get(0))).isBetween(Duration.ofDays(1).plusSeconds(20).toMillis(),
                    Duration.ofDays(1).plusSeconds(30).toMillis());
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void anAddressKeyHidesTheAddressAndLivesAnHourBeyondItsBlock() {
        for (int i = 0; i < 21; i++) {
            attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7", NOW);
        }

        RedisClient raw = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            List<String> keys = c.sync().keys("*");
            assertThat(keys).singleElement().asString().matches("warden:as:login:addr:[0-9a-f]{64}")
                    .doesNotContain("203.0.113.7");
            assertThat(c.sync().hgetall(keys.get(0))).containsEntry("count", "21")
                    .containsEntry("until", Long.toString(NOW.plusSeconds(30).toEpochMilli()));
            assertThat(c.sync().pttl(keys.get(0))).isBetween(Duration.ofHours(1).plusSeconds(20).toMillis(),
                    Duration.ofHours(1).plusSeconds(30).toMillis());
        } finally {
            raw.shutdown();
        }
        // a success takes back its own attempt only: one of the 21 failures, which lifts the block
        attempts.succeeded(LoginAttempts.Budget.ADDRESS, "203.0.113.7");
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7", NOW))
                .isEqualTo(LoginAttempts.Outcome.allowed(21));
    }

    @Test
    void whenRedisIsDownAttemptsAndResetsAreRefusedAsUnavailable() throws Exception {
        fail(attempts, "alice", 1, NOW);
        redis.stop();

        assertThatThrownBy(() -> attempts.attempt("alice", NOW)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("the failed sign-ins cannot be counted: Redis did not answer");
        assertThatThrownBy(() -> attempts.succeeded("alice")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("the failed sign-ins cannot be reset: Redis did not answer");
    }
}
