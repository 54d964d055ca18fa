package dev.mcpwarden.authserver.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The contract, in this process's memory, and how its bound holds against a spray of made-up names. */
class InMemoryLoginAttemptsTest extends LoginAttemptsContract {

    @Override
    protected LoginAttempts newAttempts() {
        return LoginAttempts.inMemory();
    }

    @Test
    void aFloodOfMadeUpNamesNeverForgetsABlock() {
        LoginAttempts small = new InMemoryLoginAttempts(100);
        fail(small, "alice", 6, NOW);
        for (int i = 0; i < 1_000; i++) {
            small.attempt("random-" + i, NOW.plusMillis(i));
        }

        assertThat(small.attempt("alice", NOW.plusSeconds(29))).isFalse();
    }

    @Test
    void whenEveryTrackedKeyIsBlockedANewKeyIsRefusedRatherThanCountedNowhere() {
        LoginAttempts small = new InMemoryLoginAttempts(3);
        for (String name : new String[] {"a", "b", "c"}) {
            fail(small, name, 6, NOW);
        }

        LoginAttempts.Outcome refused = small.attempt(LoginAttempts.Budget.USER, "d", NOW.plusSeconds(5));
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(small.attempt("d", NOW.plusSeconds(31))).isTrue(); // the blocks are over: room again
    }

    @Test
    void aKeysFailuresAreForgottenItsBudgetsMemoryAfterTheLastCountedAttempt() {
        fail(attempts, "alice", 6, NOW);

        Instant later = NOW.plusSeconds(30).plus(LoginAttempts.Budget.USER.memory());
        assertThat(attempts.attempt(LoginAttempts.Budget.USER, "alice", later.minusMillis(1)))
                .isEqualTo(LoginAttempts.Outcome.allowed(7));
        assertThat(attempts.attempt(LoginAttempts.Budget.USER, "alice",
                        later.plusSeconds(60).plus(LoginAttempts.Budget.USER.memory())))
                .isEqualTo(LoginAttempts.Outcome.allowed(1));
    }
}
