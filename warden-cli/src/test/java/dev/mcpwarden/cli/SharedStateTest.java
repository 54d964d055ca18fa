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

    static final String DPOP_CONFIG = """
            server: {name: s, version: "1"}
            security:
              authentication:
                resource: http://127.0.0.1:8080/mcp
                issuers:
                  - issuer: http://127.0.0.1:8080
                dpop: {mode: required}
            """;

    @Test
    void withARedisDpopProofsAreRememberedThereEvenWithoutRateLimits() throws Exception {
        try (RedisServer redis = RedisServer.start(); SharedState r1 = SharedState.of(redis.url(), "r1")) {
            dev.mcpwarden.security.SecurityConfig sc = r1.security(
                    dev.mcpwarden.config.WardenConfig.parse(DPOP_CONFIG, "warden.yaml").security());
            assertThat(sc.rateLimits().limiter()).isEqualTo(new dev.mcpwarden.security.ratelimit.LimiterConfig.Redis(
                    java.net.URI.create(redis.url()), java.util.Optional.empty()));
        }
    }

    @Test
    void withAClusterStoreDpopProofsAndRateLimitsAreCountedInThatCluster() throws Exception {
        dev.mcpwarden.config.StoreConfig cluster = new dev.mcpwarden.config.StoreConfig.Redis(
                java.util.List.of(java.net.URI.create("redis://127.0.0.1:1"), java.net.URI.create("redis://127.0.0.1:2")),
                true, java.util.Optional.empty(), java.time.Duration.ofMillis(100));
        try (SharedState r1 = SharedState.of(cluster, null, "r1")) {
            dev.mcpwarden.security.SecurityConfig sc = r1.security(
                    dev.mcpwarden.config.WardenConfig.parse(DPOP_CONFIG, "warden.yaml").security());
            assertThat(sc.rateLimits().limiter()).isEqualTo(new dev.mcpwarden.security.ratelimit.LimiterConfig.Redis(
                    java.util.List.of(java.net.URI.create("redis://127.0.0.1:1"),
                            java.net.URI.create("redis://127.0.0.1:2")),
                    true, java.util.Optional.empty(), java.util.Optional.empty()));
            assertThat(r1.authStore()).isPresent();
        }
    }
}
