package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.ALICE_PASSWORD;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static dev.mcpwarden.authserver.TestAuthServer.APP_B;
import static dev.mcpwarden.authserver.TestAuthServer.APP_B_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Finding 13 of issue 15: an intercepted code cannot be used up by anyone but its client, loopback cookies are
 * named for their port, and the authorization server checks Host and Origin itself.
 */
class CodeAndOriginTest {

    static TestAuthServer server;
    static int port;

    @BeforeAll
    static void start() {
        server = new TestAuthServer();
        port = URI.create(server.issuer).getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertTokenError(UserAgent.Page p, int status, String error, String description) {
        assertThat(p.status()).as(p.body()).isEqualTo(status);
        JsonNode body = TestAuthServer.json(p);
        assertThat(body.get("error").asString()).isEqualTo(error);
        assertThat(body.get("error_description").asString()).isEqualTo(description);
    }

    @Test
    void anInterceptedCodePresentedWithoutItsClientOrVerifierIsNotUsedUp() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = server.code(APP_A, APP_A_REDIRECT, pkce);

        assertTokenError(server.redeem(APP_B, APP_B_REDIRECT, code, pkce), 400, "invalid_grant",
                "authorization code was issued to another client");
        assertTokenError(server.redeem(APP_A, APP_A_REDIRECT, code, Pkce.fresh()), 400, "invalid_grant",
                "code_verifier does not match the code_challenge");
        assertTokenError(server.token(Map.of("grant_type", "authorization_code", "client_id", APP_A,
                        "redirect_uri", APP_A_REDIRECT, "code", code)), 400, "invalid_grant",
                "code_verifier is required (PKCE)");
        assertTokenError(server.redeem(APP_A, "https://app-a.example/other", code, pkce), 400, "invalid_grant",
                "redirect_uri does not match the authorization request");
        assertTokenError(server.token(Map.of("grant_type", "authorization_code", "client_id", APP_A,
                        "redirect_uri", APP_A_REDIRECT, "code", code, "code_verifier", pkce.verifier(),
                        "resource", server.otherResource)), 400, "invalid_target",
                "resource does not match the authorization request");

        UserAgent.Page real = server.redeem(APP_A, APP_A_REDIRECT, code, pkce);
        assertThat(real.status()).as(real.body()).isEqualTo(200);
        String refresh = TestAuthServer.json(real).get("refresh_token").asString();

        // a later replay without the verifier revokes nothing of the real client's
        assertTokenError(server.redeem(APP_A, APP_A_REDIRECT, code, Pkce.fresh()), 400, "invalid_grant",
                "code_verifier does not match the code_challenge");
        UserAgent.Page renewed = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", refresh));
        assertThat(renewed.status()).as(renewed.body()).isEqualTo(200);
        // the real client's own replay is the one RFC 6749 §4.1.2 means: its tokens are revoked
        assertTokenError(server.redeem(APP_A, APP_A_REDIRECT, code, pkce), 400, "invalid_grant",
                "authorization code was already used; the tokens issued for it are revoked");
    }

    @Test
    void loopbackCookiesAreNamedForTheIssuersPort() throws Exception {
        UserAgent ua = new UserAgent();
        UserAgent.Page p = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        assertThat(p.header("set-cookie")).startsWith("warden-loopback-" + port + "-browser=");
        UserAgent.Page login = ua.get(p.location());
        UserAgent.Page signedIn = ua.post(server.issuer + "/login", Map.of("request", login.hidden("request"),
                "username", "alice", "password", ALICE_PASSWORD));
        assertThat(signedIn.header("set-cookie")).startsWith("warden-loopback-" + port + "-session=");
    }

    @Test
    void aRequestNamingAnotherHostIsRefusedWith403OnEveryPath() throws Exception {
        for (String host : new String[] {"evil.example:" + port, "evil.example", "127.0.0.1:" + (port + 1),
                "127.0.0.1.nip.io:" + port}) {
            String page = RawHttp.exchange(port, "GET /authorize?client_id=" + APP_A + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(page).as(host).startsWith("HTTP/1.1 403 ").contains("<strong>access_denied</strong>")
                    .contains("The Host header does not name this authorization server.");
            String api = RawHttp.exchange(port, "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: "
                    + host + "\r\nConnection: close\r\n\r\n");
            assertThat(api).as(host).startsWith("HTTP/1.1 403 ").endsWith("{\"error\":\"invalid_request\","
                    + "\"error_description\":\"The Host header does not name this authorization server.\"}");
        }
        // a loopback issuer answers to the other loopback names on its port, which no rebinding can send
        for (String host : new String[] {"localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port}) {
            assertThat(RawHttp.exchange(port, "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: "
                    + host + "\r\nConnection: close\r\n\r\n")).as(host).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aSignInOrConsentFormPostedFromAnotherOriginIsRefusedWith403() throws Exception {
        UserAgent ua = new UserAgent();
        UserAgent.Page login = ua.get(ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh())).location());
        Map<String, String> form = Map.of("request", login.hidden("request"), "username", "alice", "password",
                ALICE_PASSWORD);
        String otherPort = "http://127.0.0.1:" + (port + 1);
        for (Map<String, String> headers : java.util.List.of(Map.of("Origin", otherPort),
                Map.of("Origin", "http://localhost:" + (port + 1)), Map.of("Origin", "https://127.0.0.1:" + port))) {
            for (String path : new String[] {"/login", "/consent"}) {
                UserAgent.Page p = ua.post(server.issuer + path, form, headers);
                assertThat(p.status()).as(path + " " + headers).isEqualTo(403);
                assertThat(p.byId("message")).isEqualTo("The form was not sent from a page of this "
                        + "authorization server (Origin " + headers.get("Origin") + ").");
            }
        }
        UserAgent.Page crossSite = ua.post(server.issuer + "/login", form, Map.of("Origin", "null",
                "Sec-Fetch-Site", "same-site"));
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.byId("message")).isEqualTo("The form was not sent from a page of this "
                + "authorization server (Sec-Fetch-Site same-site).");

        // what browsers send for our own pages: the issuer's origin, or null (Referrer-Policy: no-referrer) with
        // Sec-Fetch-Site same-origin
        assertThat(ua.post(server.issuer + "/login", form, Map.of("Origin", "null", "Sec-Fetch-Site",
                "same-origin")).status()).isEqualTo(302);
        UserAgent.Page again = ua.get(ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("prompt", "login"))).location());
        assertThat(ua.post(server.issuer + "/login", Map.of("request", again.hidden("request"), "username", "alice",
                "password", ALICE_PASSWORD), Map.of("Origin", server.issuer)).status()).isEqualTo(302);
    }
}
