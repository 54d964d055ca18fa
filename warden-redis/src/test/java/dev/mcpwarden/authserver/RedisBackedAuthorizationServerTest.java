package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.redis.RedisAuthStore;
import dev.mcpwarden.testkit.RedisServer;
import dev.mcpwarden.testkit.UserAgent;
import io.lettuce.core.RedisClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The authorization server with its state in a real Redis: the browser flow, refresh rotation and reuse. */
class RedisBackedAuthorizationServerTest {

    RedisServer redis;
    RedisAuthStore store;
    TestAuthServer server;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        store = RedisAuthStore.builder(redis.url()).build();
        server = new TestAuthServer(c -> c, b -> b.store(store));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        store.close();
        redis.close();
    }

    @Test
    void theCodeFlowRefreshRotationAndReuseDetectionWorkWithTheStateInRedis() throws Exception {
        JsonNode tokens = server.tokensForAppA();
        SignedJWT access = SignedJWT.parse(tokens.get("access_token").asString());
        assertThat(access.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(access.getJWTClaimsSet().getClaim("tenant")).as("claims survive the trip through Redis")
                .isEqualTo("acme");
        assertThat(access.getJWTClaimsSet().getStringListClaim("roles")).isEqualTo(List.of("agent"));

        String rt0 = tokens.get("refresh_token").asString();
        UserAgent.Page rotated = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", rt0));
        assertThat(rotated.status()).isEqualTo(200);
        String rt1 = TestAuthServer.json(rotated).get("refresh_token").asString();

        UserAgent.Page reused = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", rt0));
        assertThat(reused.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(reused).get("error").asString()).isEqualTo("invalid_grant");
        UserAgent.Page current = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", rt1));
        assertThat(current.status()).as("reuse revoked the whole family").isEqualTo(400);

        RedisClient raw = RedisClient.create(redis.url());
        try (var c = raw.connect()) {
            List<String> keys = c.sync().keys("warden:as:*");
            assertThat(keys).anyMatch(k -> k.startsWith("warden:as:session:"))
                    .anyMatch(k -> k.startsWith("warden:as:code:")).anyMatch(k -> k.startsWith("warden:as:grant:{"))
                    .anyMatch(k -> k.startsWith("warden:as:refresh:"));
            assertThat(keys).as("refresh tokens and codes are stored only as hashes")
                    .noneMatch(k -> k.contains(rt0) || k.contains(rt1));
            for (String k : keys) {
                assertThat(c.sync().pttl(k)).as(k).isPositive();
            }
        } finally {
            raw.shutdown();
        }
    }
}
