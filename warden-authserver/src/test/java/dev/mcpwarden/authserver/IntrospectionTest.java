package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.GATEWAY_SECRET;
import static dev.mcpwarden.authserver.TestAuthServer.SERVICE_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.authserver.login.PasswordHash;
import dev.mcpwarden.testkit.FakeClock;
import dev.mcpwarden.testkit.UserAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * RFC 7662 introspection for resource servers, so that revocation reaches them; exchanged tokens belong to their
 * subject token's grant and never outlive the subject token.
 */
class IntrospectionTest {

    static final String RS_SECRET = "resource-server-secret-0123456789";
    static final FakeClock CLOCK = new FakeClock();
    static TestAuthServer server;

    @BeforeAll
    static void start() {
        String hash = PasswordHash.hash(RS_SECRET.toCharArray(), 1024, 1, 1);
        // exchanges both ways between the two resources: a chain of exchanges could go on for ever
        server = new TestAuthServer(c -> c.withClients(Stream.concat(c.clients().stream(),
                        Stream.of(StaticClient.resourceServer("mcp-rs", hash, c.resources()),
                                StaticClient.resourceServer("other-rs", hash, c.resources().stream()
                                        .filter(r -> r.startsWith("https://other.")).collect(Collectors.toSet())))).toList())
                .withTokenExchange(new TokenExchangePolicy(Set.of("gateway"), c.resources().stream()
                        .collect(Collectors.toMap(r -> r, r -> c.resources())))), b -> b.clock(CLOCK));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static UserAgent.Page introspect(String token, String authorization) throws Exception {
        return new UserAgent().post(server.issuer + "/introspect", Map.of("token", token),
                Map.of("Authorization", authorization));
    }

    private static JsonNode introspect(String token) throws Exception {
        UserAgent.Page p = introspect(token, TestAuthServer.basic("mcp-rs", RS_SECRET));
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        assertThat(p.header("cache-control")).isEqualTo("no-store");
        return TestAuthServer.json(p);
    }

    private static UserAgent.Page exchange(String subject, String target) throws Exception {
        return server.token(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token", subject, "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "resource", target),
                Map.of("Authorization", TestAuthServer.basic("gateway", GATEWAY_SECRET)));
    }

    @Test
    void aLiveTokenIsActiveWithItsClaims() throws Exception {
        String token = server.tokensForAppA().get("access_token").asString();
        JsonNode r = introspect(token);

        var c = SignedJWT.parse(token).getJWTClaimsSet();
        assertThat(r.get("active").asBoolean()).isTrue();
        assertThat(r.get("sub").asString()).isEqualTo("alice");
        assertThat(r.get("client_id").asString()).isEqualTo(APP_A);
        assertThat(r.get("scope").asString()).isEqualTo("tickets:read");
        assertThat(r.get("aud").toString()).contains(server.resource);
        assertThat(r.get("iss").asString()).isEqualTo(server.issuer);
        assertThat(r.get("exp").asLong()).isEqualTo(c.getExpirationTime().getTime() / 1000);
        assertThat(r.get("jti").asString()).isEqualTo(c.getJWTID());
        assertThat(r.get("token_type").asString()).isEqualTo("Bearer");
        assertThat(r.get("tenant").asString()).isEqualTo("acme");
    }

    @Test
    void aRevokedUnknownExpiredOrRefreshTokenIsOnlyInactive() throws Exception {
        JsonNode tokens = server.tokensForAppA();
        String access = tokens.get("access_token").asString();
        String refresh = tokens.get("refresh_token").asString();
        UserAgent.Page revoked = new UserAgent().post(server.issuer + "/revoke", Map.of("client_id", APP_A,
                "token", refresh));
        assertThat(revoked.status()).isEqualTo(200);

        for (String t : List.of(access, refresh, "not-a-token", access.substring(0, access.length() - 4) + "AAAA")) {
            assertThat(introspect(t).toString()).isEqualTo("{\"active\":false}");
        }
        String other = server.tokensForAppA().get("access_token").asString();
        CLOCK.advance(Duration.ofMinutes(5));
        assertThat(introspect(other).toString()).as("expired").isEqualTo("{\"active\":false}");
    }

    @Test
    void onlyAPreRegisteredConfidentialClientMayIntrospect() throws Exception {
        String token = server.tokensForAppA().get("access_token").asString();

        UserAgent.Page wrong = introspect(token, TestAuthServer.basic("mcp-rs", "wrong"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(TestAuthServer.json(wrong).get("error").asString()).isEqualTo("invalid_client");

        UserAgent.Page pub = new UserAgent().post(server.issuer + "/introspect", Map.of("token", token,
                "client_id", APP_A));
        assertThat(pub.status()).isEqualTo(401);
        assertThat(TestAuthServer.json(pub).get("error_description").asString())
                .isEqualTo("client authentication failed: introspection needs client credentials");

        UserAgent.Page reg = new UserAgent().postJson(server.issuer + "/register", "{\"redirect_uris\":"
                + "[\"https://x.example/cb\"],\"token_endpoint_auth_method\":\"client_secret_basic\"}");
        JsonNode dcr = TestAuthServer.json(reg);
        UserAgent.Page dynamic = introspect(token, TestAuthServer.basic(dcr.get("client_id").asString(),
                dcr.get("client_secret").asString()));
        assertThat(dynamic.status()).isEqualTo(403);
        assertThat(TestAuthServer.json(dynamic).get("error").asString()).isEqualTo("unauthorized_client");
        assertThat(TestAuthServer.json(dynamic).get("error_description").asString())
                .isEqualTo("this client may not introspect tokens");

        UserAgent.Page service = introspect(token, TestAuthServer.basic("service", SERVICE_SECRET));
        assertThat(service.status()).as("a pre-registered client not configured to introspect").isEqualTo(403);
        assertThat(TestAuthServer.json(service).get("error_description").asString())
                .isEqualTo("this client may not introspect tokens");
    }

    @Test
    void aResourceServerLearnsNothingAboutATokenForAnotherResource() throws Exception {
        String token = server.tokensForAppA().get("access_token").asString();
        assertThat(introspect(token).get("active").asBoolean()).as("mcp-rs introspects its own resource").isTrue();

        UserAgent.Page other = introspect(token, TestAuthServer.basic("other-rs", RS_SECRET));
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.body()).as("a live token, but for a resource other-rs does not serve")
                .isEqualTo("{\"active\":false}");
    }

    @Test
    void aClientMayBeConfiguredToIntrospectOnlyResourcesThisServerIssuesTokensFor() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuthServerConfig.defaults(java.net.URI.create("http://127.0.0.1:1"),
                        Set.of("http://127.0.0.1:2/mcp")).withClients(List.of(
                        StaticClient.resourceServer("rs", "sha256:" + "a".repeat(64), Set.of("https://elsewhere.example/mcp")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("client rs would introspect tokens for resources this server does not issue"
                        + " them for: [https://elsewhere.example/mcp]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StaticClient.resourceServer("rs", "sha256:x",
                        Set.of()))
                .hasMessage("resource server rs: name the resources whose tokens it may introspect");
    }

    @Test
    void theMetadataAdvertisesTheIntrospectionEndpoint() throws Exception {
        JsonNode m = TestAuthServer.json(new UserAgent().get(server.issuer + "/.well-known/oauth-authorization-server"));
        assertThat(m.get("introspection_endpoint").asString()).isEqualTo(server.issuer + "/introspect");
        assertThat(m.get("introspection_endpoint_auth_methods_supported").toString())
                .isEqualTo("[\"client_secret_basic\",\"client_secret_post\"]");
    }

    @Test
    void aResourceServerWithoutAnyGrantCannotGetTokens() throws Exception {
        UserAgent.Page r = server.token(Map.of("grant_type", "client_credentials", "resource", server.resource),
                Map.of("Authorization", TestAuthServer.basic("mcp-rs", RS_SECRET)));
        assertThat(r.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(r).get("error").asString()).isEqualTo("unauthorized_client");
    }

    @Test
    void revokingTheGrantRevokesTheTokensExchangedFromItsAccessToken() throws Exception {
        JsonNode tokens = server.tokensForAppA();
        UserAgent.Page first = exchange(tokens.get("access_token").asString(), server.otherResource);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String exchanged = TestAuthServer.json(first).get("access_token").asString();
        UserAgent.Page second = exchange(exchanged, server.resource);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        String exchangedTwice = TestAuthServer.json(second).get("access_token").asString();
        assertThat(introspect(exchangedTwice).get("active").asBoolean()).isTrue();

        new UserAgent().post(server.issuer + "/revoke", Map.of("client_id", APP_A,
                "token", tokens.get("refresh_token").asString()));

        assertThat(introspect(exchanged).toString()).isEqualTo("{\"active\":false}");
        assertThat(introspect(exchangedTwice).toString()).isEqualTo("{\"active\":false}");
        UserAgent.Page again = exchange(exchanged, server.resource);
        assertThat(again.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(again).get("error_description").asString())
                .isEqualTo("subject_token is invalid, expired or revoked");
    }

    @Test
    void anExchangedTokenNeverOutlivesItsSubjectToken() throws Exception {
        String subject = server.tokensForAppA().get("access_token").asString();
        CLOCK.advance(Duration.ofMinutes(3));
        UserAgent.Page r = exchange(subject, server.otherResource);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = TestAuthServer.json(r);
        var s = SignedJWT.parse(subject).getJWTClaimsSet();
        var x = SignedJWT.parse(body.get("access_token").asString()).getJWTClaimsSet();
        assertThat(x.getExpirationTime()).isEqualTo(s.getExpirationTime());
        assertThat(body.get("expires_in").asLong()).isEqualTo(120);

        CLOCK.advance(Duration.ofMinutes(1));
        UserAgent.Page back = exchange(body.get("access_token").asString(), server.resource);
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        var y = SignedJWT.parse(TestAuthServer.json(back).get("access_token").asString()).getJWTClaimsSet();
        assertThat(y.getExpirationTime()).as("not renewed by a chain of exchanges").isEqualTo(s.getExpirationTime());

        CLOCK.advance(Duration.ofMinutes(1));
        assertThat(exchange(TestAuthServer.json(back).get("access_token").asString(), server.otherResource)
                .status()).as("the chain ends with the first token").isEqualTo(400);
    }
}
