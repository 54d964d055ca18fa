package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.GATEWAY_SECRET;
import static dev.mcpwarden.authserver.TestAuthServer.SERVICE_SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.security.oauth.JwtVerifier;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TokenRejected;
import dev.mcpwarden.security.oauth.TokenVerifier;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Client credentials, token exchange, revocation, key rotation, development tokens and concurrency. */
class TokenGrantsTest {

    static TestAuthServer server;

    @BeforeAll
    static void start() {
        server = new TestAuthServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JwtVerifier verifier(String resource, TrustedIssuer issuer) {
        return new JwtVerifier(ResourceServerConfig.of(URI.create(resource), List.of(issuer), Set.of())
                .withRequireAtJwtType(true), InstantSource.system());
    }

    @Test
    void tokensAreAcceptedByWardensResourceServerWithFixedKeysAndWithDiscovery() throws Exception {
        String token = server.tokensForAppA().get("access_token").asString();
        for (TrustedIssuer issuer : List.of(TrustedIssuer.withKeys(server.issuer, server.as.publicKeys()),
                TrustedIssuer.discover(server.issuer))) {
            TokenVerifier.Verified v = verifier(server.resource, issuer).verify(token);
            assertThat(v.principal().subject()).isEqualTo("alice");
            assertThat(v.principal().clientId()).isEqualTo(APP_A);
            assertThat(v.principal().scopes()).containsExactly("tickets:read");
            assertThat(v.principal().tenant()).isEqualTo("acme");
            assertThat(v.principal().roles()).containsExactly("agent");
        }
    }

    @Test
    void aTokenForOneResourceIsRejectedByAnother() throws Exception {
        String token = server.tokensForAppA().get("access_token").asString();
        assertThatThrownBy(() -> verifier(server.otherResource,
                TrustedIssuer.withKeys(server.issuer, server.as.publicKeys())).verify(token))
                .isInstanceOf(TokenRejected.class).hasMessageContaining("aud");
    }

    @Test
    void aConfidentialClientGetsATokenWithClientCredentialsAndBasicOrPostAuthentication() throws Exception {
        UserAgent.Page basic = server.token(Map.of("grant_type", "client_credentials", "resource", server.resource),
                Map.of("Authorization", TestAuthServer.basic("service", SERVICE_SECRET)));
        assertThat(basic.status()).as(basic.body()).isEqualTo(200);
        JsonNode body = TestAuthServer.json(basic);
        assertThat(body.get("scope").asString()).isEqualTo("tickets:read");
        assertThat(body.has("refresh_token")).isFalse();
        var claims = SignedJWT.parse(body.get("access_token").asString()).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("service");
        assertThat(claims.getStringClaim("client_id")).isEqualTo("service");

        UserAgent.Page post = server.token(Map.of("grant_type", "client_credentials", "resource", server.resource,
                "client_id", "service", "client_secret", SERVICE_SECRET));
        assertThat(post.status()).isEqualTo(200);
    }

    @Test
    void aWrongClientSecretIs401InvalidClientWithABasicChallenge() throws Exception {
        UserAgent.Page r = server.token(Map.of("grant_type", "client_credentials", "resource", server.resource),
                Map.of("Authorization", TestAuthServer.basic("service", "wrong")));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("www-authenticate")).isEqualTo("Basic realm=\"warden\"");
        assertThat(TestAuthServer.json(r).get("error").asString()).isEqualTo("invalid_client");
        assertThat(TestAuthServer.json(r).get("error_description").asString()).isEqualTo("client authentication failed");
    }

    @Test
    void aPublicClientMayNotUseClientCredentialsAndScopesAreBoundedByTheClient() throws Exception {
        UserAgent.Page pub = server.token(Map.of("grant_type", "client_credentials", "client_id", APP_A,
                "resource", server.resource));
        assertThat(pub.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(pub).get("error").asString()).isEqualTo("unauthorized_client");

        UserAgent.Page scope = server.token(Map.of("grant_type", "client_credentials", "resource", server.resource,
                "scope", "tickets:write"), Map.of("Authorization", TestAuthServer.basic("service", SERVICE_SECRET)));
        assertThat(scope.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(scope).get("error_description").asString())
                .isEqualTo("scope is not allowed for this client");
    }

    @Test
    void tokenExchangeIssuesATokenForAnAllowedAudienceWithAnActorClaim() throws Exception {
        String subject = server.tokensForAppA().get("access_token").asString();
        UserAgent.Page r = server.token(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token", subject, "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "resource", server.otherResource),
                Map.of("Authorization", TestAuthServer.basic("gateway", GATEWAY_SECRET)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = TestAuthServer.json(r);
        assertThat(body.get("issued_token_type").asString()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        var c = SignedJWT.parse(body.get("access_token").asString()).getJWTClaimsSet();
        assertThat(c.getAudience()).containsExactly(server.otherResource);
        assertThat(c.getSubject()).isEqualTo("alice");
        assertThat(c.getStringClaim("client_id")).isEqualTo("gateway");
        assertThat(c.getJSONObjectClaim("act")).isEqualTo(Map.of("sub", "gateway"));
        assertThat(c.getStringClaim("tenant")).isEqualTo("acme");
        assertThat(c.getStringClaim("scope")).isEqualTo("tickets:read");
    }

    @Test
    void tokenExchangeToAnAudienceNotInThePolicyIsInvalidTarget() throws Exception {
        String subject = server.tokensForAppA().get("access_token").asString();
        UserAgent.Page r = server.token(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token", subject, "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "audience", "https://bank.example/api"),
                Map.of("Authorization", TestAuthServer.basic("gateway", GATEWAY_SECRET)));
        assertThat(r.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(r).get("error").asString()).isEqualTo("invalid_target");
        assertThat(TestAuthServer.json(r).get("error_description").asString()).isEqualTo(
                "this client may not exchange tokens for " + server.resource + " into https://bank.example/api");

        UserAgent.Page other = server.token(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token", subject, "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "resource", server.otherResource),
                Map.of("Authorization", TestAuthServer.basic("service", SERVICE_SECRET)));
        assertThat(other.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(other).get("error").asString()).isEqualTo("unauthorized_client");
    }

    @Test
    void revokingARefreshTokenEndsItsFamily() throws Exception {
        JsonNode tokens = server.tokensForAppA();
        UserAgent.Page r = new UserAgent().post(server.issuer + "/revoke", Map.of("client_id", APP_A,
                "token", tokens.get("refresh_token").asString(), "token_type_hint", "refresh_token"));
        assertThat(r.status()).isEqualTo(200);
        UserAgent.Page refresh = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", tokens.get("refresh_token").asString()));
        assertThat(refresh.status()).isEqualTo(400);
        assertThat(TestAuthServer.json(refresh).get("error").asString()).isEqualTo("invalid_grant");

        UserAgent.Page unknown = new UserAgent().post(server.issuer + "/revoke", Map.of("client_id", APP_A,
                "token", "no-such-token"));
        assertThat(unknown.status()).as("RFC 7009: unknown tokens are not an error").isEqualTo(200);
    }

    @Test
    void afterKeyRotationOldTokensStillVerifyAndNewOnesUseTheNewKey() throws Exception {
        try (TestAuthServer s = new TestAuthServer()) {
            String before = s.tokensForAppA().get("access_token").asString();
            String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
            s.as.rotateSigningKey();
            String after = s.tokensForAppA().get("access_token").asString();
            String newKid = SignedJWT.parse(after).getHeader().getKeyID();

            assertThat(newKid).isNotEqualTo(oldKid);
            JsonNode jwks = TestAuthServer.json(new UserAgent().get(s.issuer + "/jwks"));
            assertThat(jwks.get("keys").findValuesAsString("kid")).containsExactlyInAnyOrder(oldKid, newKid);
            assertThat(jwks.toString()).doesNotContain("\"d\"");
            JwtVerifier v = verifier(s.resource, TrustedIssuer.discover(s.issuer));
            assertThat(v.verify(before).principal().subject()).isEqualTo("alice");
            assertThat(v.verify(after).principal().subject()).isEqualTo("alice");
        }
    }

    @Test
    void rs256CanBeChosenForSigning() throws Exception {
        try (TestAuthServer s = new TestAuthServer(c -> c.withSigningAlgorithm("RS256"))) {
            String token = s.tokensForAppA().get("access_token").asString();
            assertThat(SignedJWT.parse(token).getHeader().getAlgorithm().getName()).isEqualTo("RS256");
            assertThat(verifier(s.resource, TrustedIssuer.withKeys(s.issuer, s.as.publicKeys())).verify(token)
                    .principal().subject()).isEqualTo("alice");
        }
    }

    @Test
    void aDevelopmentTokenIsAcceptedByTheResourceServer() throws Exception {
        String token = server.as.devToken("alice", "warden-cli", Set.of("tickets:read"), server.resource);
        TokenVerifier.Verified v = verifier(server.resource, TrustedIssuer.withKeys(server.issuer,
                server.as.publicKeys())).verify(token);
        assertThat(v.principal().clientId()).isEqualTo("warden-cli");
        assertThat(v.principal().tenant()).isEqualTo("acme");
        assertThatThrownBy(() -> server.as.devToken("alice", "cli", Set.of(), "https://unknown.example/mcp"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(
                        "resource https://unknown.example/mcp is not configured");
    }

    @Test
    void underConcurrencyACodeIsRedeemedExactlyOnce() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = server.code(APP_A, TestAuthServer.APP_A_REDIRECT, pkce);
        List<Integer> statuses = race(() -> server.redeem(APP_A, TestAuthServer.APP_A_REDIRECT, code, pkce).status());
        assertThat(statuses).containsOnlyOnce(200).hasSize(16);
        assertThat(statuses.stream().filter(s -> s == 400).count()).isEqualTo(15);
    }

    @Test
    void underConcurrencyARefreshTokenIsRotatedExactlyOnce() throws Exception {
        String rt = server.tokensForAppA().get("refresh_token").asString();
        List<Integer> statuses = race(() -> server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                "refresh_token", rt)).status());
        assertThat(statuses).containsOnlyOnce(200).hasSize(16);
    }

    private static List<Integer> race(Callable<Integer> call) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<Integer>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<Integer> out = new java.util.ArrayList<>();
            for (Future<Integer> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }
}
