package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.mcpwarden.authserver.AuthServerConfig;
import dev.mcpwarden.authserver.AuthorizationServer;
import dev.mcpwarden.authserver.StaticClient;
import dev.mcpwarden.authserver.login.PasswordHash;
import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Secret;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.Ports;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** An upstream that wants the gateway's own OAuth token: client credentials at its authorization server. */
class UpstreamCredentialsTest {

    static final String SECRET = "gateway-service-secret-0123456789";

    final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    <T extends AutoCloseable> T keep(T c) {
        closeLater.add(c);
        return c;
    }

    static ObjectNode call(String tool) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        return p;
    }

    record Stack(URI tokenEndpoint, URI upstream) {
    }

    /** Warden's authorization server, and a Warden runtime that trusts only its tokens for itself. */
    Stack authorizationServerAndProtectedUpstream() {
        int asPort = Ports.free();
        int upPort = Ports.free();
        String issuer = "http://127.0.0.1:" + asPort;
        String resource = "http://127.0.0.1:" + upPort + "/mcp";
        AuthServerConfig config = AuthServerConfig.defaults(URI.create(issuer), Set.of(resource))
                .withScopes(Set.of("tickets:read", "tickets:write"), Set.of("tickets:read"))
                .withClients(List.of(new StaticClient("gateway-svc", "Gateway", List.of(),
                        PasswordHash.hash(SECRET.toCharArray(), 1024, 1, 1), Set.of("client_credentials"),
                        Set.of("tickets:read"))));
        AuthorizationServer as = AuthorizationServer.builder(config).build().start("127.0.0.1", asPort);
        keep(as::close);
        ResourceServer rs = ResourceServer.create(ResourceServerConfig.of(URI.create(resource),
                List.of(TrustedIssuer.discover(issuer)), Set.of("tickets:read")));
        McpServer upstream = McpServer.builder("tickets", "1.0.0").controls(rs.controls())
                .tool(Tool.builder("whoami").description("Who is calling").requiredScopes("tickets:read")
                        .handler(ctx -> {
                            Principal p = ctx.principal();
                            return ToolResult.text("subject=" + p.subject() + " scopes=" + new TreeSet<>(p.scopes()));
                        }).build())
                .build();
        keep(HttpTransport.builder(upstream, HttpOptions.loopback(upPort)).start());
        return new Stack(URI.create(issuer + "/token"), URI.create(resource));
    }

    McpClient throughGateway(UpstreamConfig upstream) throws Exception {
        Gateway gateway = keep(Gateway.connect(List.of(upstream)));
        McpServer front = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().build()).build();
        HttpTransport http = keep(front.serveHttp(HttpOptions.loopback(Ports.free())));
        return keep(McpClient.http(http.uri()).era(McpClient.Era.MODERN).build());
    }

    @Test
    void theGatewayCallsAnOAuthProtectedUpstreamWithItsOwnClientCredentialsToken() throws Exception {
        Stack s = authorizationServerAndProtectedUpstream();
        McpClient client = throughGateway(UpstreamConfig.of("tickets", UpstreamConfig.Http.of(s.upstream())
                .withClientCredentials(new UpstreamConfig.ClientCredentials(s.tokenEndpoint(), "gateway-svc",
                        Secret.of(SECRET, "test"), List.of("tickets:read"), Optional.empty()))));

        for (int i = 0; i < 3; i++) {
            assertThat(client.request("tools/call", call("whoami")).path("content").path(0).path("text").asString())
                    .isEqualTo("subject=gateway-svc scopes=[tickets:read]");
        }
    }

    @Test
    void aRefusedClientSecretStopsTheGatewayFromStartingWithTheReason() {
        Stack s = authorizationServerAndProtectedUpstream();
        UpstreamConfig upstream = UpstreamConfig.of("tickets", UpstreamConfig.Http.of(s.upstream())
                .withClientCredentials(new UpstreamConfig.ClientCredentials(s.tokenEndpoint(), "gateway-svc",
                        Secret.of("wrong", "test"), List.of(), Optional.empty())));

        assertThatThrownBy(() -> keep(Gateway.connect(List.of(upstream))))
                .isInstanceOf(GatewayException.class)
                .hasMessage("upstream tickets did not list its definitions: the token endpoint refused its client "
                        + "credentials: invalid_client (client authentication failed)");
    }

    @Test
    void whenNoNewTokenCanBeHadACallGetsAClearErrorAndTheUpstreamIsNotTried() throws Exception {
        FakeEndpoint endpoint = fakeTokenEndpoint(31); // renewed a second after it is given
        List<String> seen = new CopyOnWriteArrayList<>();
        McpServer plain = McpServer.builder("tickets", "1")
                .controls(dev.mcpwarden.server.Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("ping_me").description("Answers").handler(ctx -> {
                    seen.add("called");
                    return ToolResult.text("pong");
                }).build()).build();
        HttpTransport up = keep(plain.serveHttp(HttpOptions.loopback(Ports.free())));
        McpClient client = throughGateway(UpstreamConfig.of("tickets", UpstreamConfig.Http.of(up.uri())
                .withClientCredentials(new UpstreamConfig.ClientCredentials(endpoint.uri(), "gateway-svc",
                        Secret.of(SECRET, "test"), List.of(), Optional.empty()))));
        endpoint.failing().set(true);
        Thread.sleep(1_200);

        assertThatThrownBy(() -> client.request("tools/call", call("ping_me")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-31007);
                    assertThat(e.errorMessage()).contains("Upstream tickets could not serve tools/call: the "
                            + "gateway has no token for it: the token endpoint refused its client credentials: "
                            + "invalid_client (client authentication failed)");
                });
        assertThat(seen).isEmpty();
    }

    /** The gateway the last {@link #exchangeStack} built. */
    Gateway lastGateway;

    /** What the gateway asked of the token endpoint: grant type and resource of each request, in order. */
    final List<String> asked = new CopyOnWriteArrayList<>();

    /** A pass-through to {@code endpoint} that notes each request's grant type and resource in {@link #asked}. */
    URI countingProxy(URI endpoint) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        server.createContext("/token", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            java.util.Map<String, String> form = dev.mcpwarden.testkit.UserAgent.query("?" + body);
            asked.add(form.get("grant_type").replace("urn:ietf:params:oauth:grant-type:", "") + " "
                    + form.get("resource"));
            try {
                var r = http.send(java.net.http.HttpRequest.newBuilder(endpoint)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Authorization", ex.getRequestHeaders().getFirst("Authorization"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(r.statusCode(), r.body().length);
                ex.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.start();
        keep(() -> server.stop(0));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** Warden's authorization server with Alice, an app, and the gateway allowed to exchange into each upstream. */
    record Exchange(String issuer, String gatewayResource, List<String> upstreamResources, String alicesToken) {
    }

    Exchange exchangeStack(int upstreams) throws Exception {
        int asPort = Ports.free();
        int gwPort = Ports.free();
        String issuer = "http://127.0.0.1:" + asPort;
        String gatewayResource = "http://127.0.0.1:" + gwPort + "/mcp";
        List<String> upstreamResources = new ArrayList<>();
        for (int i = 0; i < upstreams; i++) {
            upstreamResources.add("http://127.0.0.1:" + Ports.free() + "/mcp");
        }
        String redirect = "https://app.example/callback";
        String password = "correct horse battery staple";
        Set<String> resources = new java.util.HashSet<>(upstreamResources);
        resources.add(gatewayResource);
        AuthServerConfig config = AuthServerConfig.defaults(URI.create(issuer), resources)
                .withScopes(Set.of("tickets:read"), Set.of("tickets:read"))
                .withUsers(List.of(dev.mcpwarden.authserver.BuiltInUser.of("alice",
                        PasswordHash.hash(password.toCharArray(), 1024, 1, 1))))
                .withClients(List.of(StaticClient.publicClient("app", "App", List.of(redirect)),
                        new StaticClient("gateway", "Gateway", List.of(), PasswordHash.hash(SECRET.toCharArray(), 1024,
                                1, 1), Set.of("client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"),
                                Set.of("tickets:read"))))
                .withTokenExchange(new dev.mcpwarden.authserver.TokenExchangePolicy(Set.of("gateway"),
                        java.util.Map.of(gatewayResource, Set.copyOf(upstreamResources))));
        AuthorizationServer as = AuthorizationServer.builder(config).build().start("127.0.0.1", asPort);
        keep(as::close);

        List<UpstreamConfig> configs = new ArrayList<>();
        URI tokenEndpoint = countingProxy(URI.create(issuer + "/token"));
        for (int i = 0; i < upstreams; i++) {
            String resource = upstreamResources.get(i);
            String name = "up" + i;
            ResourceServer rs = ResourceServer.create(ResourceServerConfig.of(URI.create(resource),
                    List.of(TrustedIssuer.discover(issuer)), Set.of("tickets:read")));
            McpServer upstream = McpServer.builder(name, "1.0.0").controls(rs.controls())
                    .tool(Tool.builder("whoami").description("Who is calling").requiredScopes("tickets:read")
                            .handler(ctx -> {
                                Principal p = ctx.principal();
                                return ToolResult.text(name + ": subject=" + p.subject() + " client=" + p.clientId());
                            }).build())
                    .build();
            keep(HttpTransport.builder(upstream, HttpOptions.loopback(URI.create(resource).getPort())).start());
            configs.add(UpstreamConfig.of(name, UpstreamConfig.Http.of(URI.create(resource))
                    .withClientCredentials(new UpstreamConfig.ClientCredentials(tokenEndpoint, "gateway",
                            Secret.of(SECRET, "test"), List.of("tickets:read"), Optional.empty()))
                    .withTokenExchange(new UpstreamConfig.TokenExchange(tokenEndpoint, "gateway",
                            Secret.of(SECRET, "test"), List.of(), Optional.empty()))).withPrefix(name + "_"));
        }
        Gateway gateway = keep(Gateway.connect(configs));
        lastGateway = gateway;
        ResourceServer gatewayRs = ResourceServer.create(ResourceServerConfig.of(URI.create(gatewayResource),
                List.of(TrustedIssuer.discover(issuer)), Set.of("tickets:read")));
        McpServer front = McpServer.builder("gw", "1").backend(gateway.backend()).controls(gatewayRs.controls())
                .build();
        keep(HttpTransport.builder(front, HttpOptions.loopback(gwPort)).start());

        // Alice signs in to the app, which gets a token for the gateway (authorization code with PKCE).
        dev.mcpwarden.testkit.Pkce pkce = dev.mcpwarden.testkit.Pkce.fresh();
        String back = new dev.mcpwarden.testkit.UserAgent().authorize(issuer + "/authorize?"
                + dev.mcpwarden.testkit.UserAgent.form(new java.util.LinkedHashMap<>(java.util.Map.of(
                        "response_type", "code", "client_id", "app", "redirect_uri", redirect,
                        "code_challenge", pkce.challenge(), "code_challenge_method", "S256",
                        "resource", gatewayResource, "scope", "tickets:read", "state", "s1"))), "alice", password);
        String code = dev.mcpwarden.testkit.UserAgent.query(back).get("code");
        var redeemed = new dev.mcpwarden.testkit.UserAgent().post(issuer + "/token", java.util.Map.of(
                "grant_type", "authorization_code", "client_id", "app", "redirect_uri", redirect, "code", code,
                "code_verifier", pkce.verifier(), "resource", gatewayResource));
        return new Exchange(issuer, gatewayResource, upstreamResources,
                Json.standard().parse(redeemed.body()).path("access_token").asString());
    }

    @Test
    void aCallersTokenIsExchangedForOneOfTheUpstreamsAndTheCallersOwnNeverReachesIt() throws Exception {
        Exchange x = exchangeStack(1);
        McpClient alice = keep(McpClient.http(URI.create(x.gatewayResource())).era(McpClient.Era.MODERN)
                .bearerToken(() -> Optional.of(x.alicesToken())).build());
        for (int i = 0; i < 2; i++) {
            assertThat(alice.request("tools/call", call("up0_whoami")).path("content").path(0).path("text")
                    .asString()).isEqualTo("up0: subject=alice client=gateway");
        }

        // Her own token, whose audience is the gateway, is refused by the upstream: passed through, it would fail.
        McpClient passthrough = keep(McpClient.http(URI.create(x.upstreamResources().getFirst()))
                .era(McpClient.Era.MODERN).bearerToken(() -> Optional.of(x.alicesToken())).build());
        assertThatThrownBy(() -> passthrough.request("tools/call", call("whoami")))
                .isInstanceOfSatisfying(McpClientException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
    }

    @Test
    void aBearerTokenBesideAPrincipalProvenByOtherMeansIsNeverExchanged() throws Exception {
        Exchange x = exchangeStack(1);
        // A front whose authenticator proves callers by an API key: the Bearer header beside it proves nothing.
        dev.mcpwarden.server.auth.Authenticator apiKeys = head -> {
            if (!"k3y".equals(head.header("X-Api-Key"))) {
                throw dev.mcpwarden.server.pipeline.Rejection.badRequest("no key");
            }
            return new Principal("api-keys", "mallory", null, Set.of("tickets:read"), null, Set.of(),
                    java.util.Map.of());
        };
        McpServer front = McpServer.builder("gw2", "1").backend(lastGateway.backend())
                .controls(dev.mcpwarden.server.Controls.builder().authenticator(apiKeys).build()).build();
        HttpTransport http = keep(front.serveHttp(HttpOptions.loopback(Ports.free())));
        McpClient mallory = keep(McpClient.http(http.uri()).era(McpClient.Era.MODERN).header("X-Api-Key", "k3y")
                .bearerToken(() -> Optional.of(x.alicesToken())).build());

        assertThatThrownBy(() -> mallory.request("tools/call", call("up0_whoami")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-31007);
                    assertThat(e.errorMessage()).contains("Upstream up0 could not serve tools/call: the gateway has "
                            + "no token for it: it takes each caller's own token (token exchange), and this caller "
                            + "presented none");
                });
        assertThat(asked.stream().filter(a -> a.startsWith("token-exchange")).toList()).isEmpty();
    }

    @Test
    void anUpstreamThatGetsOAuthTokensMustBeHttpsOffLoopback() {
        assertThatThrownBy(() -> UpstreamConfig.Http.of(URI.create("http://10.0.0.5/mcp")).withTokenExchange(
                new UpstreamConfig.TokenExchange(URI.create("https://as.example/token"), "gateway",
                        Secret.of(SECRET, "test"), List.of(), Optional.empty())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an upstream that gets OAuth tokens (client credentials or token exchange) must be https://"
                        + " (http:// only on a loopback address): users' tokens would cross the network in clear, was"
                        + " http://10.0.0.5/mcp");
    }

    @Test
    void eachUpstreamGetsATokenExchangedForItselfNeverAnotherUpstreamsOne() throws Exception {
        Exchange x = exchangeStack(2);
        McpClient alice = keep(McpClient.http(URI.create(x.gatewayResource())).era(McpClient.Era.MODERN)
                .bearerToken(() -> Optional.of(x.alicesToken())).build());
        // Each upstream accepts only tokens whose audience is itself: a token exchanged for the first, sent to the
        // second, would be refused.
        for (String tool : List.of("up0_whoami", "up1_whoami", "up0_whoami", "up1_whoami")) {
            assertThat(alice.request("tools/call", call(tool)).path("content").path(0).path("text").asString())
                    .isEqualTo(tool.substring(0, 3) + ": subject=alice client=gateway");
        }
        // one exchange per upstream, each for itself; a token sent to the wrong upstream would have been refused
        // (401) and exchanged again
        assertThat(asked.stream().filter(a -> a.startsWith("token-exchange")).toList()).containsExactly(
                "token-exchange " + x.upstreamResources().get(0), "token-exchange " + x.upstreamResources().get(1));
    }

    /** A token endpoint that counts its requests and answers each with a new token of the given lifetime. */
    record FakeEndpoint(URI uri, List<String> requests, java.util.concurrent.atomic.AtomicBoolean failing,
                        java.util.concurrent.atomic.AtomicLong delayMillis) {
    }

    FakeEndpoint fakeTokenEndpoint(int lifetimeSeconds) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> requests = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong delay = new java.util.concurrent.atomic.AtomicLong();
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/token", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(ex.getRequestHeaders().getFirst("Authorization") + " " + body);
            try {
                Thread.sleep(delay.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing.get()) {
                byte[] refusal = "{\"error\":\"invalid_client\",\"error_description\":\"client authentication failed\"}"
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(401, refusal.length);
                ex.getResponseBody().write(refusal);
                ex.close();
                return;
            }
            byte[] answer = ("{\"access_token\":\"token-" + requests.size() + "\",\"token_type\":\"Bearer\","
                    + "\"expires_in\":" + lifetimeSeconds + "}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        keep(() -> server.stop(0));
        return new FakeEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token"),
                requests, failing, delay);
    }

    @Test
    void aTokenIsKeptUntilShortlyBeforeItExpiresAndDroppedWhenTheUpstreamRefusesIt() throws Exception {
        FakeEndpoint endpoint = fakeTokenEndpoint(300);
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T12:00:00Z"));
        InstantSource clock = now::get;
        UpstreamTokens tokens = new UpstreamTokens("tickets", new UpstreamConfig.ClientCredentials(endpoint.uri(),
                "gateway-svc", Secret.of(SECRET, "test"), List.of("tickets:read", "tickets:write"), Optional.empty()),
                URI.create("https://tickets.example/mcp"), clock);

        assertThat(tokens.current()).isEqualTo("token-1");
        assertThat(tokens.current()).isEqualTo("token-1");
        assertThat(endpoint.requests()).hasSize(1);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("gateway-svc:" + SECRET)
                .getBytes(StandardCharsets.UTF_8));
        assertThat(endpoint.requests().getFirst()).startsWith(basic + " ")
                .contains("grant_type=client_credentials")
                .contains("resource=https%3A%2F%2Ftickets.example%2Fmcp")
                .contains("scope=tickets%3Aread+tickets%3Awrite")
                .doesNotContain(SECRET);

        now.set(now.get().plus(Duration.ofSeconds(300)).minus(UpstreamTokens.EARLY).minusSeconds(1));
        assertThat(tokens.current()).isEqualTo("token-1");
        now.set(now.get().plusSeconds(1));
        assertThat(tokens.current()).isEqualTo("token-2");

        tokens.refused("token-1"); // an old token: the held one stays
        assertThat(tokens.current()).isEqualTo("token-2");
        tokens.refused("token-2");
        assertThat(tokens.current()).isEqualTo("token-3");
        assertThat(endpoint.requests()).hasSize(3);
    }

    @Test
    void aRefusedExchangeIsAnsweredFromMemoryForAFewSecondsBeforeTheServerIsAskedAgain() throws Exception {
        FakeEndpoint endpoint = fakeTokenEndpoint(300);
        endpoint.failing().set(true);
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T12:00:00Z"));
        ExchangedTokens tokens = new ExchangedTokens("tickets", new UpstreamConfig.TokenExchange(endpoint.uri(),
                "gateway", Secret.of(SECRET, "test"), List.of(), Optional.empty()),
                URI.create("https://tickets.example/mcp"), now::get);
        String refusal = "the token endpoint refused to exchange the caller's token: invalid_client (client "
                + "authentication failed)";

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> tokens.tokenFor("callers-token")).isInstanceOf(UpstreamTokens.NoToken.class)
                    .hasMessage(refusal);
        }
        assertThat(endpoint.requests()).hasSize(1);

        now.set(now.get().plus(ExchangedTokens.REFUSAL_KEPT));
        endpoint.failing().set(false);
        assertThat(tokens.tokenFor("callers-token")).isEqualTo("token-2");
        assertThat(tokens.tokenFor("callers-token")).isEqualTo("token-2");
        assertThat(endpoint.requests()).hasSize(2);
        assertThat(endpoint.requests().getLast()).contains("subject_token=callers-token")
                .contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange");
    }

    @Test
    void anExchangedTokenIsNeverUsedPastTheExpiryOfTheCallersOwnToken() throws Exception {
        FakeEndpoint endpoint = fakeTokenEndpoint(3600); // the server's exchanged token would outlive hers by far
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T12:00:00Z"));
        ExchangedTokens tokens = new ExchangedTokens("tickets", new UpstreamConfig.TokenExchange(endpoint.uri(),
                "gateway", Secret.of(SECRET, "test"), List.of(), Optional.empty()),
                URI.create("https://tickets.example/mcp"), now::get);
        String hers = new com.nimbusds.jwt.PlainJWT(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("alice")
                .expirationTime(java.util.Date.from(now.get().plusSeconds(60))).build()).serialize();

        assertThat(tokens.tokenFor(hers)).isEqualTo("token-1");
        now.set(now.get().plusSeconds(59));
        assertThat(tokens.tokenFor(hers)).isEqualTo("token-1");
        now.set(now.get().plusSeconds(1));
        assertThat(tokens.tokenFor(hers)).isEqualTo("token-2"); // hers has expired: the exchange is not reused
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void aCallersCallsArrivingTogetherExchangeHerTokenOnceAndAskForTheConfiguredAudience() throws Exception {
        FakeEndpoint endpoint = fakeTokenEndpoint(300);
        endpoint.delayMillis().set(300);
        ExchangedTokens tokens = new ExchangedTokens("tickets", new UpstreamConfig.TokenExchange(endpoint.uri(),
                "gateway", Secret.of(SECRET, "test"), List.of(), Optional.empty())
                .withAudiences(List.of("tickets-api")), URI.create("https://tickets.example/mcp"),
                InstantSource.system());
        List<java.util.concurrent.Future<String>> calls = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                calls.add(threads.submit(() -> tokens.tokenFor("callers-token")));
            }
            for (var call : calls) {
                assertThat(call.get()).isEqualTo("token-1");
            }
        }
        assertThat(endpoint.requests()).hasSize(1);
        assertThat(endpoint.requests().getFirst()).contains("audience=tickets-api")
                .contains("resource=https%3A%2F%2Ftickets.example%2Fmcp");
        // another caller is not held up by hers, and gets her own exchange
        assertThat(tokens.tokenFor("another-callers-token")).isEqualTo("token-2");
    }

    @Test
    void aTokenEndpointThatIsNotHttpsOffLoopbackIsRefused() {
        assertThatThrownBy(() -> new UpstreamConfig.ClientCredentials(URI.create("http://as.example/token"),
                "gateway-svc", Secret.of(SECRET, "test"), List.of(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a token endpoint must be https:// (http:// only on a loopback address): the client "
                        + "secret is sent to it, was http://as.example/token");
        assertThatThrownBy(() -> new UpstreamConfig.Http(URI.create("https://tickets.example/mcp"),
                Optional.of(Secret.of("static", "test")), java.util.Map.of(), Optional.of(
                new UpstreamConfig.ClientCredentials(URI.create("https://as.example/token"), "gateway-svc",
                        Secret.of(SECRET, "test"), List.of(), Optional.empty())), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an upstream has one credential: a bearer token or client credentials, not both");
    }
}
