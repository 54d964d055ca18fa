package dev.mcpwarden.client.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OAuth client against a fake MCP server and authorization server on one port (fakes, so that each can be made
 * to misbehave in one way): discovery, registration, PKCE, the resource indicator, RFC 9207, step-up.
 */
class OAuthClientTest {

    static final URI REDIRECT = URI.create("http://localhost:3000/callback");

    /** How the fake misbehaves; defaults are a correct server. */
    static final class Fake {
        String metadataIssuer; // null: the real issuer
        String iss = "";       // "" : the real issuer; null: none
        boolean advertiseIss = true;
        String prmResource;    // null: the MCP endpoint
        String challengeScope = "mcp:read";
        String callScope;      // a scope tools/call needs beyond the token's (403 insufficient_scope)
        final List<Map<String, String>> authorizations = new CopyOnWriteArrayList<>();
        final List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();
        final List<String> registrations = new CopyOnWriteArrayList<>();
        final Map<String, String> scopesOfCode = new LinkedHashMap<>();
        final Map<String, String> scopesOfToken = new java.util.concurrent.ConcurrentHashMap<>();
        HttpServer server;
        String base;

        URI start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            base = "http://127.0.0.1:" + server.getAddress().getPort();
            server.createContext("/", this::handle);
            server.start();
            return URI.create(base + "/mcp");
        }

        private void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getPath();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            switch (path) {
                case "/.well-known/oauth-protected-resource/mcp" -> json(ex, 200, "{\"resource\":\""
                        + (prmResource == null ? base + "/mcp" : prmResource) + "\",\"authorization_servers\":[\""
                        + base + "\"]}");
                case "/.well-known/oauth-authorization-server" -> json(ex, 200, "{\"issuer\":\""
                        + (metadataIssuer == null ? base : metadataIssuer) + "\",\"authorization_endpoint\":\"" + base
                        + "/authorize\",\"token_endpoint\":\"" + base + "/token\",\"registration_endpoint\":\""
                        + base + "/register\",\"code_challenge_methods_supported\":[\"S256\"],"
                        + "\"token_endpoint_auth_methods_supported\":[\"none\"],"
                        + "\"authorization_response_iss_parameter_supported\":" + advertiseIss + "}");
                case "/register" -> {
                    registrations.add(body);
                    json(ex, 201, "{\"client_id\":\"dyn-client\",\"token_endpoint_auth_method\":\"none\","
                            + "\"redirect_uris\":[\"" + REDIRECT + "\"]}");
                }
                case "/authorize" -> {
                    Map<String, String> q = form(ex.getRequestURI().getRawQuery());
                    authorizations.add(q);
                    String code = "code-" + authorizations.size();
                    scopesOfCode.put(code, q.getOrDefault("scope", ""));
                    String loc = q.get("redirect_uri") + "?code=" + code + "&state=" + q.get("state")
                            + (iss == null ? "" : "&iss=" + (iss.isEmpty() ? base : iss));
                    ex.getResponseHeaders().add("Location", loc);
                    ex.sendResponseHeaders(302, -1);
                    ex.close();
                }
                case "/token" -> {
                    Map<String, String> f = form(body);
                    tokenRequests.add(f);
                    String token = "tok-" + tokenRequests.size();
                    scopesOfToken.put(token, scopesOfCode.getOrDefault(f.get("code"), ""));
                    json(ex, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\","
                            + "\"expires_in\":3600}");
                }
                case "/mcp" -> mcp(ex, body);
                default -> json(ex, 404, "{}");
            }
        }

        private void mcp(HttpExchange ex, String body) throws IOException {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
            String prm = "resource_metadata=\"" + base + "/.well-known/oauth-protected-resource/mcp\"";
            if (token == null || !scopesOfToken.containsKey(token)) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\", scope=\""
                        + challengeScope + "\", " + prm);
                json(ex, 401, "{}");
                return;
            }
            JsonNode msg = Json.standard().parse(body);
            if (callScope != null && msg.path("method").asString().equals("tools/call")
                    && !List.of(scopesOfToken.get(token).split(" ")).contains(callScope)) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\""
                        + callScope + "\", " + prm);
                json(ex, 403, "{}");
                return;
            }
            ObjectNode r = Json.object();
            r.put("jsonrpc", "2.0");
            r.set("id", msg.get("id"));
            r.putObject("result").put("resultType", "complete").putArray("tools");
            json(ex, 200, r.toString());
        }

        private static void json(HttpExchange ex, int status, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        }

        static Map<String, String> form(String s) {
            Map<String, String> m = new LinkedHashMap<>();
            if (s != null && !s.isEmpty()) {
                for (String kv : s.split("&")) {
                    int i = kv.indexOf('=');
                    m.put(URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
                }
            }
            return m;
        }
    }

    final Fake fake = new Fake();

    @AfterEach
    void stop() {
        if (fake.server != null) {
            fake.server.stop(0);
        }
    }

    private McpClient client(URI endpoint) throws McpClientException {
        OAuthClient oauth = OAuthClient.authorizationCode(REDIRECT, UserAgent.headless()).build();
        return McpClient.http(endpoint).era(McpClient.Era.MODERN).authorization(oauth).build();
    }

    private static ObjectNode call() {
        ObjectNode p = Json.object();
        p.put("name", "write");
        p.putObject("arguments");
        return p;
    }

    @Test
    void aProtectedServerIsCalledWithATokenFromDiscoveryRegistrationPkceAndTheResourceIndicator() throws Exception {
        URI endpoint = fake.start();
        try (McpClient client = client(endpoint)) {
            assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty();
        }
        assertThat(fake.registrations).hasSize(1);
        assertThat(fake.registrations.getFirst()).contains("\"application_type\":\"native\"")
                .contains("refresh_token");
        Map<String, String> a = fake.authorizations.getFirst();
        assertThat(a).containsEntry("code_challenge_method", "S256").containsEntry("resource", endpoint.toString())
                .containsEntry("scope", "mcp:read").containsEntry("client_id", "dyn-client").containsKey("state");
        Map<String, String> t = fake.tokenRequests.getFirst();
        assertThat(t).containsEntry("grant_type", "authorization_code").containsEntry("resource", endpoint.toString())
                .containsEntry("client_id", "dyn-client").containsKey("code_verifier");
    }

    @Test
    void anAuthorizationResponseNamingAnotherIssuerIsRefusedBeforeTheCodeIsExchanged() throws Exception {
        fake.iss = "https://evil.example.com";
        try (McpClient client = client(fake.start())) {
            assertThatThrownBy(() -> client.list(McpClient.Kind.TOOLS)).isInstanceOf(McpClientException.class)
                    .hasMessageContaining("names the issuer \"https://evil.example.com\"")
                    .hasMessageContaining("RFC 9207")
                    .extracting(e -> ((McpClientException) e).reason())
                    .isEqualTo(McpClientException.Reason.CREDENTIAL_UNAVAILABLE);
        }
        assertThat(fake.authorizations).hasSize(1);
        assertThat(fake.tokenRequests).isEmpty();
    }

    @Test
    void anIssuerWithATrailingSlashIsAnotherIssuer() throws Exception {
        fake.start();
        fake.iss = fake.base + "/";
        try (McpClient client = client(URI.create(fake.base + "/mcp"))) {
            assertThatThrownBy(() -> client.list(McpClient.Kind.TOOLS)).hasMessageContaining("RFC 9207");
        }
        assertThat(fake.tokenRequests).isEmpty();
    }

    @Test
    void aMissingIssIsRefusedWhereTheServerAdvertisesItAndAcceptedWhereItDoesNot() throws Exception {
        fake.iss = null;
        URI endpoint = fake.start();
        try (McpClient client = client(endpoint)) {
            assertThatThrownBy(() -> client.list(McpClient.Kind.TOOLS))
                    .hasMessageContaining("has no iss parameter, which the server advertises (RFC 9207)");
        }
        assertThat(fake.tokenRequests).isEmpty();
        fake.advertiseIss = false;
        try (McpClient client = client(endpoint)) {
            assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty();
        }
        assertThat(fake.tokenRequests).hasSize(1);
    }

    @Test
    void metadataNamingAnotherIssuerIsRefusedAndNothingIsRegisteredOrAuthorized() throws Exception {
        fake.metadataIssuer = "https://attacker.example.com";
        try (McpClient client = client(fake.start())) {
            assertThatThrownBy(() -> client.list(McpClient.Kind.TOOLS))
                    .hasMessageContaining("names the issuer \"https://attacker.example.com\", not " + fake.base);
        }
        assertThat(fake.registrations).isEmpty();
        assertThat(fake.authorizations).isEmpty();
    }

    @Test
    void protectedResourceMetadataForAnotherResourceIsRefusedBeforeAuthorizing() throws Exception {
        fake.prmResource = "https://evil.example.com/mcp";
        URI endpoint = fake.start();
        try (McpClient client = client(endpoint)) {
            assertThatThrownBy(() -> client.list(McpClient.Kind.TOOLS))
                    .hasMessageContaining("is for https://evil.example.com/mcp, not for " + endpoint);
        }
        assertThat(fake.authorizations).isEmpty();
    }

    @Test
    void aStepUpAsksForTheUnionOfTheScopesAndGivesUpWhenItWouldAskForNothingNew() throws Exception {
        fake.callScope = "mcp:write";
        try (McpClient client = client(fake.start())) {
            client.request("tools/call", call());
            assertThat(fake.authorizations).extracting(a -> a.get("scope"))
                    .containsExactly("mcp:read", "mcp:read mcp:write");
            // a server that keeps asking for what it was given is refused without another authorization
            fake.scopesOfToken.replaceAll((t, s) -> "mcp:read");
            fake.scopesOfCode.replaceAll((c, s) -> "mcp:read");
            assertThatThrownBy(() -> client.request("tools/call", call())).isInstanceOf(McpClientException.class)
                    .extracting(e -> ((McpClientException) e).httpStatus()).isEqualTo(403);
        }
        assertThat(fake.authorizations).hasSize(2);
    }

    @Test
    void resourceIdentifiersCoverTheirOwnPathAndTheOnesBelowOnTheSameOrigin() {
        URI endpoint = URI.create("http://localhost:8080/mcp");
        assertThat(Discovery.describes("http://localhost:8080", endpoint)).isTrue();
        assertThat(Discovery.describes("http://localhost:8080/mcp", endpoint)).isTrue();
        assertThat(Discovery.describes("http://LOCALHOST:8080/", endpoint)).isTrue();
        assertThat(Discovery.describes("http://localhost:8080/mc", endpoint)).isFalse();
        assertThat(Discovery.describes("http://localhost:8081/mcp", endpoint)).isFalse();
        assertThat(Discovery.describes("https://localhost:8080/mcp", endpoint)).isFalse();
        assertThat(Discovery.describes("https://evil.example.com/mcp", endpoint)).isFalse();
        assertThat(Discovery.describes("http://localhost:8080/mcp#x", endpoint)).isFalse();
    }

    @Test
    void challengesAreParsedWithQuotedCommasAndSeveralSchemes() {
        String h = "Basic realm=\"a, b\", Bearer error=\"insufficient_scope\", scope=\"a b\","
                + " resource_metadata=\"https://x.example/.well-known/oauth-protected-resource\", DPoP algs=\"ES256\"";
        AuthChallenge c = AuthChallenge.oauth(h).orElseThrow();
        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.params()).containsEntry("error", "insufficient_scope").containsEntry("scope", "a b")
                .containsEntry("resource_metadata", "https://x.example/.well-known/oauth-protected-resource");
        assertThat(AuthChallenge.parse(h)).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer", "dpop");
        assertThat(AuthChallenge.oauth("Basic abc==")).isEmpty();
        assertThat(AuthChallenge.oauth("Bearer")).get().extracting(AuthChallenge::params).isEqualTo(Map.of());
    }
}
