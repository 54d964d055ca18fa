package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.redis.RedisStores;
import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.RedisServer;
import dev.mcpwarden.testkit.UserAgent;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two authorization servers (replicas, each with its own connection) counting failed sign-ins in one real Redis,
 * over HTTP: guesses spread over both are counted together, and a sign-in that cannot be counted is refused.
 */
class SharedLoginThrottleTest {

    RedisServer redis;
    RedisStores redisA;
    RedisStores redisB;
    TestAuthServer a;
    TestAuthServer b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        redisA = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        redisB = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        a = new TestAuthServer(c -> c, x -> x.loginAttempts(redisA.loginAttempts()));
        b = new TestAuthServer(c -> c, x -> x.loginAttempts(redisB.loginAttempts()));
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        redisA.close();
        redisB.close();
        redis.close();
    }

    /** A browser at {@code server}'s sign-in page. */
    record SignIn(TestAuthServer server, UserAgent browser, String request) {
        static SignIn at(TestAuthServer server) throws Exception {
            UserAgent ua = new UserAgent();
            UserAgent.Page login = ua.get(ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()))
                    .location());
            return new SignIn(server, ua, login.hidden("request"));
        }

        UserAgent.Page as(String username, String password) throws Exception {
            return browser.post(server.issuer + "/login", Map.of("request", request, "username", username,
                    "password", password));
        }
    }

    @Test
    void sixFailedSignInsSpreadOverTwoReplicasBlockTheUserOnBoth() throws Exception {
        SignIn atA = SignIn.at(a);
        SignIn atB = SignIn.at(b);
        for (int i = 0; i < 3; i++) {
            assertThat(atA.as("alice", "wrong").status()).isEqualTo(401);
            assertThat(atB.as("alice", "wrong").status()).isEqualTo(401);
        }

        for (SignIn s : new SignIn[] {atA, atB}) {
            UserAgent.Page blocked = s.as("alice", TestAuthServer.ALICE_PASSWORD);
            assertThat(blocked.status()).isEqualTo(429);
            assertThat(blocked.byId("error")).matches("Too many failed sign-ins\\. Wait (29|30) seconds and try "
                    + "again\\.");
        }
        assertThat(atB.as("bob", "wrong").status()).as("other names are not blocked").isEqualTo(401);
    }

    @Test
    void madeUpNamesSprayedOverTwoReplicasFromOneAddressAreBlockedOnBoth() throws Exception {
        SignIn atA = null;
        SignIn atB = null;
        for (int i = 0; i < 21; i++) {
            if (i % 8 == 0) { // a request closes after five failures; the address budget spans requests
                atA = SignIn.at(a);
                atB = SignIn.at(b);
            }
            SignIn s = i % 2 == 0 ? atA : atB;
            assertThat(s.as("made-up-" + i, "wrong").status()).isEqualTo(401);
        }

        for (SignIn s : new SignIn[] {SignIn.at(a), SignIn.at(b)}) {
            UserAgent.Page blocked = s.as("alice", TestAuthServer.ALICE_PASSWORD);
            assertThat(blocked.status()).isEqualTo(429);
            assertThat(blocked.byId("error")).matches("Too many failed sign-ins from your network\\. Wait (29|30) "
                    + "seconds and try again\\.");
        }
    }

    @Test
    void aSignInIsRefusedWith503WhileRedisIsDown() throws Exception {
        SignIn atA = SignIn.at(a);
        redis.stop();

        UserAgent.Page down = atA.as("alice", TestAuthServer.ALICE_PASSWORD);

        assertThat(down.status()).isEqualTo(503);
        assertThat(down.header("Retry-After")).isEqualTo("5");
        assertThat(TestAuthServer.json(down).get("error").asString()).isEqualTo("temporarily_unavailable");
        assertThat(TestAuthServer.json(down).get("error_description").asString())
                .isEqualTo("the authorization server cannot reach its state; try again shortly");
    }
}
