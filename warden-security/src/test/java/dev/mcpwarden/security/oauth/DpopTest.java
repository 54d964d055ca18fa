package dev.mcpwarden.security.oauth;

import dev.mcpwarden.testkit.Ports;
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
import dev.mcpwarden.security.replay.ReplayCache;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** DPoP (RFC 9449) sender-constrained tokens over real HTTP. */
class DpopTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    HttpTransport http;
    McpHttp client;
    String resource;
    final ECKey holder = newEcKey();

    static ECKey newEcKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("holder").generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    void start(Dpop dpop) throws Exception {
        start(dpop, ReplayCache.inMemory());
    }

    void start(Dpop dpop, ReplayCache replays) throws Exception {
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        http = replica(dpop, replays, port);
        client = new McpHttp(http.uri());
    }

    /** One replica of the resource at {@link #resource}, listening on {@code port}. */
    HttpTransport replica(Dpop dpop, ReplayCache replays, int port) throws Exception {
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(URI.create(resource),
                List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of())).dpop(dpop)
                .replayCache(replays).build();
        McpServer server = McpServer.builder("dpop", "1").controls(rs.controls())
                .tool(Tool.builder("t").description("d").handler(ctx -> ToolResult.text("ok")).build()).build();
        return HttpTransport.builder(server, HttpOptions.loopback(port)).start();
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
    }

    String boundToken(ECKey key) throws Exception {
        Map<String, Object> c = ISSUER.claims("alice", resource, null);
        c.put("cnf", Map.of("jkt", key.computeThumbprint().toString()));
        return ISSUER.sign(c);
    }

    String proof(ECKey key, String method, String url, String token, String nonce, Date iat) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("htm", method)
                .claim("htu", url).issueTime(iat).claim("ath", DpopVerifier.sha256(token));
        if (nonce != null) {
            b.claim("nonce", nonce);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                .jwk(key.toPublicJWK()).build(), b.build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    McpHttp.Reply call(String scheme, String token, String proof) throws Exception {
        return call(client, scheme, token, proof);
    }

    McpHttp.Reply call(McpHttp client, String scheme, String token, String proof) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/call", "t");
        h.put("Authorization", scheme + " " + token);
        if (proof != null) {
            h.put("DPoP", proof);
        }
        ObjectNode p = Json.object();
        p.put("name", "t");
        p.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(1, "tools/call", p));
    }

    @Test
    void aBoundTokenWithAValidProofIsAccepted() throws Exception {
        start(Dpop.optional());
        String token = boundToken(holder);
        McpHttp.Reply r = call("DPoP", token, proof(holder, "POST", resource, token, null, new Date()));
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void aReplayedProofIsRefused() throws Exception {
        start(Dpop.optional());
        String token = boundToken(holder);
        String p = proof(holder, "POST", resource, token, null, new Date());
        assertThat(call("DPoP", token, p).status()).isEqualTo(200);
        McpHttp.Reply again = call("DPoP", token, p);
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.header("WWW-Authenticate")).startsWith("DPoP error=\"invalid_dpop_proof\", "
                + "error_description=\"the DPoP proof was already used\"");
    }

    @Test
    void aProofReplayedToAnotherReplicaSharingTheReplayCacheIsRefused() throws Exception {
        ReplayCache shared = ReplayCache.inMemory();
        start(Dpop.optional(), shared);
        try (HttpTransport second = replica(Dpop.optional(), shared, Ports.free())) {
            String token = boundToken(holder);
            String p = proof(holder, "POST", resource, token, null, new Date());
            assertThat(call("DPoP", token, p).status()).isEqualTo(200);
            McpHttp.Reply again = call(new McpHttp(second.uri()), "DPoP", token, p);
            assertThat(again.status()).isEqualTo(401);
            assertThat(again.json().get("error").get("message").asString())
                    .isEqualTo("Unauthorized: the DPoP proof was already used");
        }
    }

    @Test
    void aProofThatCannotBeCheckedForReplayIsRefusedWith503() throws Exception {
        start(Dpop.optional(), (key, ttl) -> {
            throw new ReplayCache.ReplayCacheUnavailable("store down", null);
        });
        String token = boundToken(holder);
        McpHttp.Reply r = call("DPoP", token, proof(holder, "POST", resource, token, null, new Date()));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("5");
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Service Unavailable: the DPoP proof cannot be checked right now");
    }

    @Test
    void theReplayCacheRemembersAProofForTwoProofWindowsUnderAKeyNamingTheResource() throws Exception {
        java.util.List<String> keys = new java.util.ArrayList<>();
        java.util.List<java.time.Duration> ttls = new java.util.ArrayList<>();
        start(new Dpop(Dpop.Mode.OPTIONAL, false, java.time.Duration.ofSeconds(45)), (key, ttl) -> {
            keys.add(key);
            ttls.add(ttl);
            return true;
        });
        String token = boundToken(holder);
        SignedJWT p = SignedJWT.parse(proof(holder, "POST", resource, token, null, new Date()));
        assertThat(call("DPoP", token, p.serialize()).status()).isEqualTo(200);
        assertThat(keys).containsExactly("dpop\u0000" + resource + "\u0000" + holder.computeThumbprint() + "\u0000"
                + p.getJWTClaimsSet().getJWTID());
        assertThat(ttls).containsExactly(java.time.Duration.ofSeconds(90));
    }

    @Test
    void aProofFromAnotherKeyOrForAnotherRequestIsRefused() throws Exception {
        start(Dpop.optional());
        String token = boundToken(holder);
        assertThat(call("DPoP", token, proof(newEcKey(), "POST", resource, token, null, new Date())).json()
                .get("error").get("message").asString())
                .isEqualTo("Unauthorized: the access token is not bound to the DPoP key");
        assertThat(call("DPoP", token, proof(holder, "GET", resource, token, null, new Date())).json()
                .get("error").get("message").asString()).isEqualTo("Unauthorized: the DPoP proof is for another HTTP method");
        assertThat(call("DPoP", token, proof(holder, "POST", "https://other.example/mcp", token, null, new Date()))
                .json().get("error").get("message").asString()).isEqualTo("Unauthorized: the DPoP proof is for another URL");
        assertThat(call("DPoP", token, proof(holder, "POST", resource, "other-token", null, new Date())).json()
                .get("error").get("message").asString())
                .isEqualTo("Unauthorized: the DPoP proof does not match the access token");
        assertThat(call("DPoP", token, proof(holder, "POST", resource, token, null,
                new Date(System.currentTimeMillis() - 600_000))).json().get("error").get("message").asString())
                .isEqualTo("Unauthorized: the DPoP proof is too old or from the future");
        assertThat(call("DPoP", token, null).json().get("error").get("message").asString())
                .isEqualTo("Unauthorized: send exactly one DPoP proof header");
    }

    @Test
    void aBoundTokenUsedAsABearerTokenIsRefused() throws Exception {
        start(Dpop.optional());
        McpHttp.Reply r = call("Bearer", boundToken(holder), null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\"");
    }

    @Test
    void requiredModeRefusesBearerTokensAndAdvertisesDpop() throws Exception {
        start(Dpop.required(false));
        McpHttp.Reply r = call("Bearer", ISSUER.sign(ISSUER.claims("alice", resource, null)), null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("DPoP error=\"invalid_request\"").contains("algs=\"");
        McpHttp.Reply meta = new McpHttp(URI.create(resource.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")))
                .send("GET", Map.of(), null);
        assertThat(meta.json().get("dpop_bound_access_tokens_required").asBoolean()).isTrue();
        // RFC 9728: the proofs' algorithms under their own name; resource_signing_alg_values_supported would claim
        // that this resource signs its responses, which it does not.
        List<String> algs = new java.util.ArrayList<>();
        meta.json().get("dpop_signing_alg_values_supported").forEach(a -> algs.add(a.asString()));
        assertThat(algs).contains("ES256", "RS256").isSorted().allSatisfy(a -> assertThat(a).doesNotStartWith("HS"));
        assertThat(meta.json().has("resource_signing_alg_values_supported")).isFalse();
    }

    @Test
    void oneKeysProofsBeyondItsQuotaAre429AndNeverReachTheReplayCache() throws Exception {
        resource = "http://127.0.0.1:1/mcp";
        java.util.List<String> recorded = new java.util.ArrayList<>();
        ReplayCache counting = (key, ttl) -> recorded.add(key);
        DpopVerifier verifier = new DpopVerifier(Dpop.optional(), Set.of(JWSAlgorithm.ES256), resource,
                java.time.InstantSource.system(), counting, 3);
        String token = boundToken(holder);
        Map<String, Object> claims = Map.of("cnf", Map.of("jkt", holder.computeThumbprint().toString()));
        for (int i = 0; i < 3; i++) {
            assertThat(verifier.check(proof(holder, "POST", resource, token, null, new Date()), "POST", token, claims))
                    .isNull();
        }
        DpopVerifier.Failure over = verifier.check(proof(holder, "POST", resource, token, null, new Date()), "POST",
                token, claims);
        assertThat(over).isNotNull();
        assertThat(over.limited()).isTrue();
        assertThat(over.retryAfterSeconds()).isEqualTo(120); // two proof windows of 60 s
        assertThat(over.description()).isEqualTo("too many DPoP proofs with this key");
        assertThat(recorded).hasSize(3);
        // Another key has its own quota.
        ECKey other = newEcKey();
        String otherToken = boundToken(other);
        assertThat(verifier.check(proof(other, "POST", resource, otherToken, null, new Date()), "POST", otherToken,
                Map.of("cnf", Map.of("jkt", other.computeThumbprint().toString())))).isNull();
    }

    @Test
    void requiredNoncesAreIssuedAndThenAccepted() throws Exception {
        start(Dpop.required(true));
        String token = boundToken(holder);
        McpHttp.Reply first = call("DPoP", token, proof(holder, "POST", resource, token, null, new Date()));
        assertThat(first.status()).isEqualTo(401);
        assertThat(first.header("WWW-Authenticate")).startsWith("DPoP error=\"use_dpop_nonce\"");
        String nonce = first.header("DPoP-Nonce");
        assertThat(nonce).hasSizeGreaterThan(20);
        assertThat(call("DPoP", token, proof(holder, "POST", resource, token, nonce, new Date())).status())
                .isEqualTo(200);
    }

    static final dev.mcpwarden.security.Secret NONCE_SECRET = dev.mcpwarden.security.Secret.of(
            "b3Vy-c2hhcmVkLW5vbmNlLXNlY3JldC1mb3ItYWxsLXJlcGxpY2Fz", "env:WARDEN_DPOP_NONCE_SECRET");

    /** The nonce {@code http} asks for when a proof comes without one. */
    String nonceFrom(McpHttp at) throws Exception {
        String token = boundToken(holder);
        McpHttp.Reply r = call(at, "DPoP", token, proof(holder, "POST", resource, token, null, new Date()));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("DPoP error=\"use_dpop_nonce\", "
                + "error_description=\"a fresh DPoP nonce is required\"");
        return r.header("DPoP-Nonce");
    }

    @Test
    void aNonceIssuedByOneReplicaIsAcceptedByAnotherWithTheSameNonceSecret() throws Exception {
        ReplayCache shared = ReplayCache.inMemory();
        Dpop dpop = Dpop.required(true).withNonceSecret(NONCE_SECRET);
        start(dpop, shared);
        try (HttpTransport second = replica(dpop, shared, Ports.free())) {
            String nonce = nonceFrom(client);
            String token = boundToken(holder);

            McpHttp.Reply atB = call(new McpHttp(second.uri()), "DPoP", token,
                    proof(holder, "POST", resource, token, nonce, new Date()));

            assertThat(atB.status()).isEqualTo(200);
            assertThat(nonceFrom(new McpHttp(second.uri()))).as("both issue the same nonce").isEqualTo(nonce);
        }
    }

    @Test
    void withoutASharedNonceSecretAnotherReplicaAsksForANonceOfItsOwn() throws Exception {
        ReplayCache shared = ReplayCache.inMemory();
        start(Dpop.required(true), shared);
        try (HttpTransport second = replica(Dpop.required(true), shared, Ports.free())) {
            String nonce = nonceFrom(client);
            String token = boundToken(holder);

            McpHttp.Reply atB = call(new McpHttp(second.uri()), "DPoP", token,
                    proof(holder, "POST", resource, token, nonce, new Date()));

            assertThat(atB.status()).isEqualTo(401);
            assertThat(atB.header("WWW-Authenticate")).startsWith("DPoP error=\"use_dpop_nonce\", "
                    + "error_description=\"a fresh DPoP nonce is required\"");
            assertThat(atB.header("DPoP-Nonce")).isNotEqualTo(nonce);
            assertThat(atB.json().get("error").get("message").asString())
                    .isEqualTo("Unauthorized: a fresh DPoP nonce is required");
        }
    }

    @Test
    void aForgedNonceIsRefusedWithAFreshOne() throws Exception {
        start(Dpop.required(true).withNonceSecret(NONCE_SECRET));
        String real = nonceFrom(client);
        String otherKey = new DpopNonces(new byte[32], resource, java.time.InstantSource.system()).current();
        char c = real.charAt(30); // in the MAC, past the window
        String tampered = real.substring(0, 30) + (c == 'A' ? 'B' : 'A') + real.substring(31);
        String token = boundToken(holder);
        for (String forged : List.of(otherKey, tampered, "not-a-nonce", real + "AAAA")) {
            McpHttp.Reply r = call("DPoP", token, proof(holder, "POST", resource, token, forged, new Date()));

            assertThat(r.status()).as(forged).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).as(forged).startsWith("DPoP error=\"use_dpop_nonce\", "
                    + "error_description=\"a fresh DPoP nonce is required\"");
            assertThat(r.header("DPoP-Nonce")).isEqualTo(real);
        }
    }
}
