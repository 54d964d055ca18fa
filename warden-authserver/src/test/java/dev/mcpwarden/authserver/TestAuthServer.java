package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import dev.mcpwarden.authserver.login.PasswordHash;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.Ports;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * A standalone authorization server on a free loopback port with two users and a few pre-registered clients, and
 * the helpers tests use to talk to it.
 */
final class TestAuthServer implements AutoCloseable {

    static final String ALICE_PASSWORD = "correct horse battery staple";
    static final String BOB_PASSWORD = "hunter2-but-longer";
    /** Cheap hashes for tests; the default cost is tested in PasswordHashTest. */
    static final String ALICE_HASH = PasswordHash.hash(ALICE_PASSWORD.toCharArray(), 1024, 1, 1);
    static final String BOB_HASH = PasswordHash.hash(BOB_PASSWORD.toCharArray(), 1024, 1, 1);
    static final String SERVICE_SECRET = "service-secret-0123456789";
    static final String GATEWAY_SECRET = "gateway-secret-0123456789";

    static final String APP_A = "app-a";
    static final String APP_A_REDIRECT = "https://app-a.example/callback";
    static final String APP_B = "app-b";
    static final String APP_B_REDIRECT = "https://app-b.example/cb";
    static final String NATIVE = "native-app";
    static final String NATIVE_REDIRECT = "http://127.0.0.1/callback";

    final String issuer;
    final String resource;
    /** The port the resource (an MCP server a test may start) is meant to listen on. */
    final int resourcePort;
    final String otherResource;
    final AuthorizationServer as;
    final UserAgent agent = new UserAgent();

    TestAuthServer() {
        this(c -> c);
    }

    TestAuthServer(UnaryOperator<AuthServerConfig> customize) {
        this(customize, b -> b);
    }

    TestAuthServer(UnaryOperator<AuthServerConfig> customize, UnaryOperator<AuthorizationServer.Builder> builder) {
        int port = Ports.free();
        issuer = "http://127.0.0.1:" + port;
        resourcePort = Ports.free();
        resource = "http://127.0.0.1:" + resourcePort + "/mcp";
        otherResource = "https://other.example/mcp";
        String cheapService = PasswordHash.hash(SERVICE_SECRET.toCharArray(), 1024, 1, 1);
        String cheapGateway = PasswordHash.hash(GATEWAY_SECRET.toCharArray(), 1024, 1, 1);
        AuthServerConfig config = AuthServerConfig.defaults(URI.create(issuer), Set.of(resource, otherResource))
                .withScopes(Set.of("tickets:read", "tickets:write"), Set.of("tickets:read"))
                .withUsers(List.of(new BuiltInUser("alice", ALICE_HASH, Map.of("tenant", "acme",
                                "roles", List.of("agent"))),
                        BuiltInUser.of("bob", BOB_HASH)))
                .withClients(List.of(
                        StaticClient.publicClient(APP_A, "App A", List.of(APP_A_REDIRECT)),
                        StaticClient.publicClient(APP_B, "App B", List.of(APP_B_REDIRECT)),
                        StaticClient.publicClient(NATIVE, "Native App", List.of(NATIVE_REDIRECT)),
                        new StaticClient("service", "Service", List.of(), cheapService, Set.of("client_credentials"),
                                Set.of("tickets:read")),
                        new StaticClient("gateway", "Gateway", List.of(), cheapGateway,
                                Set.of("urn:ietf:params:oauth:grant-type:token-exchange"), Set.of())))
                .withTokenExchange(new TokenExchangePolicy(Set.of("gateway"),
                        Map.of(resource, Set.of(otherResource))));
        // every test calls from 127.0.0.1: quotas far above what a test sends, unless a test sets its own
        AuthServerLimits d = AuthServerLimits.defaults();
        AuthServerLimits generous = new AuthServerLimits(100_000, 100_000, 100_000, 100_000, d.unusedClientTtl(),
                d.clientRetention(), d.consentTtl());
        as = builder.apply(AuthorizationServer.builder(customize.apply(config)).limits(generous)).build()
                .start("127.0.0.1", port);
    }

    @Override
    public void close() {
        as.close();
    }

    /** An authorization URL with every required parameter; {@code overrides} replace or (with null) remove them. */
    String authorizeUrl(String clientId, String redirect, Pkce pkce, Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("response_type", "code");
        p.put("client_id", clientId);
        p.put("redirect_uri", redirect);
        p.put("code_challenge", pkce.challenge());
        p.put("code_challenge_method", "S256");
        p.put("resource", resource);
        p.put("scope", "tickets:read");
        p.put("state", "st-123");
        overrides.forEach((k, v) -> {
            if (v == null) {
                p.remove(k);
            } else {
                p.put(k, v);
            }
        });
        return issuer + "/authorize?" + UserAgent.form(p);
    }

    String authorizeUrl(String clientId, String redirect, Pkce pkce) {
        return authorizeUrl(clientId, redirect, pkce, Map.of());
    }

    /** Signs alice in, approves, and returns the code the client receives. */
    String code(String clientId, String redirect, Pkce pkce) throws Exception {
        String back = agent.authorize(authorizeUrl(clientId, redirect, pkce), "alice", ALICE_PASSWORD);
        Map<String, String> q = UserAgent.query(back);
        if (q.get("code") == null) {
            throw new AssertionError("no code in " + back);
        }
        return q.get("code");
    }

    UserAgent.Page token(Map<String, String> form) throws Exception {
        return new UserAgent().post(issuer + "/token", form);
    }

    UserAgent.Page token(Map<String, String> form, Map<String, String> headers) throws Exception {
        return new UserAgent().post(issuer + "/token", form, headers);
    }

    UserAgent.Page redeem(String clientId, String redirect, String code, Pkce pkce) throws Exception {
        return token(Map.of("grant_type", "authorization_code", "client_id", clientId, "redirect_uri", redirect,
                "code", code, "code_verifier", pkce.verifier(), "resource", resource));
    }

    /** Runs the whole flow for app A and returns the token response. */
    JsonNode tokensForAppA() throws Exception {
        Pkce pkce = Pkce.fresh();
        String code = code(APP_A, APP_A_REDIRECT, pkce);
        UserAgent.Page r = redeem(APP_A, APP_A_REDIRECT, code, pkce);
        if (r.status() != 200) {
            throw new AssertionError(r.status() + " " + r.body());
        }
        return Json.standard().parse(r.body());
    }

    static JsonNode json(UserAgent.Page p) {
        return Json.standard().parse(p.body());
    }

    static String basic(String id, String secret) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((UserAgent.enc(id) + ":" + UserAgent.enc(secret))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
