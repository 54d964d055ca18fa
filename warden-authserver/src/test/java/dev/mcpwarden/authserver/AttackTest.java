package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import static dev.mcpwarden.authserver.TestAuthServer.ALICE_PASSWORD;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static dev.mcpwarden.authserver.TestAuthServer.APP_B;
import static dev.mcpwarden.authserver.TestAuthServer.APP_B_REDIRECT;
import static dev.mcpwarden.authserver.TestAuthServer.BOB_PASSWORD;
import static dev.mcpwarden.authserver.TestAuthServer.NATIVE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.guard.HostResolver;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** One test per attack on the authorization server, each asserting the exact status, error code and message. */
class AttackTest {

    static TestAuthServer server;
    static DocumentServer documents;

    @BeforeAll
    static void start() throws Exception {
        documents = DocumentServer.http();
        // "evil.example" resolves to a private address, as a DNS-rebinding attacker would arrange
        HostResolver resolver = host -> host.equals("evil.example")
                ? List.of(InetAddress.getByName("10.1.2.3")) : HostResolver.system().resolve(host);
        server = new TestAuthServer(c -> c.withInsecureAllowLoopbackClientMetadata(true),
                b -> b.hostResolver(resolver));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        documents.close();
    }

    private static void assertErrorPage(UserAgent.Page p, int status, String error, String message) {
        assertThat(p.status()).as(p.body()).isEqualTo(status);
        assertThat(p.header("location")).isNull();
        assertThat(p.header("content-type")).isEqualTo("text/html;charset=utf-8");
        assertThat(p.body()).contains("<strong>" + error + "</strong>");
        assertThat(p.byId("message")).isEqualTo(message);
    }

    private static Map<String, String> redirectedError(UserAgent.Page p, String redirect) {
        assertThat(p.status()).as(p.body()).isEqualTo(302);
        assertThat(p.location()).startsWith(redirect + "?");
        Map<String, String> q = UserAgent.query(p.location());
        assertThat(q).containsEntry("state", "st-123").containsEntry("iss", server.issuer).doesNotContainKey("code");
        return q;
    }

    private static void assertTokenError(UserAgent.Page p, int status, String error, String description) {
        assertThat(p.status()).as(p.body()).isEqualTo(status);
        assertThat(p.header("cache-control")).isEqualTo("no-store");
        JsonNode body = TestAuthServer.json(p);
        assertThat(body.get("error").asString()).isEqualTo(error);
        assertThat(body.get("error_description").asString()).isEqualTo(description);
    }

    // ------------------------------------------------------------------ PKCE

    @Test
    void anAuthorizationRequestWithoutPkceIsRefused() throws Exception {
        Map<String, String> override = new HashMap<>();
        override.put("code_challenge", null);
        override.put("code_challenge_method", null);
        UserAgent.Page p = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(), override));

        assertThat(redirectedError(p, APP_A_REDIRECT)).containsEntry("error", "invalid_request")
                .containsEntry("error_description", "code_challenge is required (PKCE with S256)");
    }

    @Test
    void thePlainPkceMethodIsRefused() throws Exception {
        Pkce pkce = Pkce.fresh();
        UserAgent.Page p = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, pkce,
                Map.of("code_challenge", pkce.verifier(), "code_challenge_method", "plain")));

        assertThat(redirectedError(p, APP_A_REDIRECT)).containsEntry("error", "invalid_request")
                .containsEntry("error_description", "code_challenge_method must be S256 (plain is not allowed)");
    }

    @Test
    void aChallengeWithoutMethodIsNotTakenAsPlain() throws Exception {
        Map<String, String> override = new HashMap<>();
        override.put("code_challenge_method", null);
        UserAgent.Page p = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(), override));

        assertThat(redirectedError(p, APP_A_REDIRECT)).containsEntry("error", "invalid_request")
                .containsEntry("error_description", "code_challenge_method is required and must be S256");
    }

    @Test
    void aCodeIsNotRedeemedWithoutTheVerifierOrWithAWrongOne() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = server.code(APP_A, APP_A_REDIRECT, pkce);
        assertTokenError(server.token(Map.of("grant_type", "authorization_code", "client_id", APP_A,
                        "redirect_uri", APP_A_REDIRECT, "code", code, "resource", server.resource)),
                400, "invalid_grant", "code_verifier is required (PKCE)");

        String code2 = server.code(APP_A, APP_A_REDIRECT, pkce);
        assertTokenError(server.redeem(APP_A, APP_A_REDIRECT, code2, Pkce.fresh()),
                400, "invalid_grant", "code_verifier does not match the code_challenge");
    }

    // ------------------------------------------------------------------ redirect URIs

    @ParameterizedTest
    @ValueSource(strings = {
            "https://app-a.example/callbac",               // prefix
            "https://app-a.example/callback.evil.example",  // suffix
            "https://app-a.example/callback/extra",        // extra path
            "https://app-a.example/callback/../evil",      // dot segments
            "https://app-a.example/callback#frag",         // fragment
            "https://app-a.example/%63allback",            // encoded character
            "https://app-a.example/callback%2F..%2Fevil",  // encoded slash
            "https://app-a.example:8443/callback",         // other port outside loopback
            "https://app-a.example/callback?x=1",          // extra query
            "https://APP-A.example/callback",              // other case
            "http://app-a.example/callback",               // downgraded scheme
            "https://app-a.example.evil.example/callback", // other host
            "https://evil.example@app-a.example/callback", // user info
    })
    void aRedirectUriThatIsNotExactlyRegisteredEndsOnAnErrorPage(String redirect) throws Exception {
        UserAgent.Page p = new UserAgent().get(server.authorizeUrl(APP_A, redirect, Pkce.fresh()));

        assertErrorPage(p, 400, "invalid_request", "The redirect_uri is not registered for this client.");
    }

    @Test
    void aNativeClientMayUseAnyLoopbackPortButNotAnotherHostOrPath() throws Exception {
        UserAgent.Page ok = new UserAgent().get(server.authorizeUrl(NATIVE, "http://127.0.0.1:51234/callback",
                Pkce.fresh()));
        assertThat(ok.status()).isEqualTo(302);
        assertThat(ok.location()).startsWith(server.issuer + "/login?request=");

        for (String bad : List.of("http://localhost:51234/callback", "http://127.0.0.1:51234/callback/x",
                "http://127.0.0.1:51234/Callback", "https://127.0.0.1:51234/callback",
                "http://127.0.0.2:51234/callback", "http://[::1]:51234/callback")) {
            assertErrorPage(new UserAgent().get(server.authorizeUrl(NATIVE, bad, Pkce.fresh())), 400,
                    "invalid_request", "The redirect_uri is not registered for this client.");
        }
    }

    @Test
    void theTokenRequestMustRepeatTheExactRedirectUri() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = server.code(APP_A, APP_A_REDIRECT, pkce);
        assertTokenError(server.redeem(APP_A, APP_A_REDIRECT + "/x", code, pkce), 400, "invalid_grant",
                "redirect_uri does not match the authorization request");
    }

    // ------------------------------------------------------------------ codes and refresh tokens

    @Test
    void aReplayedCodeIsRefusedAndRevokesTheTokensItIssued() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = server.code(APP_A, APP_A_REDIRECT, pkce);
        UserAgent.Page first = server.redeem(APP_A, APP_A_REDIRECT, code, pkce);
        assertThat(first.status()).isEqualTo(200);
        JsonNode tokens = TestAuthServer.json(first);

        assertTokenError(server.redeem(APP_A, APP_A_REDIRECT, code, pkce), 400, "invalid_grant",
                "authorization code was already used; the tokens issued for it are revoked");

        assertTokenError(server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                        "refresh_token", tokens.get("refresh_token").asString())), 400, "invalid_grant",
                "refresh token is invalid, expired or revoked");
        // the access token is revoked too: it can no longer be exchanged
        assertTokenError(server.token(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token", tokens.get("access_token").asString(),
                        "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "resource", server.otherResource),
                        Map.of("Authorization", TestAuthServer.basic("gateway", TestAuthServer.GATEWAY_SECRET))),
                400, "invalid_grant", "subject_token is invalid, expired or revoked");
    }

    @Test
    void aCodeIssuedToOneClientCannotBeRedeemedByAnother() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = server.code(APP_A, APP_A_REDIRECT, pkce);
        assertTokenError(server.redeem(APP_B, APP_A_REDIRECT, code, pkce), 400, "invalid_grant",
                "authorization code was issued to another client");
    }

    @Test
    void aReusedRefreshTokenRevokesTheWholeFamily() throws Exception {
        JsonNode first = server.tokensForAppA();
        String rt1 = first.get("refresh_token").asString();
        UserAgent.Page second = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", rt1));
        assertThat(second.status()).isEqualTo(200);
        String rt2 = TestAuthServer.json(second).get("refresh_token").asString();

        assertTokenError(server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", rt1)), 400, "invalid_grant",
                "refresh token was already used; the whole token family is revoked");
        assertTokenError(server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", rt2)), 400, "invalid_grant", "refresh token is invalid, expired or revoked");
    }

    @Test
    void aRefreshTokenOfOneClientIsUselessToAnother() throws Exception {
        JsonNode first = server.tokensForAppA();
        assertTokenError(server.token(Map.of("grant_type", "refresh_token", "client_id", APP_B,
                        "refresh_token", first.get("refresh_token").asString())), 400, "invalid_grant",
                "refresh token was issued to another client");
    }

    // ------------------------------------------------------------------ resources

    @Test
    void aTokenRequestForAResourceTheClientNeverAskedForIsRefused() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = server.code(APP_A, APP_A_REDIRECT, pkce);
        assertTokenError(server.token(Map.of("grant_type", "authorization_code", "client_id", APP_A,
                        "redirect_uri", APP_A_REDIRECT, "code", code, "code_verifier", pkce.verifier(),
                        "resource", server.otherResource)), 400, "invalid_target",
                "resource does not match the authorization request");

        JsonNode tokens = server.tokensForAppA();
        assertTokenError(server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                        "refresh_token", tokens.get("refresh_token").asString(), "resource", server.otherResource)),
                400, "invalid_target", "resource does not match the original grant");
    }

    @Test
    void anAuthorizationRequestWithoutOrWithAnUnknownResourceIsRefused() throws Exception {
        Map<String, String> none = new HashMap<>();
        none.put("resource", null);
        assertThat(redirectedError(new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(), none)),
                APP_A_REDIRECT)).containsEntry("error", "invalid_target")
                .containsEntry("error_description", "resource is required (RFC 8707)");
        assertThat(redirectedError(new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("resource", "https://attacker.example/mcp"))), APP_A_REDIRECT))
                .containsEntry("error", "invalid_target")
                .containsEntry("error_description", "resource is not served by this authorization server");
    }

    // ------------------------------------------------------------------ client metadata documents

    @Test
    void aMetadataDocumentOnAPrivateAddressIsNeverFetchedAndTheAnswerDoesNotSayHowTheNameResolves()
            throws Exception {
        // a private literal, a cloud metadata address, a name resolving privately, a name that does not resolve,
        // and a public server that answers 404: the anonymous caller cannot tell which (the log can)
        for (String id : List.of("https://10.0.0.1/client.json", "https://169.254.169.254/latest/meta-data/x",
                "https://evil.example/client.json", "https://EVIL.example./client.json",
                "https://no-such-host.invalid/client.json", documents.url("/absent.json"))) {
            assertErrorPage(new UserAgent().get(server.authorizeUrl(id, "https://a.example/cb", Pkce.fresh())),
                    400, "invalid_client", "Client metadata document could not be fetched.");
            assertTokenError(new UserAgent().post(server.issuer + "/token", Map.of("grant_type",
                            "authorization_code", "client_id", id, "code", "x", "code_verifier", Pkce.fresh()
                            .verifier())), 401, "invalid_client",
                    "client authentication failed: client metadata document could not be fetched");
        }
    }

    @Test
    void aMetadataDocumentOnLoopbackIsRefusedUnlessTheDevelopmentFlagIsOn() throws Exception {
        documents.put("/strict.json", DocumentServer.cimd(documents.url("/strict.json"), "Strict",
                "http://127.0.0.1/cb"));
        try (TestAuthServer strict = new TestAuthServer()) {
            assertErrorPage(new UserAgent().get(strict.authorizeUrl(documents.url("/strict.json"),
                            "http://127.0.0.1:4000/cb", Pkce.fresh())), 400, "invalid_client",
                    "Client_id URL must use https.");
        }
        assertThat(documents.hits("/strict.json")).isZero();
    }

    @Test
    void aMetadataDocumentNamingAnotherClientIdIsRefused() throws Exception {
        documents.put("/impostor.json", DocumentServer.cimd("https://trusted.example/client.json", "Trusted",
                "http://127.0.0.1/cb"));
        assertErrorPage(new UserAgent().get(server.authorizeUrl(documents.url("/impostor.json"),
                        "http://127.0.0.1:4000/cb", Pkce.fresh())), 400, "invalid_client",
                "Client metadata document names a different client_id than its URL.");
    }

    @Test
    void aMetadataDocumentClientIsShownAsUnverifiedWithItsRedirectHost() throws Exception {
        String id = documents.url("/good.json");
        documents.put("/good.json", DocumentServer.cimd(id, "Good <b>Client</b>", "http://127.0.0.1/cb"));
        UserAgent ua = new UserAgent();
        UserAgent.Page p = ua.get(server.authorizeUrl(id, "http://127.0.0.1:4000/cb", Pkce.fresh()));
        UserAgent.Page login = ua.get(p.location());
        UserAgent.Page consent = ua.get(ua.post(server.issuer + "/login", Map.of("request", login.hidden("request"),
                "username", "alice", "password", ALICE_PASSWORD)).location());

        assertThat(consent.byId("client-name")).isEqualTo("Good &lt;b&gt;Client&lt;/b&gt;");
        assertThat(consent.byId("unverified")).isEqualTo("unverified");
        assertThat(consent.byId("redirect-host")).isEqualTo("127.0.0.1");
        assertThat(consent.body()).contains("id=\"loopback-warning\"").doesNotContain("<b>Client</b>");
    }

    // ------------------------------------------------------------------ consent

    @Test
    void aConsentFormWithoutTheSessionsCsrfTokenIsRefused() throws Exception {
        UserAgent victim = new UserAgent();
        // a scope set nobody approved before in this class, so the page is shown
        UserAgent.Page p = victim.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("scope", "tickets:write")));
        UserAgent.Page login = victim.get(p.location());
        UserAgent.Page consent = victim.get(victim.post(server.issuer + "/login", Map.of("request",
                login.hidden("request"), "username", "alice", "password", ALICE_PASSWORD)).location());
        String request = consent.hidden("request");
        assertThat(consent.status()).isEqualTo(200);

        assertErrorPage(victim.post(server.issuer + "/consent", Map.of("request", request, "decision", "approve")),
                403, "access_denied", "The consent form was not sent from this sign-in session (CSRF check failed).");

        // the attacker's own valid CSRF token does not work in the victim's session
        UserAgent attacker = new UserAgent();
        UserAgent.Page ap = attacker.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        UserAgent.Page al = attacker.get(ap.location());
        UserAgent.Page ac = attacker.get(attacker.post(server.issuer + "/login", Map.of("request",
                al.hidden("request"), "username", "bob", "password", BOB_PASSWORD)).location());
        assertErrorPage(victim.post(server.issuer + "/consent", Map.of("request", request, "csrf",
                        ac.hidden("csrf"), "decision", "approve")), 403, "access_denied",
                "The consent form was not sent from this sign-in session (CSRF check failed).");

        // a cross-site form post carries no cookies (SameSite=Lax): no session at all
        assertErrorPage(new UserAgent().post(server.issuer + "/consent", Map.of("request", request, "csrf",
                consent.hidden("csrf"), "decision", "approve")), 403, "access_denied", "You are not signed in.");

        // and the victim's real form still works afterwards
        UserAgent.Page ok = victim.post(server.issuer + "/consent", Map.of("request", request, "csrf",
                consent.hidden("csrf"), "decision", "approve"));
        assertThat(ok.status()).isEqualTo(302);
        assertThat(ok.location()).startsWith(APP_A_REDIRECT + "?code=");
    }

    @Test
    void consentGivenToClientAIsNotReusedForClientB() throws Exception {
        UserAgent ua = new UserAgent();
        ua.authorize(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()), "alice", ALICE_PASSWORD);

        UserAgent.Page b = ua.get(server.authorizeUrl(APP_B, APP_B_REDIRECT, Pkce.fresh()));
        assertThat(b.status()).isEqualTo(302);
        assertThat(b.location()).startsWith(server.issuer + "/consent?request=");
        UserAgent.Page consent = ua.get(b.location());
        assertThat(consent.status()).isEqualTo(200);
        assertThat(consent.byId("client-name")).isEqualTo("App B");
        assertThat(consent.byId("redirect-host")).isEqualTo("app-b.example");

        // nor for another resource with the same client
        UserAgent.Page other = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("resource", server.otherResource)));
        assertThat(other.location()).startsWith(server.issuer + "/consent?request=");
    }

    @Test
    void aPendingRequestStartedInOneBrowserCannotBeCompletedInAnother() throws Exception {
        UserAgent victim = new UserAgent();
        UserAgent.Page p = victim.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        String request = UserAgent.query(p.location()).get("request");

        UserAgent attacker = new UserAgent();
        assertErrorPage(attacker.post(server.issuer + "/login", Map.of("request", request, "username", "bob",
                "password", BOB_PASSWORD)), 400, "invalid_request", "This sign-in request was started in another browser.");
    }

    @Test
    void denyingConsentSendsAccessDeniedWithStateAndIssuer() throws Exception {
        UserAgent ua = new UserAgent();
        UserAgent.Page p = ua.get(server.authorizeUrl(APP_B, APP_B_REDIRECT, Pkce.fresh()));
        UserAgent.Page login = ua.get(p.location());
        UserAgent.Page consent = ua.get(ua.post(server.issuer + "/login", Map.of("request", login.hidden("request"),
                "username", "bob", "password", BOB_PASSWORD)).location());
        UserAgent.Page denied = ua.post(server.issuer + "/consent", Map.of("request", consent.hidden("request"),
                "csrf", consent.hidden("csrf"), "decision", "deny"));

        assertThat(redirectedError(denied, APP_B_REDIRECT)).containsEntry("error", "access_denied")
                .containsEntry("error_description", "the user denied the request");
    }

    @Test
    void aWrongPasswordIsAnsweredLikeAnUnknownUser() throws Exception {
        UserAgent ua = new UserAgent();
        UserAgent.Page login = ua.get(ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh())).location());
        UserAgent.Page wrong = ua.post(server.issuer + "/login", Map.of("request", login.hidden("request"),
                "username", "alice", "password", "nope"));
        UserAgent.Page unknown = ua.post(server.issuer + "/login", Map.of("request", login.hidden("request"),
                "username", "mallory", "password", "nope"));

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.byId("error")).isEqualTo("Wrong username or password.");
        assertThat(unknown.byId("error")).isEqualTo("Wrong username or password.");
        assertThat(wrong.header("set-cookie")).isNull();
    }

    // ------------------------------------------------------------------ open redirect

    @Test
    void errorsNeverRedirectToAnUnvalidatedRedirectUri() throws Exception {
        String evil = "https://evil.example/steal";
        // unknown client: even with an otherwise broken request, no redirect to the attacker
        assertErrorPage(new UserAgent().get(server.issuer + "/authorize?client_id=nobody&redirect_uri="
                + UserAgent.enc(evil) + "&response_type=token&state=st-123"), 400, "invalid_client",
                "Unknown client_id.");
        // known client, unregistered redirect, missing PKCE and bad response_type: the page, not the redirect
        UserAgent.Page p = new UserAgent().get(server.issuer + "/authorize?client_id=" + APP_A + "&redirect_uri="
                + UserAgent.enc(evil) + "&response_type=token&state=st-123");
        assertErrorPage(p, 400, "invalid_request", "The redirect_uri is not registered for this client.");
        assertThat(p.body()).doesNotContain("evil.example");
        // missing client_id
        assertErrorPage(new UserAgent().get(server.issuer + "/authorize?redirect_uri=" + UserAgent.enc(evil)),
                400, "invalid_client", "Client_id is missing.");
        // a repeated redirect_uri cannot smuggle a second value past the check
        assertErrorPage(new UserAgent().get(server.issuer + "/authorize?client_id=" + APP_A + "&redirect_uri="
                        + UserAgent.enc(APP_A_REDIRECT) + "&redirect_uri=" + UserAgent.enc(evil)), 400,
                "invalid_request", "The parameter redirect_uri is repeated.");
    }

    @Test
    void otherErrorsGoBackToTheValidatedRedirectUriWithStateAndIssuer() throws Exception {
        UserAgent.Page p = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("response_type", "token")));
        assertThat(redirectedError(p, APP_A_REDIRECT)).containsEntry("error", "unsupported_response_type")
                .containsEntry("error_description", "response_type must be code");

        UserAgent.Page scope = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("scope", "tickets:read admin")));
        assertThat(redirectedError(scope, APP_A_REDIRECT)).containsEntry("error", "invalid_scope")
                .containsEntry("error_description", "scope admin is not supported");

        UserAgent.Page offline = new UserAgent().get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                Map.of("scope", "tickets:read offline_access")));
        assertThat(redirectedError(offline, APP_A_REDIRECT)).containsEntry("error", "invalid_scope")
                .containsEntry("error_description", "scope offline_access is not supported");
    }
}
