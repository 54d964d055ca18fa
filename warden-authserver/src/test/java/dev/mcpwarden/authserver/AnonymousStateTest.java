package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.ALICE_PASSWORD;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.testkit.FakeClock;
import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * State anonymous callers make the server keep is bounded and expires: registrations and authorization requests
 * have quotas per address and for everyone, registrations nobody used are forgotten after an hour, used ones some
 * time after their last token, and a remembered consent after its lifetime.
 */
class AnonymousStateTest {

    static final String CLI = "{\"client_name\":\"CLI\",\"redirect_uris\":[\"https://cli.example/cb\"],"
            + "\"token_endpoint_auth_method\":\"none\"}";

    private static TestAuthServer server(FakeClock clock, AuthServerLimits limits) {
        return new TestAuthServer(c -> c, b -> b.clock(clock).limits(limits));
    }

    private static AuthServerLimits limits(int regPerAddress, int reg, int authPerAddress, int auth) {
        AuthServerLimits d = AuthServerLimits.defaults();
        return new AuthServerLimits(regPerAddress, reg, authPerAddress, auth, d.unusedClientTtl(),
                d.clientRetention(), d.consentTtl());
    }

    private static void assertTooMany(UserAgent.Page p, String description, String retryAfter) {
        assertThat(p.status()).as(p.body()).isEqualTo(429);
        assertThat(p.header("retry-after")).isEqualTo(retryAfter);
        JsonNode body = TestAuthServer.json(p);
        assertThat(body.get("error").asString()).isEqualTo("too_many_requests");
        assertThat(body.get("error_description").asString()).isEqualTo(description);
    }

    private static String register(TestAuthServer server) throws Exception {
        UserAgent.Page p = new UserAgent().postJson(server.issuer + "/register", CLI);
        assertThat(p.status()).as(p.body()).isEqualTo(201);
        return TestAuthServer.json(p).get("client_id").asString();
    }

    @Test
    void registrationsBeyondThePerAddressQuotaAnswer429WithRetryAfter() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer server = server(clock, limits(3, 1000, 60, 1200))) {
            for (int i = 0; i < 3; i++) {
                register(server);
            }
            assertTooMany(new UserAgent().postJson(server.issuer + "/register", CLI),
                    "Too many client registrations from this address; try again in 20 seconds", "20");
            clock.advance(Duration.ofSeconds(20));
            register(server);
        }
    }

    @Test
    void clientMetadataDocumentsNamedAtTheTokenEndpointAreFetchedOnlyWithinTheSignInQuota() throws Exception {
        FakeClock clock = new FakeClock();
        try (DocumentServer documents = DocumentServer.http();
             TestAuthServer server = new TestAuthServer(c -> c.withInsecureAllowLoopbackClientMetadata(true),
                     b -> b.clock(clock).limits(limits(10, 120, 2, 1200)))) {
            for (int i = 0; i < 2; i++) {
                UserAgent.Page p = new UserAgent().post(server.issuer + "/token", Map.of("grant_type",
                        "refresh_token", "refresh_token", "x", "client_id", documents.url("/client-" + i)));
                assertThat(p.status()).as(p.body()).isNotEqualTo(429);
            }
            UserAgent.Page p = new UserAgent().post(server.issuer + "/token", Map.of("grant_type", "refresh_token",
                    "refresh_token", "x", "client_id", documents.url("/client-2")));
            assertTooMany(p, "Too many sign-in requests from this address; try again in 30 seconds", "30");
            assertThat(documents.hits("/client-0") + documents.hits("/client-1")).isEqualTo(2);
            assertThat(documents.hits("/client-2")).as("refused before it is fetched").isZero();
        }
    }

    @Test
    void registrationsBeyondTheGlobalQuotaAnswer429() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer server = server(clock, limits(1000, 2, 60, 1200))) {
            register(server);
            register(server);
            assertTooMany(new UserAgent().postJson(server.issuer + "/register", CLI),
                    "Too many client registrations; try again in 30 seconds", "30");
        }
    }

    @Test
    void authorizationRequestsBeyondTheQuotaEndOnA429PageAndKeepNothing() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer server = server(clock, limits(10, 120, 2, 1200))) {
            for (int i = 0; i < 2; i++) {
                UserAgent.Page ok = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
                assertThat(ok.status()).isEqualTo(302);
            }
            UserAgent.Page p = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
            assertThat(p.status()).isEqualTo(429);
            assertThat(p.header("location")).isNull();
            assertThat(p.header("retry-after")).isEqualTo("30");
            assertThat(p.body()).contains("<strong>temporarily_unavailable</strong>");
            assertThat(p.byId("message")).isEqualTo(
                    "Too many sign-in requests from this address; try again in 30 seconds.");
        }
    }

    @Test
    void aRegistrationNobodyUsedIsForgottenAfterAnHour() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer server = server(clock, AuthServerLimits.defaults())) {
            String id = register(server);
            clock.advance(Duration.ofMinutes(59));
            assertThat(new UserAgent().get(server.authorizeUrl(id, "https://cli.example/cb", Pkce.fresh()))
                    .status()).isEqualTo(302);
            clock.advance(Duration.ofMinutes(1));
            UserAgent.Page gone = new UserAgent().get(server.authorizeUrl(id, "https://cli.example/cb",
                    Pkce.fresh()));
            assertThat(gone.status()).isEqualTo(400);
            assertThat(gone.byId("message")).isEqualTo("Unknown client_id.");
        }
    }

    @Test
    void aRegistrationThatGotATokenIsKeptUntilItsRetentionAfterTheLastToken() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer server = server(clock, AuthServerLimits.defaults())) {
            String id = register(server);
            Pkce pkce = Pkce.fresh();
            String code = server.code(id, "https://cli.example/cb", pkce);
            assertThat(server.redeem(id, "https://cli.example/cb", code, pkce).status()).isEqualTo(200);

            clock.advance(Duration.ofDays(89));
            assertThat(new UserAgent().get(server.authorizeUrl(id, "https://cli.example/cb", Pkce.fresh()))
                    .status()).as("used: kept").isEqualTo(302);
            clock.advance(Duration.ofDays(1));
            assertThat(new UserAgent().get(server.authorizeUrl(id, "https://cli.example/cb", Pkce.fresh()))
                    .byId("message")).isEqualTo("Unknown client_id.");
        }
    }

    /** Starts an authorization, signs alice in (her session lasts 8 hours) and returns where /login sends her. */
    private static String signIn(TestAuthServer server, UserAgent ua) throws Exception {
        UserAgent.Page start = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        assertThat(start.location()).startsWith(server.issuer + "/login?request=");
        UserAgent.Page page = ua.get(start.location());
        UserAgent.Page afterLogin = ua.post(server.issuer + "/login", Map.of("request", page.hidden("request"),
                "username", "alice", "password", ALICE_PASSWORD));
        assertThat(afterLogin.location()).startsWith(server.issuer + "/consent?request=");
        return afterLogin.location();
    }

    @Test
    void aRememberedConsentExpiresAndThePageIsShownAgain() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer server = server(clock, AuthServerLimits.defaults())) {
            UserAgent ua = new UserAgent();
            ua.authorize(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()), "alice", ALICE_PASSWORD);
            clock.advance(Duration.ofDays(29));
            UserAgent.Page remembered = ua.get(signIn(server, ua));
            assertThat(remembered.status()).as("within 30 days: no page").isEqualTo(302);
            assertThat(remembered.location()).startsWith(APP_A_REDIRECT + "?code=");

            clock.advance(Duration.ofDays(1));
            UserAgent.Page again = ua.get(signIn(server, ua));
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.byId("client-name")).isEqualTo("App A");
        }
    }
}
