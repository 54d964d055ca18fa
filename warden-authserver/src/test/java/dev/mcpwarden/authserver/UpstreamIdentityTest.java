package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upstream identities live in their own namespace: an upstream user named like a built-in user is not that user,
 * and claims a user can set at the provider count only once the provider verified them.
 */
class UpstreamIdentityTest {

    static FakeUpstreamProvider upstream;
    static TestAuthServer bySub;
    static TestAuthServer byEmail;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeUpstreamProvider();
        bySub = new TestAuthServer(c -> c.withUpstream(new UpstreamProvider(URI.create(upstream.issuer),
                FakeUpstreamProvider.CLIENT_ID, FakeUpstreamProvider.CLIENT_SECRET, "Upstream IdP",
                Set.of("openid", "email"), "sub", Set.of("email")), true));
        byEmail = new TestAuthServer(c -> c.withUpstream(new UpstreamProvider(URI.create(upstream.issuer),
                FakeUpstreamProvider.CLIENT_ID, FakeUpstreamProvider.CLIENT_SECRET, "Upstream IdP",
                Set.of("openid", "email"), "email", Set.of()), true));
    }

    @AfterAll
    static void stop() throws Exception {
        bySub.close();
        byEmail.close();
        upstream.close();
    }

    @BeforeEach
    void behave() {
        upstream.subject = FakeUpstreamProvider.SUBJECT;
        upstream.emailVerified = true;
    }

    /** Signs in upstream, approves, and returns the token response (or the page the flow ended on). */
    private static UserAgent.Page flow(TestAuthServer server) throws Exception {
        UserAgent ua = new UserAgent();
        Pkce pkce = Pkce.fresh();
        UserAgent.Page p = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, pkce));
        UserAgent.Page login = ua.get(p.location());
        UserAgent.Page toUpstream = ua.get(server.issuer + "/login/upstream?request=" + login.hidden("request"));
        UserAgent.Page back = ua.get(ua.get(toUpstream.location()).location());
        if (back.status() != 302) {
            return back;
        }
        UserAgent.Page consent = ua.get(back.location());
        UserAgent.Page done = consent.status() == 302 ? consent // remembered from an earlier test
                : ua.post(server.issuer + "/consent", Map.of("request", consent.hidden("request"),
                "csrf", consent.hidden("csrf"), "decision", "approve"));
        return server.redeem(APP_A, APP_A_REDIRECT, UserAgent.query(done.location()).get("code"), pkce);
    }

    private static String subjectOf(UserAgent.Page token) throws Exception {
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        return SignedJWT.parse(TestAuthServer.json(token).get("access_token").asString()).getJWTClaimsSet()
                .getSubject();
    }

    @Test
    void anUpstreamUserCalledAliceIsNotTheBuiltInAlice() throws Exception {
        upstream.subject = "alice";
        UserAgent.Page token = flow(bySub);

        assertThat(subjectOf(token)).isEqualTo(upstream.issuer + "#alice").isNotEqualTo("alice");
        var claims = SignedJWT.parse(TestAuthServer.json(token).get("access_token").asString()).getJWTClaimsSet();
        assertThat(claims.getClaim("tenant")).as("the built-in alice's claims").isNull();
    }

    @Test
    void anUnverifiedEmailIsNotCopiedIntoTheToken() throws Exception {
        upstream.emailVerified = false;
        var claims = SignedJWT.parse(TestAuthServer.json(flow(bySub)).get("access_token").asString())
                .getJWTClaimsSet();
        assertThat(claims.getClaim("email")).isNull();

        upstream.emailVerified = null;
        claims = SignedJWT.parse(TestAuthServer.json(flow(bySub)).get("access_token").asString()).getJWTClaimsSet();
        assertThat(claims.getClaim("email")).isNull();

        upstream.emailVerified = true;
        claims = SignedJWT.parse(TestAuthServer.json(flow(bySub)).get("access_token").asString()).getJWTClaimsSet();
        assertThat(claims.getStringClaim("email")).isEqualTo("user42@upstream.example");
    }

    @Test
    void aVerifiedEmailAsSubjectSignsInUnderTheProvidersNamespace() throws Exception {
        upstream.emailVerified = "true"; // as some providers send it
        assertThat(subjectOf(flow(byEmail))).isEqualTo(upstream.issuer + "#user42@upstream.example");
    }

    @Test
    void anUnverifiedEmailAsSubjectIsRefused() throws Exception {
        for (Object flag : new Object[] {false, null, "false", "yes"}) {
            upstream.emailVerified = flag;
            UserAgent.Page p = flow(byEmail);
            assertThat(p.status()).as("email_verified " + flag).isEqualTo(400);
            assertThat(p.byId("message")).isEqualTo("The identity provider has not verified your email.");
        }
    }

    @Test
    void startingUpstreamSignInsCountsAgainstTheAuthorizationQuota() throws Exception {
        AuthServerLimits d = AuthServerLimits.defaults();
        try (TestAuthServer server = new TestAuthServer(c -> c.withUpstream(UpstreamProvider.of(
                        java.net.URI.create(upstream.issuer), FakeUpstreamProvider.CLIENT_ID,
                        FakeUpstreamProvider.CLIENT_SECRET, "Upstream IdP"), true),
                b -> b.clock(new dev.mcpwarden.testkit.FakeClock()).limits(new AuthServerLimits(10, 120, 3, 1200,
                        d.unusedClientTtl(), d.clientRetention(), d.consentTtl())))) {
            UserAgent ua = new UserAgent();
            UserAgent.Page p = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
            String request = ua.get(p.location()).hidden("request");
            for (int i = 0; i < 2; i++) {
                assertThat(ua.get(server.issuer + "/login/upstream?request=" + request).status()).isEqualTo(302);
            }
            UserAgent.Page refused = ua.get(server.issuer + "/login/upstream?request=" + request);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("retry-after")).isEqualTo("20");
            assertThat(refused.byId("message")).isEqualTo(
                    "Too many sign-in requests from this address; try again in 20 seconds.");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"preferred_username", "name", "nickname", "upn", "username"})
    void aClaimUsersChooseThemselvesCannotBeTheSubject(String claim) {
        assertThatThrownBy(() -> new UpstreamProvider(URI.create("https://idp.example"), "id", "secret", null,
                Set.of("openid"), claim, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("upstream https://idp.example: subjectClaim '" + claim + "' is chosen by the user and "
                        + "can change or be reused; use sub (or a verified email)");
    }

    @Test
    void aBuiltInUsernameInTheUpstreamNamespaceIsRefused() {
        UpstreamProvider up = UpstreamProvider.of(URI.create("https://idp.example"), "id", "secret", "IdP");
        AuthServerConfig c = AuthServerConfig.defaults(URI.create("https://as.example"), Set.of("https://mcp.example/"));
        assertThatThrownBy(() -> c.withUsers(List.of(BuiltInUser.of("https://idp.example#42",
                TestAuthServer.ALICE_HASH))).withUpstream(up, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("user https://idp.example#42 would share the namespace of the upstream provider's users "
                        + "(https://idp.example#...)");
    }
}
