package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import static dev.mcpwarden.authserver.TestAuthServer.ALICE_PASSWORD;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The happy path of the authorization code flow, one step at a time. */
class AuthorizationCodeFlowTest {

    static TestAuthServer server;

    @BeforeAll
    static void start() {
        server = new TestAuthServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** {@code warden-loopback-<port>-<kind>=}: plain-http loopback cookies are named for the issuer's port. */
    private static String loopbackCookie(String kind) {
        return "warden-loopback-" + java.net.URI.create(server.issuer).getPort() + "-" + kind + "=";
    }

    @Test
    void anUnsignedInBrowserIsSentToTheLoginPageWhichNamesTheClient() throws Exception {
        UserAgent ua = new UserAgent();
        UserAgent.Page p = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));

        assertThat(p.status()).isEqualTo(302);
        assertThat(p.location()).startsWith(server.issuer + "/login?request=");
        assertThat(p.header("set-cookie")).startsWith(loopbackCookie("browser"))
                .contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure");

        UserAgent.Page login = ua.get(p.location());
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.header("content-type")).isEqualTo("text/html;charset=utf-8");
        assertThat(login.header("content-security-policy")).contains("default-src 'none'")
                .contains("frame-ancestors 'none'").contains("form-action 'self'");
        assertThat(login.header("cache-control")).isEqualTo("no-store");
        assertThat(login.byId("client-name")).isEqualTo("App A");
        // the page names the server the user signs in at, and what the client asks to reach
        assertThat(login.byId("issuer")).isEqualTo(server.issuer.replace("http://", ""));
        assertThat(login.byId("login-resource")).isEqualTo(server.resource.replace("http://", ""));
        assertThat(login.body()).doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
    }

    @Test
    void afterSignInTheConsentPageNamesClientRedirectHostScopesAndResource() throws Exception {
        UserAgent ua = new UserAgent();
        UserAgent.Page p = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        UserAgent.Page login = ua.get(p.location());
        UserAgent.Page afterLogin = ua.post(server.issuer + "/login", Map.of("request", login.hidden("request"),
                "username", "alice", "password", ALICE_PASSWORD));

        assertThat(afterLogin.status()).isEqualTo(302);
        assertThat(afterLogin.location()).startsWith(server.issuer + "/consent?request=");
        assertThat(afterLogin.header("set-cookie")).startsWith(loopbackCookie("session")).contains("HttpOnly")
                .contains("SameSite=Lax");

        UserAgent.Page consent = ua.get(afterLogin.location());
        assertThat(consent.status()).isEqualTo(200);
        assertThat(consent.byId("client-name")).isEqualTo("App A");
        assertThat(consent.byId("redirect-host")).isEqualTo("app-a.example");
        assertThat(consent.byId("resource")).isEqualTo(server.resource);
        assertThat(consent.byId("subject")).isEqualTo("alice");
        assertThat(consent.body()).contains("<li><code>tickets:read</code></li>").doesNotContain("id=\"unverified\"");
        assertThat(consent.header("content-security-policy"))
                .contains("form-action 'self' https://app-a.example;").contains("frame-ancestors 'none'");
        assertThat(consent.hidden("csrf")).hasSize(43);
    }

    @Test
    void approvingIssuesACodeWithStateAndIssuerAndTheCodeBuysAnRfc9068AccessToken() throws Exception {
        Pkce pkce = Pkce.fresh();
        String back = new UserAgent().authorize(server.authorizeUrl(APP_A, APP_A_REDIRECT, pkce), "alice",
                ALICE_PASSWORD);
        Map<String, String> q = UserAgent.query(back);
        assertThat(back).startsWith(APP_A_REDIRECT + "?");
        assertThat(q).containsEntry("state", "st-123").containsEntry("iss", server.issuer).containsKey("code");

        UserAgent.Page r = server.redeem(APP_A, APP_A_REDIRECT, q.get("code"), pkce);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("cache-control")).isEqualTo("no-store");
        assertThat(r.header("content-type")).startsWith("application/json");
        JsonNode body = TestAuthServer.json(r);
        assertThat(body.get("token_type").asString()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(300);
        assertThat(body.get("scope").asString()).isEqualTo("tickets:read");
        assertThat(body.get("refresh_token").asString()).hasSize(43);

        SignedJWT jwt = SignedJWT.parse(body.get("access_token").asString());
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
        var c = jwt.getJWTClaimsSet();
        assertThat(c.getIssuer()).isEqualTo(server.issuer);
        assertThat(c.getSubject()).isEqualTo("alice");
        assertThat(c.getAudience()).isEqualTo(List.of(server.resource));
        assertThat(c.getStringClaim("client_id")).isEqualTo(APP_A);
        assertThat(c.getStringClaim("scope")).isEqualTo("tickets:read");
        assertThat(c.getStringClaim("tenant")).isEqualTo("acme");
        assertThat(c.getStringListClaim("roles")).isEqualTo(List.of("agent"));
        assertThat(c.getJWTID()).isNotBlank();
        assertThat(c.getExpirationTime().getTime() - c.getIssueTime().getTime()).isEqualTo(300_000);
    }

    @Test
    void aRememberedConsentSkipsThePageForTheSameClientScopesAndResource() throws Exception {
        UserAgent ua = new UserAgent();
        ua.authorize(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()), "alice", ALICE_PASSWORD);

        UserAgent.Page again = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        assertThat(again.status()).isEqualTo(302);
        assertThat(again.location()).startsWith(APP_A_REDIRECT + "?code=");

        UserAgent.Page moreScopes = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("scope", "tickets:read tickets:write")));
        assertThat(moreScopes.location()).startsWith(server.issuer + "/consent?request=");
    }

    @Test
    void refreshTokensRotateOnEveryUse() throws Exception {
        JsonNode first = server.tokensForAppA();
        UserAgent.Page r = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", first.get("refresh_token").asString()));
        assertThat(r.status()).isEqualTo(200);
        JsonNode second = TestAuthServer.json(r);
        assertThat(second.get("refresh_token").asString()).isNotEqualTo(first.get("refresh_token").asString());
        assertThat(second.get("access_token").asString()).isNotEqualTo(first.get("access_token").asString());

        UserAgent.Page third = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", second.get("refresh_token").asString(), "scope", "tickets:read"));
        assertThat(third.status()).isEqualTo(200);
    }

    @Test
    void theMetadataDocumentAdvertisesS256IssAndMetadataDocuments() throws Exception {
        for (String path : List.of("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")) {
            UserAgent.Page p = new UserAgent().get(server.issuer + path);
            assertThat(p.status()).isEqualTo(200);
            assertThat(p.header("content-type")).startsWith("application/json");
            JsonNode m = TestAuthServer.json(p);
            assertThat(m.get("issuer").asString()).isEqualTo(server.issuer);
            assertThat(m.get("authorization_endpoint").asString()).isEqualTo(server.issuer + "/authorize");
            assertThat(m.get("token_endpoint").asString()).isEqualTo(server.issuer + "/token");
            assertThat(m.get("registration_endpoint").asString()).isEqualTo(server.issuer + "/register");
            assertThat(m.get("revocation_endpoint").asString()).isEqualTo(server.issuer + "/revoke");
            assertThat(m.get("jwks_uri").asString()).isEqualTo(server.issuer + "/jwks");
            assertThat(m.get("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
            assertThat(m.get("response_types_supported").toString()).isEqualTo("[\"code\"]");
            assertThat(m.get("authorization_response_iss_parameter_supported").asBoolean()).isTrue();
            assertThat(m.get("client_id_metadata_document_supported").asBoolean()).isTrue();
            assertThat(m.get("scopes_supported").toString()).isEqualTo("[\"tickets:read\",\"tickets:write\"]");
        }
    }
}
