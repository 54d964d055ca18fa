package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.testkit.FakeClock;
import dev.mcpwarden.testkit.Ports;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** Secure defaults, validated configuration, honest insecure options, and lifetimes on a fake clock. */
class ConfigurationTest {

    private static AuthServerConfig base() {
        return AuthServerConfig.defaults(URI.create("https://login.example.test"), Set.of("https://mcp.example.test/mcp"));
    }

    @Test
    void badConfigurationIsRefusedWithTheBadValueInTheMessage() {
        assertThatThrownBy(() -> AuthServerConfig.defaults(URI.create("http://login.example.test"), Set.of("https://a/mcp")))
                .hasMessage("issuer must be https (or http on 127.0.0.1 or [::1]), was http://login.example.test");
        assertThatThrownBy(() -> AuthServerConfig.defaults(URI.create("https://login.example.test/tenant"),
                Set.of("https://a/mcp"))).hasMessage("issuer must be an origin without path, query or fragment "
                + "(e.g. https://login.example.com), was https://login.example.test/tenant");
        assertThatThrownBy(() -> AuthServerConfig.defaults(URI.create("https://login.example.test"), Set.of()))
                .hasMessage("at least one resource (an MCP server's canonical URI) is required");
        assertThatThrownBy(() -> base().withScopes(Set.of("offline_access"), Set.of()))
                .hasMessage("do not list offline_access in scopesSupported; set offlineAccess");
        assertThatThrownBy(() -> base().withAccessTokenTtl(Duration.ofHours(2)))
                .hasMessage("accessTokenTtl must be between PT1M and PT1H, was PT2H");
        assertThatThrownBy(() -> StaticClient.publicClient("c", "C", List.of("http://app.example/cb")))
                .hasMessage("client c: redirect URI http://app.example/cb must use https, or http on a loopback "
                        + "address (127.0.0.1, [::1], localhost)");
        assertThatThrownBy(() -> base().withUpstream(UpstreamProvider.of(URI.create("http://idp.example"), "id",
                "secret", "IdP"), false)).hasMessage("upstream issuer must be https, was http://idp.example "
                + "(insecureAllowHttpUpstream permits http for development)");
        assertThatThrownBy(() -> new BuiltInUser("alice", "plaintext", Map.of()))
                .hasMessage("user alice: passwordHash must be an Argon2id PHC string ($argon2id$v=19$...)");
        assertThatThrownBy(() -> new BuiltInUser("alice", TestAuthServer.ALICE_HASH, Map.of("sub", "root")))
                .hasMessage("user alice: claim 'sub' is set by the server");
    }

    @Test
    void insecureOptionsAreLoggedAsWarningsAtStart() {
        Logger logger = (Logger) LoggerFactory.getLogger(AuthorizationServer.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (AuthorizationServer as = AuthorizationServer.builder(base().withInsecureAllowLoopbackClientMetadata(true)
                .withUpstream(UpstreamProvider.of(URI.create("http://127.0.0.1:9"), "id", "secret", "IdP"), true))
                .build()) {
            assertThat(events.list).filteredOn(e -> e.getLevel().toString().equals("WARN"))
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .contains("INSECURE: insecureAllowLoopbackClientMetadata is on: client metadata documents are "
                            + "fetched from loopback addresses too (development only)")
                    .contains("INSECURE: insecureAllowHttpUpstream is on: the upstream provider http://127.0.0.1:9 "
                            + "is reached over plain http (development only)");
        } finally {
            logger.detachAppender(events);
        }
    }

    @Test
    void onAnHttpsIssuerCookiesAreHostPrefixedAndSecure() throws Exception {
        int port = Ports.free();
        AuthServerConfig config = base().withClients(List.of(StaticClient.publicClient(APP_A, "App A",
                List.of(APP_A_REDIRECT))));
        try (AuthorizationServer as = AuthorizationServer.builder(config).build().start("127.0.0.1", port)) {
            // plain http to the test port, as from a TLS-terminating proxy that keeps the Host; the issuer (and so
            // the cookie policy) is https
            String target = "/authorize?response_type=code&client_id=" + APP_A
                    + "&redirect_uri=" + UserAgent.enc(APP_A_REDIRECT) + "&code_challenge=" + Pkce.fresh().challenge()
                    + "&code_challenge_method=S256&resource=" + UserAgent.enc("https://mcp.example.test/mcp");
            String head = RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: login.example.test\r\n"
                    + "Connection: close\r\n\r\n");
            assertThat(head).startsWith("HTTP/1.1 302 ");
            assertThat(head.lines().filter(l -> l.regionMatches(true, 0, "Set-Cookie:", 0, 11)).toList())
                    .singleElement().asString().matches("(?i:set-cookie): __Host-warden-browser=[A-Za-z0-9_-]{43}; "
                            + "Path=/; HttpOnly; SameSite=Lax; Secure");
        }
    }

    @Test
    void codesLiveAtMostSixtySecondsAndTokensFiveMinutes() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer s = new TestAuthServer(c -> c, b -> b.clock(clock))) {
            Pkce pkce = Pkce.fresh();
            String code = s.code(APP_A, APP_A_REDIRECT, pkce);
            clock.advance(Duration.ofSeconds(61));
            UserAgent.Page late = s.redeem(APP_A, APP_A_REDIRECT, code, pkce);
            assertThat(late.status()).isEqualTo(400);
            assertThat(TestAuthServer.json(late).get("error_description").asString())
                    .isEqualTo("authorization code is invalid or expired");

            JsonNode tokens = s.tokensForAppA();
            var claims = SignedJWT.parse(tokens.get("access_token").asString()).getJWTClaimsSet();
            assertThat(claims.getIssueTime().toInstant()).isEqualTo(clock.instant());
            assertThat(claims.getExpirationTime().toInstant()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));

            clock.advance(Duration.ofHours(8).plusSeconds(1));
            UserAgent.Page expired = s.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                    "refresh_token", tokens.get("refresh_token").asString()));
            assertThat(expired.status()).isEqualTo(400);
            assertThat(TestAuthServer.json(expired).get("error_description").asString())
                    .isEqualTo("refresh token is invalid, expired or revoked");
        }
    }

    @Test
    void offlineAccessIsOfferedOnlyWhenConfigured() throws Exception {
        try (TestAuthServer s = new TestAuthServer(c -> c.withOfflineAccess(true))) {
            JsonNode metadata = TestAuthServer.json(new UserAgent().get(s.issuer
                    + "/.well-known/oauth-authorization-server"));
            assertThat(metadata.get("scopes_supported").toString())
                    .isEqualTo("[\"offline_access\",\"tickets:read\",\"tickets:write\"]");
            Pkce pkce = Pkce.fresh();
            String back = s.agent.authorize(s.authorizeUrl(APP_A, APP_A_REDIRECT, pkce,
                    Map.of("scope", "tickets:read offline_access")), "alice", TestAuthServer.ALICE_PASSWORD);
            UserAgent.Page token = s.redeem(APP_A, APP_A_REDIRECT, UserAgent.query(back).get("code"), pkce);
            assertThat(TestAuthServer.json(token).get("scope").asString()).isEqualTo("offline_access tickets:read");
        }
    }

    @Test
    void promptConsentShowsTheConsentPageEvenWhenRemembered() throws Exception {
        try (TestAuthServer s = new TestAuthServer()) {
            UserAgent ua = new UserAgent();
            ua.authorize(s.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()), "alice", TestAuthServer.ALICE_PASSWORD);
            UserAgent.Page p = ua.get(s.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(), Map.of("prompt", "consent")));
            assertThat(p.location()).startsWith(s.issuer + "/consent?request=");
            assertThat(ua.get(p.location()).status()).isEqualTo(200);

            UserAgent.Page none = new UserAgent().get(s.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh(),
                    Map.of("prompt", "none")));
            assertThat(UserAgent.query(none.location())).containsEntry("error", "login_required");
        }
    }

    @Test
    void passwordGuessingIsThrottledPerUsername() throws Exception {
        FakeClock clock = new FakeClock();
        try (TestAuthServer s = new TestAuthServer(c -> c, b -> b.clock(clock))) {
            UserAgent ua = new UserAgent();
            for (int i = 0; i < 6; i++) { // a new request each time: one request is closed after five failures
                UserAgent.Page page = ua.get(ua.get(s.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh())).location());
                assertThat(ua.post(s.issuer + "/login", Map.of("request", page.hidden("request"), "username",
                        "alice", "password", "x")).status()).isEqualTo(401);
            }
            UserAgent.Page login = ua.get(ua.get(s.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh())).location());
            UserAgent.Page blocked = ua.post(s.issuer + "/login", Map.of("request", login.hidden("request"),
                    "username", "alice", "password", TestAuthServer.ALICE_PASSWORD));
            assertThat(blocked.status()).isEqualTo(429);
            assertThat(blocked.header("retry-after")).isEqualTo("30");
            assertThat(blocked.byId("error")).isEqualTo("Too many failed sign-ins. Wait 30 seconds and try again.");

            clock.advance(Duration.ofSeconds(31));
            UserAgent.Page ok = ua.post(s.issuer + "/login", Map.of("request", login.hidden("request"),
                    "username", "alice", "password", TestAuthServer.ALICE_PASSWORD));
            assertThat(ok.status()).isEqualTo(302);
        }
    }

    @Test
    void theSigningKeyRotatesOnScheduleAndTheOldKeyLeavesTheKeySetAfterItsTokensExpired() throws Exception {
        FakeClock clock = new FakeClock();
        try (AuthorizationServer as = AuthorizationServer.builder(base()).clock(clock)
                .signingKeyRotation(Duration.ofDays(1)).build()) {
            String first = as.publicKeys().getKeys().get(0).getKeyID();
            clock.advance(Duration.ofHours(23));
            as.maintain();
            assertThat(as.publicKeys().getKeys()).extracting(k -> k.getKeyID()).containsExactly(first);

            clock.advance(Duration.ofHours(1));
            as.maintain();
            assertThat(as.publicKeys().getKeys()).hasSize(2).extracting(k -> k.getKeyID()).contains(first);

            clock.advance(Duration.ofMinutes(7)); // 5-minute tokens plus 2 minutes of margin
            assertThat(as.publicKeys().getKeys()).hasSize(1).extracting(k -> k.getKeyID()).doesNotContain(first);
        }
    }

    @Test
    void aConfiguredSigningKeyLetsAnotherProcessMintTokensTheResourcesAccept() throws Exception {
        var key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("k-1")
                .generate();
        try (AuthorizationServer running = AuthorizationServer.builder(base()).signingKey(key).build();
                AuthorizationServer cli = AuthorizationServer.builder(base()).signingKey(key).build()) {
            String token = cli.devToken("alice", "warden-cli", Set.of(), "https://mcp.example.test/mcp");
            var verifier = new dev.mcpwarden.security.oauth.JwtVerifier(
                    dev.mcpwarden.security.oauth.ResourceServerConfig.of(URI.create("https://mcp.example.test/mcp"),
                            List.of(dev.mcpwarden.security.oauth.TrustedIssuer.withKeys("https://login.example.test",
                                    running.publicKeys())), Set.of()), java.time.InstantSource.system());
            assertThat(verifier.verify(token).principal().subject()).isEqualTo("alice");
        }
        assertThatThrownBy(() -> AuthorizationServer.builder(base()).signingKey(key.toPublicJWK()).build())
                .hasMessage("the signing key must be a private key with a key id (kid)");
        var rsa = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("r").generate();
        assertThatThrownBy(() -> AuthorizationServer.builder(base()).signingKey(rsa).build())
                .hasMessage("the signing key does not suit ES256 (ES256 needs an EC P-256 key, RS256 an RSA key of "
                        + "at least 2048 bits)");
    }
}
