package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.SecurityConfig;
import dev.mcpwarden.security.audit.AuditConfig;
import dev.mcpwarden.security.guard.InputGuardConfig;
import dev.mcpwarden.security.guard.OutputGuardConfig;
import dev.mcpwarden.security.oauth.AuthenticationConfig;
import dev.mcpwarden.security.oauth.ScopeRules;
import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimitConfig;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.security.oauth.Dpop;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.replay.ReplayCache;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Two replicas of one DPoP-protected resource, each with its own RedisReplayCache on one real Redis. */
class RedisDpopReplicasTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    final ECKey holder = newEcKey();
    RedisServer redis;
    RedisReplayCache cacheA;
    RedisReplayCache cacheB;
    HttpTransport replicaA;
    HttpTransport replicaB;
    String resource;

    static ECKey newEcKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("holder").generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        // behind one load balancer both replicas serve the same resource URL
        resource = "https://mcp.example.com/mcp";
        cacheA = new RedisReplayCache(redis.url(), Duration.ofMillis(500));
        cacheB = new RedisReplayCache(redis.url(), Duration.ofMillis(500));
        replicaA = replica(cacheA);
        replicaB = replica(cacheB);
    }

    @AfterEach
    void stop() throws Exception {
        replicaA.close();
        replicaB.close();
        cacheA.close();
        cacheB.close();
        redis.close();
    }

    HttpTransport replica(ReplayCache replays) throws Exception {
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(URI.create(resource),
                List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of()))
                .dpop(Dpop.optional()).replayCache(replays).scopesOnly().build();
        McpServer server = McpServer.builder("dpop", "1").controls(rs.controls())
                .tool(Tool.builder("t").description("d").handler(ctx -> ToolResult.text("ok")).build()).build();
        return HttpTransport.builder(server, HttpOptions.loopback(Ports.free())).start();
    }

    String boundToken() throws Exception {
        Map<String, Object> c = ISSUER.claims("alice", resource, null);
        c.put("cnf", Map.of("jkt", holder.computeThumbprint().toString()));
        return ISSUER.sign(c);
    }

    String proof(String token) throws Exception {
        return proof(token, null);
    }

    String proof(String token, String nonce) throws Exception {
        String ath = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                .jwk(holder.toPublicJWK()).build(), new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
                .claim("htm", "POST").claim("htu", resource).issueTime(new Date()).claim("ath", ath)
                .claim("nonce", nonce).build());
        jwt.sign(new ECDSASigner(holder));
        return jwt.serialize();
    }

    static McpHttp.Reply call(HttpTransport replica, String token, String proof) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/call", "t");
        h.put("Authorization", "DPoP " + token);
        h.put("DPoP", proof);
        ObjectNode p = Json.object();
        p.put("name", "t");
        p.set("_meta", McpHttp.meta2026(null));
        return new McpHttp(replica.uri()).post(h, McpHttp.request(1, "tools/call", p));
    }

    @Test
    void aProofAcceptedByOneReplicaIsRefusedAsReplayedByTheOther() throws Exception {
        String token = boundToken();
        String p = proof(token);
        assertThat(call(replicaA, token, p).status()).isEqualTo(200);
        McpHttp.Reply replayed = call(replicaB, token, p);
        assertThat(replayed.status()).isEqualTo(401);
        assertThat(replayed.header("WWW-Authenticate")).startsWith("DPoP error=\"invalid_dpop_proof\", "
                + "error_description=\"the DPoP proof was already used\"");
        assertThat(replayed.json().get("error").get("message").asString())
                .isEqualTo("Unauthorized: the DPoP proof was already used");
        assertThat(call(replicaB, token, proof(token)).status()).as("a fresh proof is fine").isEqualTo(200);
    }

    @Test
    void withRedisDownAProofIsRefusedWith503NeverAccepted() throws Exception {
        String token = boundToken();
        redis.stop();
        McpHttp.Reply r = call(replicaA, token, proof(token));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("5");
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Service Unavailable: the DPoP proof cannot be checked right now");
    }

    /** A replica as {@code warden.yaml} describes it: DPoP, and a rate-limit limiter of kind redis. */
    HttpTransport configuredReplica() throws Exception {
        return configuredReplica(Dpop.optional());
    }

    HttpTransport configuredReplica(Dpop dpop) throws Exception {
        SecurityConfig config = new SecurityConfig(new AuthenticationConfig(ResourceServerConfig.of(URI.create(resource),
                List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of()),
                Optional.of(dpop), Optional.empty()), ScopeRules.none(), Optional.empty(),
                new RateLimitConfig(List.of(), List.of(), new LimiterConfig.Redis(URI.create(redis.url()),
                        Optional.empty()), RateLimitStage.WhenUnavailable.FAIL_OPEN),
                InputGuardConfig.none(), OutputGuardConfig.defaults(), Optional.empty(), AuditConfig.none());
        McpServer server = McpServer.builder("dpop", "1").controls(Security.from(config, InstantSource.system()).build())
                .tool(Tool.builder("t").description("d").handler(ctx -> ToolResult.text("ok")).build()).build();
        return HttpTransport.builder(server, HttpOptions.loopback(Ports.free())).start();
    }

    @Test
    void replicasConfiguredWithARedisLimiterShareTheirDpopReplayCacheInItAndNeverFailOpen() throws Exception {
        try (HttpTransport a = configuredReplica(); HttpTransport b = configuredReplica()) {
            String token = boundToken();
            String p = proof(token);
            assertThat(call(a, token, p).status()).isEqualTo(200);
            assertThat(call(b, token, p).json().get("error").get("message").asString())
                    .isEqualTo("Unauthorized: the DPoP proof was already used");
            redis.stop();
            McpHttp.Reply down = call(b, token, proof(token));
            assertThat(down.status()).as("a fail-open limiter does not open replay protection").isEqualTo(503);
            assertThat(down.json().get("error").get("message").asString())
                    .isEqualTo("Service Unavailable: the DPoP proof cannot be checked right now");
        }
    }

    @Test
    void aNonceOneConfiguredReplicaIssuedIsAcceptedByTheOtherAndItsProofThenRefusedAsReplayed() throws Exception {
        // as both replicas read nonce-secret: file:/run/secrets/dpop-nonce from one warden.yaml
        Dpop dpop = Dpop.required(true).withNonceSecret(dev.mcpwarden.security.Secret.of(
                "c2hhcmVkIGJ5IGV2ZXJ5IHJlcGxpY2Egb2YgdGhpcyByZXNvdXJjZQ", "file:/run/secrets/dpop-nonce"));
        try (HttpTransport a = configuredReplica(dpop); HttpTransport b = configuredReplica(dpop)) {
            String token = boundToken();
            McpHttp.Reply asked = call(a, token, proof(token));
            assertThat(asked.status()).isEqualTo(401);
            assertThat(asked.header("WWW-Authenticate")).startsWith("DPoP error=\"use_dpop_nonce\", "
                    + "error_description=\"a fresh DPoP nonce is required\"");
            String nonce = asked.header("DPoP-Nonce");

            String p = proof(token, nonce);
            assertThat(call(b, token, p).status()).as("B accepts A's nonce").isEqualTo(200);
            assertThat(call(a, token, p).json().get("error").get("message").asString())
                    .isEqualTo("Unauthorized: the DPoP proof was already used");
            assertThat(call(a, token, proof(token, nonce + "A")).json().get("error").get("message").asString())
                    .isEqualTo("Unauthorized: a fresh DPoP nonce is required");
        }
    }
}
