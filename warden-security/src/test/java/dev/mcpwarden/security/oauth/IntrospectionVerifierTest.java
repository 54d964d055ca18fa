package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.mcpwarden.testkit.FakeClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Opaque tokens through a real RFC 7662 introspection endpoint. */
class IntrospectionVerifierTest {

    static final String RESOURCE = "https://mcp.example.com/mcp";
    static final String ISSUER = "https://as.example.com";
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    HttpServer as;
    URI endpoint;
    final AtomicInteger calls = new AtomicInteger();
    volatile int status = 200;
    final FakeClock clock = new FakeClock(NOW);

    Map<String, String> responses() {
        long now = NOW.getEpochSecond();
        return Map.of(
                "good", "{\"active\":true,\"sub\":\"alice\",\"aud\":[\"" + RESOURCE + "\"],\"iss\":\"" + ISSUER
                        + "\",\"exp\":" + (now + 30) + ",\"scope\":\"a b\",\"client_id\":\"cli\",\"tenant\":\"acme\"}",
                "inactive", "{\"active\":false}",
                "other-aud", "{\"active\":true,\"sub\":\"alice\",\"aud\":\"https://other.example\",\"exp\":"
                        + (now + 30) + "}",
                "no-aud", "{\"active\":true,\"sub\":\"alice\",\"exp\":" + (now + 30) + "}",
                "other-iss", "{\"active\":true,\"sub\":\"alice\",\"aud\":\"" + RESOURCE
                        + "\",\"iss\":\"https://evil.example\",\"exp\":" + (now + 30) + "}",
                "expired", "{\"active\":true,\"sub\":\"alice\",\"aud\":\"" + RESOURCE + "\",\"exp\":" + (now - 3600) + "}");
    }

    @BeforeEach
    void start() throws Exception {
        as = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        as.createContext("/introspect", ex -> {
            calls.incrementAndGet();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String expected = "Basic " + Base64.getEncoder().encodeToString("rs:secret".getBytes(StandardCharsets.UTF_8));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String token = URLDecoder.decode(body.replaceAll(".*token=([^&]*).*", "$1"), StandardCharsets.UTF_8);
            int code = !expected.equals(auth) ? 401 : status;
            byte[] out = responses().getOrDefault(token, "{\"active\":false}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(code, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        as.start();
        endpoint = URI.create("http://127.0.0.1:" + as.getAddress().getPort() + "/introspect");
    }

    @AfterEach
    void stop() {
        as.stop(0);
    }

    private TokenVerifier verifier(String secret) {
        ResourceServerConfig config = ResourceServerConfig.of(URI.create(RESOURCE),
                List.of(TrustedIssuer.discover(ISSUER)), Set.of());
        return new IntrospectionVerifier(Introspection.of(endpoint, ISSUER, "rs", secret), config, clock);
    }

    private static void assertInvalid(TokenVerifier v, String token, String why) {
        assertThatThrownBy(() -> v.verify(token)).isInstanceOfSatisfying(TokenRejected.class, e -> {
            assertThat(e.reason()).isEqualTo(TokenRejected.Reason.INVALID);
            assertThat(e.getMessage()).isEqualTo(why);
        });
    }

    @Test
    void anActiveTokenForThisResourceBecomesAPrincipal() throws Exception {
        TokenVerifier.Verified v = verifier("secret").verify("good");
        assertThat(v.principal().subject()).isEqualTo("alice");
        assertThat(v.principal().scopes()).containsExactlyInAnyOrder("a", "b");
        assertThat(v.principal().tenant()).isEqualTo("acme");
        assertThat(v.principal().clientId()).isEqualTo("cli");
        assertThat(v.expiresAt()).isEqualTo(NOW.plusSeconds(30));
    }

    @Test
    void inactiveWrongAudienceWrongIssuerAndExpiredAreInvalid() {
        TokenVerifier v = verifier("secret");
        assertInvalid(v, "inactive", "introspection says inactive");
        assertInvalid(v, "other-aud", "not issued for this resource");
        assertInvalid(v, "no-aud", "not issued for this resource");
        assertInvalid(v, "other-iss", "untrusted issuer");
        assertInvalid(v, "expired", "expired");
    }

    @Test
    void anUnreachableOrFailingEndpointIsUnavailableNeverAccepted() {
        status = 500;
        assertThatThrownBy(() -> verifier("secret").verify("good")).isInstanceOfSatisfying(TokenRejected.class,
                e -> assertThat(e.reason()).isEqualTo(TokenRejected.Reason.UNAVAILABLE));
        status = 200;
        assertThatThrownBy(() -> verifier("wrong").verify("good")).isInstanceOfSatisfying(TokenRejected.class,
                e -> assertThat(e.getMessage()).isEqualTo("introspection answered HTTP 401"));
    }

    @Test
    void cachedResultsNeverOutliveTheTokensExpiry() throws Exception {
        CachingVerifier cached = new CachingVerifier(verifier("secret"), 100, clock);
        cached.verify("good");
        cached.verify("good");
        assertThat(calls.get()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(91)); // past exp and the 60 s skew
        assertInvalidAfterExpiry(cached);
        assertThat(calls.get()).isEqualTo(2);
    }

    private void assertInvalidAfterExpiry(TokenVerifier cached) {
        assertThatThrownBy(() -> cached.verify("good")).isInstanceOf(TokenRejected.class).hasMessage("expired");
    }

    @Test
    void jwtsAndOpaqueTokensAreRoutedToTheirVerifiers() {
        assertThat(TokenRouter.looksLikeJwt("a.b.c")).isTrue();
        assertThat(TokenRouter.looksLikeJwt("opaque-token")).isFalse();
        assertThatThrownBy(() -> new Introspection(URI.create("http://as.example.com/i"), ISSUER, "rs", "s",
                Duration.ofSeconds(1), Duration.ZERO))
                .hasMessage("introspection endpoint must be https (or http on loopback), was: http://as.example.com/i");
        assertThat(Introspection.of(endpoint, ISSUER, "rs", "secret").toString()).doesNotContain("secret");
    }
}
