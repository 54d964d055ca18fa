package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Dynamic client registration (RFC 7591): what is accepted, what is refused and why. */
class RegistrationTest {

    static TestAuthServer server;

    @BeforeAll
    static void start() {
        server = new TestAuthServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static UserAgent.Page register(String json) throws Exception {
        return new UserAgent().postJson(server.issuer + "/register", json);
    }

    private static void assertRefused(UserAgent.Page p, String error, String description) {
        assertThat(p.status()).as(p.body()).isEqualTo(400);
        JsonNode body = TestAuthServer.json(p);
        assertThat(body.get("error").asString()).isEqualTo(error);
        assertThat(body.get("error_description").asString()).isEqualTo(description);
    }

    @Test
    void aNativePublicClientWithALoopbackRedirectIsRegistered() throws Exception {
        UserAgent.Page p = register("{\"client_name\":\"CLI\",\"redirect_uris\":[\"http://127.0.0.1:3000/cb\"],"
                + "\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"token_endpoint_auth_method\":\"none\","
                + "\"application_type\":\"native\"}");
        assertThat(p.status()).as(p.body()).isEqualTo(201);
        assertThat(p.header("cache-control")).isEqualTo("no-store");
        JsonNode c = TestAuthServer.json(p);
        assertThat(c.get("client_id").asString()).matches("dcr_[A-Za-z0-9_-]{24}");
        assertThat(c.has("client_secret")).isFalse();
        assertThat(c.get("application_type").asString()).isEqualTo("native");
        assertThat(c.get("token_endpoint_auth_method").asString()).isEqualTo("none");
    }

    @Test
    void aConfidentialClientGetsASecretThatAuthenticatesItAtTheTokenEndpoint() throws Exception {
        UserAgent.Page p = register("{\"client_name\":\"Web\",\"redirect_uris\":[\"https://web.example/cb\"],"
                + "\"token_endpoint_auth_method\":\"client_secret_basic\",\"application_type\":\"web\"}");
        assertThat(p.status()).isEqualTo(201);
        JsonNode c = TestAuthServer.json(p);
        String id = c.get("client_id").asString();
        String secret = c.get("client_secret").asString();
        assertThat(secret).hasSize(43);
        assertThat(c.get("client_secret_expires_at").asLong()).isZero();

        Pkce pkce = Pkce.fresh();
        String code = server.code(id, "https://web.example/cb", pkce);
        UserAgent.Page noSecret = server.redeem(id, "https://web.example/cb", code, pkce);
        assertThat(noSecret.status()).isEqualTo(401);
        assertThat(TestAuthServer.json(noSecret).get("error").asString()).isEqualTo("invalid_client");

        String code2 = server.code(id, "https://web.example/cb", pkce);
        UserAgent.Page ok = server.token(Map.of("grant_type", "authorization_code", "redirect_uri",
                "https://web.example/cb", "code", code2, "code_verifier", pkce.verifier()),
                Map.of("Authorization", TestAuthServer.basic(id, secret)));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    }

    @Test
    void aWebClientMayNotUseLoopbackRedirects() throws Exception {
        assertRefused(register("{\"redirect_uris\":[\"http://127.0.0.1:3000/cb\"],\"application_type\":\"web\","
                        + "\"token_endpoint_auth_method\":\"none\"}"), "invalid_redirect_uri",
                "web clients must use https redirect URIs; use application_type native for loopback redirects");
    }

    @Test
    void redirectUrisMustBeHttpsOrLoopback() throws Exception {
        assertRefused(register("{\"redirect_uris\":[\"http://app.example/cb\"],\"token_endpoint_auth_method\":\"none\"}"),
                "invalid_redirect_uri", "redirect URI http://app.example/cb must use https, or http on a loopback "
                        + "address (127.0.0.1, [::1], localhost)");
        assertRefused(register("{\"redirect_uris\":[\"https://app.example/cb#x\"],"
                        + "\"token_endpoint_auth_method\":\"none\"}"), "invalid_redirect_uri",
                "redirect URI https://app.example/cb#x must not contain a fragment");
        assertRefused(register("{\"client_name\":\"x\",\"token_endpoint_auth_method\":\"none\"}"),
                "invalid_redirect_uri", "redirect_uris must list at least one URI");
    }

    @Test
    void onlyTheCodeFlowAndSecretOrNoneAuthenticationAreOffered() throws Exception {
        assertRefused(register("{\"redirect_uris\":[\"https://a.example/cb\"],\"grant_types\":[\"implicit\"],"
                        + "\"token_endpoint_auth_method\":\"none\"}"), "invalid_client_metadata",
                "grant_types must include authorization_code and may add refresh_token only");
        assertRefused(register("{\"redirect_uris\":[\"https://a.example/cb\"],"
                        + "\"token_endpoint_auth_method\":\"private_key_jwt\"}"), "invalid_client_metadata",
                "token_endpoint_auth_method must be one of [client_secret_basic, client_secret_post, none]");
        assertRefused(register("{\"redirect_uris\":[\"https://a.example/cb\"],\"client_id\":\"chosen\"}"),
                "invalid_client_metadata", "client_id and client_secret are assigned by the server");
        assertRefused(register("not json"), "invalid_client_metadata", "the request body must be a JSON object");
    }

    @Test
    void registrationCanBeTurnedOff() throws Exception {
        try (TestAuthServer closed = new TestAuthServer(c -> c.withRegistration(false, true))) {
            UserAgent.Page p = new UserAgent().postJson(closed.issuer + "/register",
                    "{\"redirect_uris\":[\"https://a.example/cb\"]}");
            assertThat(p.status()).isEqualTo(403);
            assertThat(TestAuthServer.json(p).get("error").asString()).isEqualTo("access_denied");
            JsonNode metadata = TestAuthServer.json(new UserAgent().get(closed.issuer
                    + "/.well-known/oauth-authorization-server"));
            assertThat(metadata.has("registration_endpoint")).isFalse();
        }
    }
}
