package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sign-in at an upstream OpenID provider (the OAuth-proxy shape) against a fake provider: code flow with PKCE,
 * state and nonce, ID token validation, and the upstream's tokens never reaching the MCP client.
 */
class UpstreamLoginTest {

    static FakeUpstreamProvider upstream;
    static TestAuthServer server;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeUpstreamProvider();
        server = new TestAuthServer(c -> c.withUpstream(new UpstreamProvider(URI.create(upstream.issuer),
                FakeUpstreamProvider.CLIENT_ID, FakeUpstreamProvider.CLIENT_SECRET, "Upstream IdP",
                Set.of("openid", "email"), "sub", Set.of("email")), true));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        upstream.close();
    }

    @BeforeEach
    void behave() {
        upstream.wrongNonce = false;
        upstream.wrongAudience = false;
        upstream.subject = FakeUpstreamProvider.SUBJECT;
        upstream.emailVerified = true;
    }

    /** Follows the flow through the upstream provider; returns the page the authorization server ends on. */
    private static UserAgent.Page signInUpstream(UserAgent ua, Pkce pkce) throws Exception {
        UserAgent.Page p = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, pkce));
        UserAgent.Page login = ua.get(p.location());
        assertThat(login.byId("upstream")).isEqualTo("Sign in with Upstream IdP");
        UserAgent.Page toUpstream = ua.get(server.issuer + "/login/upstream?request=" + login.hidden("request"));
        assertThat(toUpstream.status()).isEqualTo(302);
        assertThat(toUpstream.location()).startsWith(upstream.issuer + "/authorize?");
        UserAgent.Page back = ua.get(toUpstream.location());
        return ua.get(back.location());
    }

    @Test
    void aUserSignedInUpstreamConsentsAndGetsAWardenTokenWithoutTheUpstreamTokens() throws Exception {
        UserAgent ua = new UserAgent();
        Pkce pkce = Pkce.fresh();
        UserAgent.Page afterCallback = signInUpstream(ua, pkce);

        Map<String, String> sent = upstream.lastAuthorizationRequest;
        assertThat(sent).containsEntry("client_id", FakeUpstreamProvider.CLIENT_ID)
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("redirect_uri", server.issuer + "/login/callback")
                .containsEntry("scope", "openid email").containsKeys("state", "nonce", "code_challenge");

        assertThat(afterCallback.status()).isEqualTo(302);
        assertThat(afterCallback.location()).startsWith(server.issuer + "/consent?request=");
        UserAgent.Page consent = ua.get(afterCallback.location());
        assertThat(consent.byId("subject")).isEqualTo(upstream.issuer + "#" + FakeUpstreamProvider.SUBJECT);
        UserAgent.Page done = ua.post(server.issuer + "/consent", Map.of("request", consent.hidden("request"),
                "csrf", consent.hidden("csrf"), "decision", "approve"));
        String code = UserAgent.query(done.location()).get("code");

        UserAgent.Page token = server.redeem(APP_A, APP_A_REDIRECT, code, pkce);
        assertThat(token.status()).isEqualTo(200);
        assertThat(token.body()).doesNotContain(FakeUpstreamProvider.UPSTREAM_ACCESS_TOKEN)
                .doesNotContain("UPSTREAM-REFRESH").doesNotContain("id_token");
        var claims = SignedJWT.parse(TestAuthServer.json(token).get("access_token").asString()).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo(upstream.issuer + "#" + FakeUpstreamProvider.SUBJECT);
        assertThat(claims.getIssuer()).isEqualTo(server.issuer);
        assertThat(claims.getStringClaim("email")).isEqualTo("user42@upstream.example");
    }

    @Test
    void anIdTokenWithAnotherNonceIsRefused() throws Exception {
        upstream.wrongNonce = true;
        UserAgent.Page p = signInUpstream(new UserAgent(), Pkce.fresh());
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.byId("message")).isEqualTo("The identity provider&#39;s ID token was not valid.");
    }

    @Test
    void anIdTokenForAnotherAudienceIsRefused() throws Exception {
        upstream.wrongAudience = true;
        UserAgent.Page p = signInUpstream(new UserAgent(), Pkce.fresh());
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.byId("message")).isEqualTo("The identity provider&#39;s ID token was not valid.");
    }

    @Test
    void aCallbackWithAnUnknownStateIsRefused() throws Exception {
        UserAgent.Page p = new UserAgent().get(server.issuer + "/login/callback?code=x&state=forged");
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.byId("message")).isEqualTo(
                "The sign-in has expired or was not started here. Return to the application and start again.");
    }

    @Test
    void aCallbackDeliveredToAnotherBrowserIsRefused() throws Exception {
        UserAgent victim = new UserAgent();
        UserAgent.Page p = victim.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        UserAgent.Page login = victim.get(p.location());
        UserAgent.Page toUpstream = victim.get(server.issuer + "/login/upstream?request=" + login.hidden("request"));
        UserAgent.Page back = victim.get(toUpstream.location());

        UserAgent.Page stolen = new UserAgent().get(back.location()); // another browser replays the callback
        assertThat(stolen.status()).isEqualTo(400);
        assertThat(stolen.byId("message")).isEqualTo("The sign-in was started in another browser.");
    }
}
