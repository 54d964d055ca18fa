package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.testkit.RedisServer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What {@code --redis} shares between replicas beyond sessions and limits: the failed sign-ins. */
class SharedStateTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void twoReplicasWithOneRedisCountFailedSignInsTogether() throws Exception {
        try (RedisServer redis = RedisServer.start();
             SharedState r1 = SharedState.of(redis.url(), "r1");
             SharedState r2 = SharedState.of(redis.url(), "r2")) {
            LoginAttempts a = r1.loginAttempts().orElseThrow();
            LoginAttempts b = r2.loginAttempts().orElseThrow();
            for (int i = 0; i < 3; i++) {
                assertThat(a.attempt("demo", NOW)).isTrue();
                assertThat(b.attempt("demo", NOW)).isTrue();
            }

            assertThat(a.attempt("demo", NOW)).isFalse();
            assertThat(b.attempt("demo", NOW)).isFalse();
        }
    }

    @Test
    void withoutRedisTheAuthorizationServerCountsInItsOwnProcess() {
        try (SharedState alone = SharedState.of(null, "r1")) {
            assertThat(alone.loginAttempts()).isEmpty();
            assertThat(alone.authStore()).isEmpty();
        }
    }
}
