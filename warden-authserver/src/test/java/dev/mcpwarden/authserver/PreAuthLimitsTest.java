package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.ALICE_PASSWORD;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static dev.mcpwarden.authserver.TestAuthServer.GATEWAY_SECRET;
import static dev.mcpwarden.authserver.TestAuthServer.SERVICE_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.login.HashingGate;
import dev.mcpwarden.testkit.FakeClock;
import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Finding 8 of issue 15: what an anonymous caller can make the server hash is bounded by failure budgets (per
 * remote address, per user name, per pending request, per client id) and by a cap on hashes at once, each with
 * its exact answer.
 */
class PreAuthLimitsTest {

    private static UserAgent.Page loginPage(TestAuthServer s, UserAgent ua) throws Exception {
        return ua.get(ua.get(s.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh())).location());
    }

    private static UserAgent.Page signIn(TestAuthServer s, UserAgent ua, UserAgent.Page login, String user,
                                         String password) throws Exception {
        return ua.post(s.issuer + "/login", Map.of("request", login.hidden("request"), "username", user,
                "password", password));
    }

    private static void assertTokenError(UserAgent.Page p, int status, String error, String description) {
        assertThat(p.status()).as(p.body()).isEqualTo(status);
        JsonNode body = TestAuthServer.json(p);
        assertThat(body.get("error").asString()).isEqualTo(error);
        assertThat(body.get("error_description").asString()).isEqualTo(description);
    }

    @Test
    void sprayingMadeUpNamesFromOneAddressIsRefusedWith429AfterTwentyOneFailures() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer s = new TestAuthServer(c -> c, b -> b.clock(clock))) {
            UserAgent ua = new UserAgent();
            UserAgent.Page login = null;
            for (int i = 0; i < 21; i++) {
                if (i % 4 == 0) {
                    login = loginPage(s, ua); // a request closes after five failures; the budget spans requests
                }
                assertThat(signIn(s, ua, login, "made-up-" + UUID.randomUUID(), "x").status()).isEqualTo(401);
            }
            UserAgent.Page fresh = loginPage(s, ua);
            UserAgent.Page refused = signIn(s, ua, fresh, "alice", ALICE_PASSWORD);

            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("retry-after")).isEqualTo("30");
            assertThat(refused.byId("error"))
                    .isEqualTo("Too many failed sign-ins from your network. Wait 30 seconds and try again.");
            clock.advance(Duration.ofSeconds(30));
            assertThat(signIn(s, ua, fresh, "alice", ALICE_PASSWORD).status()).isEqualTo(302);
        }
    }

    @Test
    void aPendingRequestIsClosedByItsFifthFailedSignIn() throws Exception {
        try (TestAuthServer s = new TestAuthServer()) {
            UserAgent ua = new UserAgent();
            UserAgent.Page login = loginPage(s, ua);
            for (int i = 0; i < 4; i++) {
                UserAgent.Page wrong = signIn(s, ua, login, "user" + i, "x");
                assertThat(wrong.status()).isEqualTo(401);
                assertThat(wrong.byId("error")).isEqualTo("Wrong username or password.");
            }
            UserAgent.Page fifth = signIn(s, ua, login, "bob", "x");
            assertThat(fifth.status()).isEqualTo(401);
            assertThat(fifth.body()).contains("<strong>access_denied</strong>");
            assertThat(fifth.byId("message")).isEqualTo("Wrong username or password. After 5 failed sign-ins this "
                    + "request is closed: return to the application and start again.");

            UserAgent.Page after = signIn(s, ua, login, "alice", ALICE_PASSWORD);
            assertThat(after.status()).isEqualTo(400);
            assertThat(after.byId("message")).isEqualTo("This sign-in request has expired or was already "
                    + "completed. Return to the application and start again.");
        }
    }

    @Test
    void whenEveryHashingSlotIsTakenASignInIsRefusedWith429AndNothingIsCounted() throws Exception {
        HashingGate gate = new HashingGate(1, Duration.ZERO);
        try (TestAuthServer s = new TestAuthServer(c -> c, b -> b.passwordHashing(gate))) {
            UserAgent ua = new UserAgent();
            UserAgent.Page login = loginPage(s, ua);
            try (HashingGate.Permit busy = gate.enter()) {
                for (int i = 0; i < 30; i++) {
                    UserAgent.Page refused = signIn(s, ua, login, "alice", "x");
                    assertThat(refused.status()).isEqualTo(429);
                    assertThat(refused.header("retry-after")).isEqualTo("1");
                    assertThat(refused.byId("error")).isEqualTo("Too many sign-ins at once. Try again in a moment.");
                }
            }
            // thirty refusals, none counted against the address, the name or the request
            assertThat(signIn(s, ua, login, "alice", ALICE_PASSWORD).status()).isEqualTo(302);
        }
    }

    @Test
    void clientSecretGuessingIsRefusedWith429InvalidClientAfterElevenFailures() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer s = new TestAuthServer(c -> c, b -> b.clock(clock))) {
            Map<String, String> wrong = Map.of("grant_type", "client_credentials", "resource", s.resource);
            for (int i = 0; i < 11; i++) {
                assertTokenError(s.token(wrong, Map.of("Authorization", TestAuthServer.basic("service", "guess" + i))),
                        401, "invalid_client", "client authentication failed");
            }
            UserAgent.Page refused = s.token(wrong, Map.of("Authorization",
                    TestAuthServer.basic("service", SERVICE_SECRET)));

            assertTokenError(refused, 429, "invalid_client",
                    "client authentication failed too often for this client; retry after 30 s");
            assertThat(refused.header("retry-after")).isEqualTo("30");
            clock.advance(Duration.ofSeconds(30));
            assertThat(s.token(wrong, Map.of("Authorization", TestAuthServer.basic("service", SERVICE_SECRET)))
                    .status()).isEqualTo(200);
        }
    }

    @Test
    void guessesAtAClientsSecretFromOneNetworkDoNotLockTheClientOutFromItsOwn() throws Exception {
        try (TestAuthServer s = new TestAuthServer()) {
            Map<String, String> form = Map.of("grant_type", "client_credentials", "resource", s.resource);
            for (int i = 0; i < 12; i++) { // a stranger (or a resource server's neighbour) guesses from 127.0.0.2
                assertThat(postFrom("127.0.0.2", s, form, TestAuthServer.basic("service", "guess" + i)).statusCode())
                        .isIn(401, 429);
            }
            assertThat(postFrom("127.0.0.2", s, form, TestAuthServer.basic("service", SERVICE_SECRET)).statusCode())
                    .isEqualTo(429);
            // the client itself, from its own network, is not locked out by them
            assertThat(postFrom("127.0.0.1", s, form, TestAuthServer.basic("service", SERVICE_SECRET)).statusCode())
                    .isEqualTo(200);
        }
    }

    private static java.net.http.HttpResponse<String> postFrom(String address, TestAuthServer s,
                                                               Map<String, String> form, String authorization)
            throws Exception {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .localAddress(java.net.InetAddress.getByName(address)).build()) {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.issuer + "/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", authorization)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(UserAgent.form(form))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void secretGuessesSpreadOverClientsAreBudgetedPerAddress() throws Exception {
        try (TestAuthServer s = new TestAuthServer()) {
            for (int i = 0; i < 21; i++) {
                String id = i % 2 == 0 ? "service" : "gateway";
                assertTokenError(s.token(Map.of("grant_type", "client_credentials", "resource", s.resource,
                        "client_id", id, "client_secret", "guess" + i)), 401, "invalid_client",
                        "client authentication failed");
            }
            UserAgent.Page refused = s.token(Map.of("grant_type", "client_credentials", "resource", s.resource),
                    Map.of("Authorization", TestAuthServer.basic("gateway", GATEWAY_SECRET)));

            assertTokenError(refused, 429, "invalid_client",
                    "client authentication failed too often from this address; retry after 30 s");
            assertThat(refused.header("retry-after")).isEqualTo("30");
        }
    }

    @Test
    void whenEveryHashingSlotIsTakenTheTokenEndpointAnswers503WithRetryAfter() throws Exception {
        HashingGate gate = new HashingGate(1, Duration.ZERO);
        try (TestAuthServer s = new TestAuthServer(c -> c, b -> b.passwordHashing(gate))) {
            UserAgent.Page busy;
            try (HashingGate.Permit taken = gate.enter()) {
                busy = s.token(Map.of("grant_type", "client_credentials", "resource", s.resource),
                        Map.of("Authorization", TestAuthServer.basic("service", SERVICE_SECRET)));
            }
            assertTokenError(busy, 503, "temporarily_unavailable",
                    "too many client authentications at once; retry shortly");
            assertThat(busy.header("retry-after")).isEqualTo("1");
            // a public client checks no secret and is never held up by the gate
            try (HashingGate.Permit taken = gate.enter()) {
                assertTokenError(s.token(Map.of("grant_type", "authorization_code", "client_id", APP_A, "code", "x",
                        "code_verifier", Pkce.fresh().verifier())), 400, "invalid_grant",
                        "authorization code is invalid or expired");
            }
        }
    }
}
