package dev.mcpwarden.authserver.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.store.AuthStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LoginAttempts} must do, wherever it counts: run by {@code InMemoryLoginAttemptsTest} and by
 * warden-redis's {@code RedisLoginAttemptsTest} (through this module's test-jar), so both throttle alike.
 */
public abstract class LoginAttemptsContract {

    public static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** Fresh counts, remembering nothing. */
    protected abstract LoginAttempts newAttempts();

    protected LoginAttempts attempts;

    @BeforeEach
    public void freshCountsForEachTest() {
        attempts = newAttempts();
    }

    /** {@code n} attempts for {@code name} at {@code at}, each of which was allowed (and failed). */
    protected static void fail(LoginAttempts a, String name, int n, Instant at) {
        for (int i = 0; i < n; i++) {
            assertThat(a.attempt(name, at)).as("attempt %d of %s", i + 1, name).isTrue();
        }
    }

    @Test
    public void fiveFailuresInARowAreFreeAndTheSixthBlocksTheNameForThirtySeconds() {
        fail(attempts, "alice", 6, NOW);

        assertThat(attempts.attempt("alice", NOW.plusSeconds(29))).isFalse();
        assertThat(attempts.attempt("alice", NOW.plusSeconds(30))).isTrue();
    }

    @Test
    public void eachFurtherFailureDoublesTheBlockUpToFifteenMinutes() {
        fail(attempts, "alice", 6, NOW);
        Instant t = NOW;
        for (Duration expected : List.of(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(240),
                Duration.ofSeconds(480), Duration.ofMinutes(15), Duration.ofMinutes(15))) {
            t = t.plus(Duration.ofHours(1));
            assertThat(attempts.attempt("alice", t)).isTrue(); // the previous block is over; this one fails again
            assertThat(attempts.attempt("alice", t.plus(expected).minusMillis(1))).as("blocked for %s", expected)
                    .isFalse();
        }
    }

    @Test
    public void anAttemptWhileBlockedIsRefusedAndNotCounted() {
        fail(attempts, "alice", 6, NOW);
        for (int i = 0; i < 20; i++) {
            assertThat(attempts.attempt("alice", NOW.plusSeconds(i))).isFalse();
        }

        // the seventh counted failure blocks for 60 s, as if the refused attempts had never been made
        assertThat(attempts.attempt("alice", NOW.plusSeconds(30))).isTrue();
        assertThat(attempts.attempt("alice", NOW.plusSeconds(89))).isFalse();
        assertThat(attempts.attempt("alice", NOW.plusSeconds(90))).isTrue();
    }

    @Test
    public void aSuccessForgetsTheFailures() {
        fail(attempts, "alice", 5, NOW);
        attempts.succeeded("alice");

        fail(attempts, "alice", 5, NOW);
        assertThat(attempts.attempt("alice", NOW)).isTrue();
        assertThat(attempts.attempt("alice", NOW)).isFalse();
    }

    @Test
    public void namesAreCountedWithoutCaseAndEachOnItsOwn() {
        fail(attempts, "Alice", 3, NOW);
        fail(attempts, "ALICE", 3, NOW);

        assertThat(attempts.attempt("alice", NOW)).isFalse();
        assertThat(attempts.attempt("bob", NOW)).isTrue();
        assertThat(attempts.attempt(null, NOW)).isTrue();
    }

    @Test
    public void parallelGuessesPassOnlyUntilTheBlockIsCounted() throws Exception {
        List<Boolean> allowed = AuthStoreContract.race(32, () -> attempts.attempt("alice", NOW));

        assertThat(allowed.stream().filter(a -> a).count()).isEqualTo(LoginAttempts.FREE_FAILURES + 1);
    }

    @Test
    public void theScheduleIsFreeThenThirtySecondsDoublingUpToFifteenMinutes() {
        assertThat(LoginAttempts.blockAfter(5)).isZero();
        assertThat(LoginAttempts.blockAfter(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(LoginAttempts.blockAfter(9)).isEqualTo(Duration.ofSeconds(240));
        assertThat(LoginAttempts.blockAfter(11)).isEqualTo(Duration.ofMinutes(15));
        assertThat(LoginAttempts.blockAfter(1_000)).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    public void sprayingRandomNamesFromOneAddressIsBlockedAfterTwentyFailures() {
        for (int i = 0; i < 21; i++) {
            assertThat(attempts.attempt(LoginAttempts.Budget.USER, "user" + i, NOW).allowed()).isTrue();
            assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7", NOW))
                    .isEqualTo(LoginAttempts.Outcome.allowed(i + 1));
        }

        LoginAttempts.Outcome refused = attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7",
                NOW.plusSeconds(10));
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(20));
        assertThat(refused.retryAfterSeconds()).isEqualTo(20);
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "198.51.100.1", NOW).allowed()).isTrue();
    }

    @Test
    public void aSuccessFromAnAddressTakesBackOnlyItsOwnAttempt() {
        for (int i = 0; i < 20; i++) {
            attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7", NOW);
        }
        // the 21st is a success: it set the block as it was counted, and taking it back lifts the block
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7", NOW).allowed()).isTrue();
        attempts.succeeded(LoginAttempts.Budget.ADDRESS, "203.0.113.7");

        // but the twenty failures stay: the next failure blocks
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7", NOW))
                .isEqualTo(LoginAttempts.Outcome.allowed(21));
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "203.0.113.7", NOW).allowed()).isFalse();
    }

    @Test
    public void budgetsCountApartAndAClientBudgetHasTenFreeFailures() {
        fail(attempts, "app", 6, NOW);
        for (int i = 1; i <= 11; i++) {
            assertThat(attempts.attempt(LoginAttempts.Budget.CLIENT, "app", NOW))
                    .isEqualTo(LoginAttempts.Outcome.allowed(i));
        }

        assertThat(attempts.attempt(LoginAttempts.Budget.CLIENT, "app", NOW).retryAfter())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(attempts.attempt(LoginAttempts.Budget.PENDING, "app", NOW))
                .isEqualTo(LoginAttempts.Outcome.allowed(1));
    }

    @Test
    public void anIPv6AddressIsBudgetedByItsSlash64AndAnIPv4MappedOneAsItsIPv4Address() {
        for (int i = 0; i < 21; i++) {
            assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "2001:db8:1:2:" + Integer.toHexString(i)
                    + "::1", NOW).allowed()).isTrue();
        }
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "[2001:DB8:1:2:ffff::9]", NOW).allowed())
                .isFalse();
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "2001:db8:1:3::1", NOW).allowed()).isTrue();

        for (int i = 0; i < 21; i++) {
            attempts.attempt(LoginAttempts.Budget.ADDRESS, i % 2 == 0 ? "192.0.2.1" : "::ffff:192.0.2.1", NOW);
        }
        assertThat(attempts.attempt(LoginAttempts.Budget.ADDRESS, "192.0.2.1", NOW).allowed()).isFalse();
    }
}
