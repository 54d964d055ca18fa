package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.KeycloakServer;
import dev.mcpwarden.testkit.McpHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Interop with a real authorization server: Keycloak (from Maven Central, unpacked by the build) issues the tokens,
 * Warden discovers its keys from the realm's metadata and protects an MCP server served over real HTTP.
 *
 * <p>The realm ({@code keycloak/warden-realm.json}) has a confidential client {@code warden-agent} (client
 * credentials, service account with realm role {@code ticket-admin}), a confidential client {@code other-service}
 * whose tokens name another audience, and a public client {@code warden-cli} (password grant) with user alice. A
 * client scope with an audience mapper puts this server's resource URI into {@code aud}; the client scope
 * {@code tickets:read} puts that scope into {@code scope}. Keycloak is started once for the class.
 */
@Tag("keycloak")
class KeycloakInteropTest {

    static final String REALM = "warden";
    static final String OTHER_AUDIENCE = "https://other.example/api";

    static KeycloakServer keycloak;
    static HttpTransport http;
    static McpHttp client;
    static String resource;

    @BeforeAll
    static void start() throws Exception {
        // Warden's port comes first: the realm's audience mapper must name the resource URI.
        int port = KeycloakServer.freePort();
        resource = "http://127.0.0.1:" + port + "/mcp";
        String realm = new String(KeycloakInteropTest.class.getResourceAsStream("/keycloak/warden-realm.json")
                .readAllBytes(), StandardCharsets.UTF_8)
                .replace("@@WARDEN_RESOURCE@@", resource)
                .replace("@@OTHER_AUDIENCE@@", OTHER_AUDIENCE);
        keycloak = KeycloakServer.start(REALM, realm);

        ResourceServerConfig config = ResourceServerConfig.of(URI.create(resource),
                        List.of(TrustedIssuer.discover(keycloak.issuer())), Set.of("tickets:read"))
                .withClaims("tenant", "realm_access.roles");      // where Keycloak puts realm roles
        ResourceServer rs = ResourceServer.create(config, ScopeRequirements.none(),
                (p, kind, name) -> !(kind == Target.Kind.TOOL && name.equals("delete_ticket"))
                        || p.hasRole("ticket-admin"),
                InstantSource.system());
        McpServer server = McpServer.builder("keycloak-protected", "1.0.0").controls(rs.controls())
                .tool(Tool.builder("whoami").description("Who the token says the caller is")
                        .requiredScopes("tickets:read").handler(ctx -> ToolResult.text(describe(ctx.principal())))
                        .build())
                .tool(Tool.builder("delete_ticket").description("Deletes a ticket (role ticket-admin)")
                        .requiredScopes("tickets:read").handler(ctx -> ToolResult.text("deleted")).build())
                .build();
        http = HttpTransport.builder(server, HttpOptions.loopback(port)).start();
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        try {
            if (http != null) {
                http.close();
            }
        } finally {
            if (keycloak != null) {
                keycloak.close();
            }
        }
    }

    static String describe(Principal p) {
        return "issuer=" + p.issuer() + " subject=" + p.subject() + " client=" + p.clientId() + " scopes="
                + new TreeSet<>(p.scopes()) + " roles=" + new TreeSet<>(p.roles());
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

    static String text(McpHttp.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("result").get("content").get(0).get("text").asString();
    }

    static String metadataUrl() {
        return resource.replace("/mcp", "/.well-known/oauth-protected-resource/mcp");
    }

    static JsonNode claims(String jwt) {
        return Json.standard().parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
                StandardCharsets.UTF_8));
    }

    static String agentToken() throws IOException, InterruptedException {
        return keycloak.clientCredentials("warden-agent", "warden-agent-secret");
    }

    @Test
    void aClientCredentialsTokenForThisServerIsAccepted() throws Exception {
        String token = agentToken();
        assertThat(claims(token).get("aud").asString()).isEqualTo(resource);
        String who = text(call(token, "whoami"));
        assertThat(who).startsWith("issuer=" + keycloak.issuer() + " subject=")
                .contains("client=warden-agent")                  // from azp: Keycloak sends no client_id claim
                .contains("scopes=[tickets:read]")
                .contains("roles=[ticket-admin]");                 // from realm_access.roles
    }

    @Test
    void keycloakTokensAreTypedJwtNotAtJwt() throws Exception {
        // Keycloak signs access tokens with typ "JWT" (and a "typ": "Bearer" claim), not RFC 9068's at+jwt: the
        // default configuration accepts them, requiring at+jwt would shut Keycloak out.
        String token = agentToken();
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(Json.standard().parse(header).get("typ").asString()).isEqualTo("JWT");
        ResourceServerConfig base = ResourceServerConfig.of(URI.create(resource),
                List.of(TrustedIssuer.discover(keycloak.issuer())), Set.of("tickets:read"));
        assertThat(new JwtVerifier(base, InstantSource.system()).verify(token)).isNotNull();
        assertThatThrownBy(() -> new JwtVerifier(base.withRequireAtJwtType(true), InstantSource.system())
                .verify(token)).isInstanceOf(TokenRejected.class);
    }

    @Test
    void aKeycloakTokenForAnotherAudienceIsRejected() throws Exception {
        String token = keycloak.clientCredentials("other-service", "other-service-secret");
        JsonNode c = claims(token);
        assertThat(c.get("aud").asString()).isEqualTo(OTHER_AUDIENCE);
        assertThat(c.get("scope").asString()).isEqualTo("tickets:read");   // right issuer, right scope, wrong aud
        McpHttp.Reply r = call(token, "whoami");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer ")
                .contains("error=\"invalid_token\"")
                .contains("resource_metadata=\"" + metadataUrl() + "\"");
    }

    @Test
    void aKeycloakTokenWithABrokenSignatureIsRejected() throws Exception {
        String token = agentToken();
        int dot = token.lastIndexOf('.');
        int i = dot + 10;
        char flipped = token.charAt(i) == 'A' ? 'B' : 'A';
        String forged = token.substring(0, i) + flipped + token.substring(i + 1);
        McpHttp.Reply r = call(forged, "whoami");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
    }

    @Test
    void noTokenIs401PointingAtTheResourceMetadata() throws Exception {
        McpHttp.Reply r = call(null, "whoami");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer ")
                .contains("resource_metadata=\"" + metadataUrl() + "\"")
                .doesNotContain("error=");
    }

    @Test
    void aClientCanFollowTheMetadataToKeycloakAndBack() throws Exception {
        // What an MCP client does after a 401: protected resource metadata -> authorization server metadata
        // (RFC 8414, which Keycloak serves at the path-inserted well-known URL) -> token endpoint -> token.
        JsonNode prm = keycloak.getJson(URI.create(metadataUrl()));
        assertThat(prm.get("resource").asString()).isEqualTo(resource);
        String as = prm.get("authorization_servers").get(0).asString();
        assertThat(as).isEqualTo(keycloak.issuer());
        JsonNode asMetadata = keycloak.getJson(URI.create(IssuerKeys.metadataUrls(as).get(0)));
        assertThat(asMetadata.get("issuer").asString()).isEqualTo(as);
        URI tokenEndpoint = URI.create(asMetadata.get("token_endpoint").asString());
        String token = keycloak.token(tokenEndpoint, "warden-agent", "warden-agent-secret",
                Map.of("grant_type", "client_credentials", "scope", "tickets:read"));
        assertThat(text(call(token, "whoami"))).contains("client=warden-agent");
    }

    @Test
    void aUserTokenNeedsTheToolScope() throws Exception {
        // tickets:read is an optional scope of the public client: without asking for it, the token lacks it.
        String without = keycloak.password("warden-cli", "alice", "alice-password", null);
        assertThat(claims(without).get("aud").asString()).isEqualTo(resource);
        McpHttp.Reply r = call(without, "whoami");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"")
                .contains("scope=\"tickets:read\"");

        String with = keycloak.password("warden-cli", "alice", "alice-password", "tickets:read");
        String who = text(call(with, "whoami"));
        assertThat(who).contains("subject=" + claims(with).get("sub").asString())
                .contains("client=warden-cli")
                .contains("scopes=[tickets:read]");
    }

    @Test
    void realmRolesDecideWhoSeesATool() throws Exception {
        assertThat(text(call(agentToken(), "delete_ticket"))).isEqualTo("deleted");
        String alice = keycloak.password("warden-cli", "alice", "alice-password", "tickets:read");
        McpHttp.Reply r = call(alice, "delete_ticket");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Unknown tool: delete_ticket");
    }
}
