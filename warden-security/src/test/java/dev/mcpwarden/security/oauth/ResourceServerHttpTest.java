package dev.mcpwarden.security.oauth;

import dev.mcpwarden.testkit.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The resource server over real HTTP: one test per rule of token handling, scopes and session binding. */
class ResourceServerHttpTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    static final TestTokens OTHER = TestTokens.issuer("https://evil.example");
    static HttpTransport http;
    static McpHttp client;
    static String resource;

    @BeforeAll
    static void start() throws Exception {
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        ResourceServerConfig config = ResourceServerConfig.of(URI.create(resource),
                List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("tickets:read"));
        ResourceServer rs = ResourceServer.create(config, ScopeRequirements.none().tool("read", "tickets:read")
                        .method("prompts/list", "prompts:read").prompt("secret_prompt", "admin")
                        .resource("docs://secret", "admin"),
                (p, kind, name) -> !(kind == Target.Kind.TOOL && name.equals("delete")) || p.hasRole("admin"),
                InstantSource.system());
        McpServer server = McpServer.builder("protected", "1.0.0").controls(rs.controls())
                .tool(Tool.builder("read").description("reads").handler(ctx -> ToolResult.text("read ok")).build())
                .tool(Tool.builder("write").description("writes").requiredScopes("tickets:write")
                        .handler(ctx -> ToolResult.text("write ok")).build())
                .tool(Tool.builder("delete").description("deletes").handler(ctx -> ToolResult.text("deleted")).build())
                .prompt(new dev.mcpwarden.server.prompt.Prompt("secret_prompt", null, "needs admin", List.of(),
                        (args, ctx) -> new dev.mcpwarden.server.prompt.Prompt.Rendered(null, List.of(
                                dev.mcpwarden.core.content.PromptMessage.user(
                                        dev.mcpwarden.core.content.Content.text("secret"))))))
                .resource(dev.mcpwarden.server.resource.Resource.text("docs://secret", "secret", "text/plain", "s"))
                .build();
        http = HttpTransport.builder(server, HttpOptions.loopback(port)).start();
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    static Map<String, Object> claims(String scope) {
        return ISSUER.claims("alice", resource, scope);
    }

    static McpHttp.Reply call(String token, String tool) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/call", tool);
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(1, "tools/call", p));
    }

    static McpHttp.Reply list(String token) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Authorization", "Bearer " + token);
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(2, "tools/list", p));
    }

    static void assertInvalidToken(McpHttp.Reply r) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\", resource_metadata=\""
                + metadataUrl() + "\", scope=\"tickets:read\"");
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Unauthorized: the access token is invalid or expired");
    }

    static String metadataUrl() {
        return resource.replace("/mcp", "/.well-known/oauth-protected-resource/mcp");
    }

    @Test
    void aValidTokenIsAccepted() throws Exception {
        McpHttp.Reply r = call(ISSUER.sign(claims("tickets:read")), "read");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result").get("content").get(0).get("text").asString()).isEqualTo("read ok");
    }

    @Test
    void noTokenIs401WithTheMetadataChallenge() throws Exception {
        McpHttp.Reply r = call(null, "read");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate"))
                .isEqualTo("Bearer resource_metadata=\"" + metadataUrl() + "\", scope=\"tickets:read\"");
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Unauthorized: a bearer token is required");
    }

    @Test
    void protectedResourceMetadataIsServedAtThePathSpecificUrl() throws Exception {
        McpHttp.Reply r = new McpHttp(URI.create(metadataUrl())).send("GET", Map.of(), null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(doc.get("resource").asString()).isEqualTo(resource);
        assertThat(doc.get("authorization_servers").get(0).asString()).isEqualTo("https://issuer.example");
        assertThat(doc.get("scopes_supported").get(0).asString()).isEqualTo("tickets:read");
        assertThat(doc.get("bearer_methods_supported").get(0).asString()).isEqualTo("header");
        // This resource signs no responses (RFC 9728 resource_signing_alg_values_supported), and takes no DPoP here.
        assertThat(doc.has("resource_signing_alg_values_supported")).isFalse();
        assertThat(doc.has("dpop_signing_alg_values_supported")).isFalse();
    }

    @Test
    void garbageIsAnInvalidToken() throws Exception {
        assertInvalidToken(call("not-a-jwt", "read"));
    }

    @Test
    void expiredTokenIsRejected() throws Exception {
        Map<String, Object> c = claims("tickets:read");
        c.put("exp", Instant.now().getEpochSecond() - 3600);
        assertInvalidToken(call(ISSUER.sign(c), "read"));
    }

    @Test
    void expiryWithinTheSkewIsStillAccepted() throws Exception {
        Map<String, Object> c = claims("tickets:read");
        c.put("exp", Instant.now().getEpochSecond() - 30);
        assertThat(call(ISSUER.sign(c), "read").status()).isEqualTo(200);
    }

    @Test
    void notYetValidTokenIsRejected() throws Exception {
        Map<String, Object> c = claims("tickets:read");
        c.put("nbf", Instant.now().getEpochSecond() + 3600);
        assertInvalidToken(call(ISSUER.sign(c), "read"));
    }

    @Test
    void tokenIssuedInTheFutureIsRejected() throws Exception {
        Map<String, Object> c = claims("tickets:read");
        c.put("iat", Instant.now().getEpochSecond() + 600);
        assertInvalidToken(call(ISSUER.sign(c), "read"));
    }

    @Test
    void tokenWithoutExpiryIsRejected() throws Exception {
        Map<String, Object> c = claims("tickets:read");
        c.put("exp", null);
        assertInvalidToken(call(ISSUER.sign(c), "read"));
    }

    @Test
    void tokenForAnotherAudienceIsRejected() throws Exception {
        Map<String, Object> c = claims("tickets:read");
        c.put("aud", "https://graph.example.com");
        assertInvalidToken(call(ISSUER.sign(c), "read"));
    }

    @Test
    void tokenFromAnUntrustedIssuerIsRejected() throws Exception {
        assertInvalidToken(call(OTHER.sign(OTHER.claims("alice", resource, "tickets:read")), "read"));
    }

    @Test
    void trustedIssuerClaimSignedWithAnUnknownKeyIsRejected() throws Exception {
        assertInvalidToken(call(TestTokens.sign(claims("tickets:read"), TestTokens.newKey("stranger"),
                new JOSEObjectType("at+jwt")), "read"));
    }

    @Test
    void unsignedTokenIsRejected() throws Exception {
        assertInvalidToken(call(TestTokens.unsigned(claims("tickets:read")), "read"));
    }

    @Test
    void hmacSignedWithThePublicKeyIsRejected() throws Exception {
        assertInvalidToken(call(ISSUER.hmacWithPublicKey(claims("tickets:read")), "read"));
    }

    @Test
    void tamperedPayloadIsRejected() throws Exception {
        assertInvalidToken(call(ISSUER.tampered(claims("tickets:read")), "read"));
    }

    @Test
    void aKeyEmbeddedInTheTokenIsNeverTrusted() throws Exception {
        assertInvalidToken(call(ISSUER.withEmbeddedJwk(claims("tickets:read"), TestTokens.newKey("embedded")),
                "read"));
    }

    @Test
    void tokenInTheQueryStringIsRefused() throws Exception {
        McpHttp q = new McpHttp(URI.create(resource + "?access_token=" + ISSUER.sign(claims("tickets:read"))));
        ObjectNode p = Json.object();
        p.put("name", "read");
        p.set("_meta", McpHttp.meta2026(null));
        McpHttp.Reply r = q.post(McpHttp.headers2026("tools/call", "read"), McpHttp.request(1, "tools/call", p));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_request\", resource_metadata=");
    }

    @Test
    void basicAuthenticationIsNotABearerToken() throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Authorization", "Basic YWxpY2U6cGFzc3dvcmQ=");
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        McpHttp.Reply r = client.post(h, McpHttp.request(1, "tools/list", p));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer resource_metadata=");
    }

    @Test
    void missingToolScopeIs403WithAStepUpChallenge() throws Exception {
        McpHttp.Reply r = call(ISSUER.sign(claims("tickets:read")), "write");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer error=\"insufficient_scope\", scope=\"tickets:write\", "
                + "resource_metadata=\"" + metadataUrl() + "\", error_description=\"This operation needs the scopes "
                + "tickets:write\"");
        assertThat(r.json().get("id").asInt()).isEqualTo(1);
        assertThat(r.json().get("error").get("message").asString())
                .isEqualTo("Forbidden: insufficient scope, needs tickets:write");
    }

    @Test
    void configuredToolScopesAreEnforcedToo() throws Exception {
        McpHttp.Reply r = call(ISSUER.sign(claims("tickets:write")), "read");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("WWW-Authenticate")).contains("scope=\"tickets:read\"");
    }

    @Test
    void toolsListShowsOnlyWhatTheCallerMayCall() throws Exception {
        JsonNode tools = list(ISSUER.sign(claims("tickets:read"))).json().get("result").get("tools");
        assertThat(tools.findValuesAsString("name")).containsExactly("read");
        JsonNode all = list(ISSUER.sign(claims("tickets:read tickets:write"))).json().get("result").get("tools");
        assertThat(all.findValuesAsString("name")).containsExactly("read", "write");
    }

    @Test
    void aToolThePolicyDeniesLooksMissing() throws Exception {
        McpHttp.Reply r = call(ISSUER.sign(claims("tickets:read")), "delete");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Unknown tool: delete");
        Map<String, Object> admin = claims("tickets:read");
        admin.put("roles", List.of("admin"));
        assertThat(call(ISSUER.sign(admin), "delete").json().get("result").get("content").get(0).get("text")
                .asString()).isEqualTo("deleted");
    }

    static McpHttp.Reply request(String token, String method, String name, ObjectNode params) throws Exception {
        Map<String, String> h = McpHttp.headers2026(method, name);
        h.put("Authorization", "Bearer " + token);
        params.set("_meta", McpHttp.meta2026(null));
        return client.post(h, McpHttp.request(5, method, params));
    }

    @Test
    void methodScopesAreCheckedBeforeAnythingRuns() throws Exception {
        McpHttp.Reply r = request(ISSUER.sign(claims("tickets:read")), "prompts/list", null, Json.object());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("WWW-Authenticate")).contains("scope=\"prompts:read\"");
        assertThat(request(ISSUER.sign(claims("prompts:read")), "prompts/list", null, Json.object()).status())
                .isEqualTo(200);
    }

    @Test
    void configuredPromptAndResourceScopesAreEnforced() throws Exception {
        ObjectNode get = Json.object();
        get.put("name", "secret_prompt");
        McpHttp.Reply prompt = request(ISSUER.sign(claims("prompts:read")), "prompts/get", "secret_prompt", get);
        assertThat(prompt.status()).isEqualTo(403);
        assertThat(prompt.header("WWW-Authenticate")).contains("scope=\"admin\"");
        ObjectNode read = Json.object();
        read.put("uri", "docs://secret");
        McpHttp.Reply resource = request(ISSUER.sign(claims("tickets:read")), "resources/read", "docs://secret", read);
        assertThat(resource.status()).isEqualTo(403);
        McpHttp.Reply ok = request(ISSUER.sign(claims("admin")), "resources/read", "docs://secret", read);
        assertThat(ok.json().get("result").get("contents").get(0).get("text").asString()).isEqualTo("s");
        JsonNode listed = request(ISSUER.sign(claims("tickets:read")), "resources/list", null, Json.object()).json();
        assertThat(listed.get("result").get("resources")).isEmpty();
    }

    @Test
    void aKeySetUrlInTheTokenIsNeverFetched() throws Exception {
        com.nimbusds.jose.jwk.RSAKey attacker = TestTokens.newKey(ISSUER.key().getKeyID());
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256)
                        .keyID(attacker.getKeyID()).jwkURL(URI.create("https://evil.example/jwks.json"))
                        .x509CertURL(URI.create("https://evil.example/cert.pem")).build(),
                com.nimbusds.jwt.JWTClaimsSet.parse(claims("tickets:read").entrySet().stream().collect(
                        java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue() instanceof Long l
                                && !e.getKey().equals("aud") ? l : e.getValue()))));
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(attacker));
        assertInvalidToken(call(jwt.serialize(), "read"));
    }

    private static String initialize(String token) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        h.put("Authorization", "Bearer " + token);
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "t").put("version", "1");
        return client.post(h, McpHttp.request(0, "initialize", params)).header("Mcp-Session-Id");
    }

    private static McpHttp.Reply legacyList(String session, String token) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        h.put("Mcp-Session-Id", session);
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        return client.post(h, McpHttp.request(1, "tools/list", null));
    }

    @Test
    void aSessionIsBoundToItsPrincipal() throws Exception {
        String alice = ISSUER.sign(claims("tickets:read"));
        String session = initialize(alice);
        assertThat(legacyList(session, alice).status()).isEqualTo(200);
        String bob = ISSUER.sign(ISSUER.claims("bob", resource, "tickets:read"));
        McpHttp.Reply r = legacyList(session, bob);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Session not found");
    }

    @Test
    void aSessionIsNotAnAuthentication() throws Exception {
        String session = initialize(ISSUER.sign(claims("tickets:read")));
        assertThat(legacyList(session, null).status()).isEqualTo(401);
    }
}
