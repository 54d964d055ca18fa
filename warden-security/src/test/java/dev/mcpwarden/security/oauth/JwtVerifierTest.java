package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.testkit.FakeClock;
import dev.mcpwarden.testkit.TestTokens;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Key handling and claim mapping of JWT access tokens, with a real HTTP issuer for metadata and keys. */
class JwtVerifierTest {

    static final String RESOURCE = "https://mcp.example.com/mcp";

    HttpServer issuerServer;
    String issuer;
    final AtomicReference<JWKSet> published = new AtomicReference<>();
    final AtomicInteger jwksFetches = new AtomicInteger();
    volatile boolean down;

    @BeforeEach
    void startIssuer() throws Exception {
        issuerServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + issuerServer.getAddress().getPort() + "/realms/acme";
        issuerServer.createContext("/.well-known/oauth-authorization-server/realms/acme", ex -> {
            byte[] body = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/keys\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        issuerServer.createContext("/realms/acme/keys", ex -> {
            jwksFetches.incrementAndGet();
            if (down) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        issuerServer.start();
    }

    @AfterEach
    void stopIssuer() {
        issuerServer.stop(0);
    }

    private Map<String, Object> claims(String subject) {
        long now = Instant.now().getEpochSecond();
        return new java.util.LinkedHashMap<>(Map.of("iss", issuer, "sub", subject, "aud", RESOURCE, "iat", now,
                "exp", now + 300, "scope", "a b", "client_id", "cli"));
    }

    private JwtVerifier verifier(ResourceServerConfig config) {
        return new JwtVerifier(config, InstantSource.system());
    }

    private ResourceServerConfig discovered() {
        return ResourceServerConfig.of(URI.create(RESOURCE), List.of(TrustedIssuer.discover(issuer)), Set.of("a"))
                .withJwksRefreshMinimum(Duration.ZERO);
    }

    @Test
    void keysAreFoundThroughTheIssuersMetadata() throws Exception {
        RSAKey k1 = TestTokens.newKey("k1");
        published.set(new JWKSet(k1.toPublicJWK()));
        TokenVerifier.Verified v = verifier(discovered()).verify(TestTokens.sign(claims("alice"), k1,
                new JOSEObjectType("at+jwt")));
        assertThat(v.principal().subject()).isEqualTo("alice");
        assertThat(v.principal().scopes()).containsExactlyInAnyOrder("a", "b");
        assertThat(v.principal().clientId()).isEqualTo("cli");
    }

    @Test
    void anUnknownKeyIdRefreshesTheKeySetSoRotationWorks() throws Exception {
        RSAKey k1 = TestTokens.newKey("k1");
        RSAKey k2 = TestTokens.newKey("k2");
        published.set(new JWKSet(k1.toPublicJWK()));
        JwtVerifier v = verifier(discovered());
        v.verify(TestTokens.sign(claims("alice"), k1, JOSEObjectType.JWT));
        published.set(new JWKSet(List.of(k1.toPublicJWK(), k2.toPublicJWK())));
        assertThat(v.verify(TestTokens.sign(claims("bob"), k2, JOSEObjectType.JWT)).principal().subject())
                .isEqualTo("bob");
        assertThat(jwksFetches.get()).isEqualTo(2);
    }

    @Test
    void unknownKeyIdsCannotMakeWardenHammerTheIssuer() throws Exception {
        RSAKey k1 = TestTokens.newKey("k1");
        published.set(new JWKSet(k1.toPublicJWK()));
        JwtVerifier v = verifier(discovered().withJwksRefreshMinimum(Duration.ofMinutes(5)));
        v.verify(TestTokens.sign(claims("alice"), k1, JOSEObjectType.JWT));
        for (int i = 0; i < 20; i++) {
            String forged = TestTokens.sign(claims("mallory"), TestTokens.newKey("forged-" + i), JOSEObjectType.JWT);
            assertThatThrownBy(() -> v.verify(forged)).isInstanceOf(TokenRejected.class);
        }
        assertThat(jwksFetches.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void unreachableKeysWithAnUnknownKeyIdAreUnavailableNotInvalid() {
        down = true;
        RSAKey k1 = TestTokens.newKey("k1");
        String token = TestTokens.sign(claims("alice"), k1, JOSEObjectType.JWT);
        assertThatThrownBy(() -> verifier(discovered()).verify(token))
                .isInstanceOfSatisfying(TokenRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenRejected.Reason.UNAVAILABLE));
    }

    @Test
    void cachedKeysKeepWorkingWhenTheIssuerGoesDown() throws Exception {
        RSAKey k1 = TestTokens.newKey("k1");
        published.set(new JWKSet(k1.toPublicJWK()));
        JwtVerifier v = verifier(discovered());
        v.verify(TestTokens.sign(claims("alice"), k1, JOSEObjectType.JWT));
        down = true;
        assertThat(v.verify(TestTokens.sign(claims("bob"), k1, JOSEObjectType.JWT)).principal().subject())
                .isEqualTo("bob");
    }

    @Test
    void atJwtTypeIsEnforcedWhenConfigured() throws Exception {
        RSAKey k1 = TestTokens.newKey("k1");
        ResourceServerConfig strict = ResourceServerConfig.of(URI.create(RESOURCE),
                List.of(TrustedIssuer.withKeys(issuer, new JWKSet(k1))), Set.of()).withRequireAtJwtType(true);
        JwtVerifier v = verifier(strict);
        assertThat(v.verify(TestTokens.sign(claims("alice"), k1, new JOSEObjectType("at+jwt")))).isNotNull();
        assertThatThrownBy(() -> v.verify(TestTokens.sign(claims("alice"), k1, JOSEObjectType.JWT)))
                .isInstanceOf(TokenRejected.class).hasMessageContaining("signature or header rejected");
    }

    @Test
    void tenantAndRolesComeFromTheConfiguredClaims() throws Exception {
        RSAKey k1 = TestTokens.newKey("k1");
        ResourceServerConfig config = ResourceServerConfig.of(URI.create(RESOURCE),
                List.of(TrustedIssuer.withKeys(issuer, new JWKSet(k1))), Set.of())
                .withClaims("org.id", "realm_access.roles");
        Map<String, Object> c = claims("alice");
        c.put("org", Map.of("id", "acme"));
        c.put("realm_access", Map.of("roles", List.of("agent", "admin")));
        Principal p = verifier(config).verify(TestTokens.sign(c, k1, JOSEObjectType.JWT)).principal();
        assertThat(p.tenant()).isEqualTo("acme");
        assertThat(p.roles()).containsExactlyInAnyOrder("agent", "admin");
    }

    @Test
    void aTrailingSlashOnTheAudienceNamesTheSameResource() throws Exception {
        RSAKey k1 = TestTokens.newKey("k1");
        ResourceServerConfig config = ResourceServerConfig.of(URI.create(RESOURCE),
                List.of(TrustedIssuer.withKeys(issuer, new JWKSet(k1))), Set.of());
        Map<String, Object> c = claims("alice");
        c.put("aud", List.of("other", RESOURCE + "/"));
        assertThat(verifier(config).verify(TestTokens.sign(c, k1, JOSEObjectType.JWT))).isNotNull();
    }

    @Test
    void theConfigurationRefusesInsecureSettings() {
        TrustedIssuer i = TrustedIssuer.discover("https://as.example");
        assertThatThrownBy(() -> ResourceServerConfig.of(URI.create("http://mcp.example.com/mcp"), List.of(i), Set.of()))
                .hasMessage("resource must be https (or http on loopback), was: http://mcp.example.com/mcp");
        assertThatThrownBy(() -> ResourceServerConfig.of(URI.create(RESOURCE), List.of(i), Set.of())
                .withAlgorithms(Set.of(com.nimbusds.jose.JWSAlgorithm.HS256)))
                .hasMessage("algorithm HS256 is not allowed: only asymmetric signatures");
        assertThatThrownBy(() -> ResourceServerConfig.of(URI.create(RESOURCE), List.of(i), Set.of("offline_access")))
                .hasMessage("scopesSupported must not list offline_access");
        JWKSet withPrivate = new JWKSet(TestTokens.newKey("x"));
        assertThat(TrustedIssuer.withKeys("https://as.example", withPrivate).keys().getKeys().get(0).isPrivate())
                .as("only public keys are kept").isFalse();
        assertThatThrownBy(() -> new TrustedIssuer("https://as.example", null, withPrivate))
                .hasMessage("issuer https://as.example: the key set must hold public keys only");
    }

    @Test
    void cachedTokensAreNotVerifiedTwiceAndNeverOutliveTheirExpiry() throws Exception {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicInteger calls = new AtomicInteger();
        TokenVerifier counting = token -> {
            calls.incrementAndGet();
            return new TokenVerifier.Verified(dev.mcpwarden.server.auth.Principal.ANONYMOUS,
                    Instant.parse("2026-01-01T00:05:00Z"));
        };
        CachingVerifier cache = new CachingVerifier(counting, 100, clock);
        cache.verify("t1");
        cache.verify("t1");
        assertThat(calls.get()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(5));
        cache.verify("t1");
        assertThat(calls.get()).as("an expired entry is verified again").isEqualTo(2);
    }

    @Test
    void aDigestLeftByTheMemoryQuestionIsUsedOnlyForTheSameToken() throws Exception {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        TokenVerifier byName = token -> new TokenVerifier.Verified(new dev.mcpwarden.server.auth.Principal(
                "https://issuer.example", token, null, java.util.Set.of(), null, java.util.Set.of(), java.util.Map.of()),
                Instant.parse("2026-01-01T00:05:00Z"));
        CachingVerifier cache = new CachingVerifier(byName, 100, clock);
        cache.verify("alice-token");
        cache.verify("mallory-token");
        assertThat(cache.answersFromMemory("alice-token")).isTrue();
        // Another token verified next on this thread must not be taken for the one just asked about.
        assertThat(cache.verify("mallory-token").principal().subject()).isEqualTo("mallory-token");
        assertThat(cache.answersFromMemory("alice-token")).isTrue();
        assertThat(cache.verify("alice-token").principal().subject()).isEqualTo("alice-token");
        assertThat(cache.answersFromMemory("bob-token")).isFalse();
        assertThat(cache.verify("bob-token").principal().subject()).isEqualTo("bob-token");
    }
}
