package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.core.content.ResourceContents;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.IntegrityGate;
import dev.mcpwarden.security.integrity.IntegrityStage;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinStore;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.server.CacheScope;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.ServerOptions;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.resource.Resource;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.server.tool.ToolAnnotations;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway's cache against an upstream that records every request it serves: lists kept for their TTL and read
 * again after a list change, private answers never served to another principal, and kept lists still under the pins.
 */
class CachingTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");

    final List<AutoCloseable> open = new ArrayList<>();
    final List<dev.mcpwarden.security.audit.AuditEvent> audited = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    /** A Warden runtime upstream that records the method of every request it serves (the gateway's own too). */
    static final class Recording {
        final List<String> methods = new CopyOnWriteArrayList<>();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger lookups = new AtomicInteger();
        /** While set, each tools/list takes three seconds to begin. */
        volatile boolean hanging;
        McpServer server;
        URI uri;

        long count(String method) {
            return methods.stream().filter(method::equals).count();
        }
    }

    Recording recording(Duration ttl, CacheScope scope) {
        Recording r = new Recording();
        SecurityEventListener recorder = new SecurityEventListener() {
            @Override
            public void requestStarted(Call call) {
                r.methods.add(call.method());
                if (r.hanging && call.method().equals("tools/list")) {
                    try {
                        Thread.sleep(3_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public boolean mayBlock() {
                return true;
            }
        };
        r.server = McpServer.builder("recording", "1.0.0")
                .controls(Controls.builder().insecureWithoutAuthentication().listener(recorder).build())
                .options(ServerOptions.defaults().withCache(ttl, scope))
                .tool(Tool.builder("weather").description("Reports the weather.")
                        .handler(ctx -> ToolResult.text("sunny")).build())
                .tool(Tool.builder("lookup").description("Looks a word up.")
                        .annotations(ToolAnnotations.readOnly())
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"word\":{\"type\":\"string\"}}}")
                        .handler(ctx -> ToolResult.text(ctx.arguments().path("word").asString() + " #"
                                + r.lookups.incrementAndGet())).build())
                .resource(new Resource("memo://today", "today", null, null, "text/plain",
                        (uri, ctx) -> List.of(ResourceContents.text(uri, "text/plain", "read #"
                                + r.reads.incrementAndGet()))))
                .build();
        r.uri = keep(r.server.serveHttp(HttpOptions.loopback(Ports.free()))).uri();
        return r;
    }

    /** The gateway in front of {@code upstream}, authenticating callers with tokens of {@link #ISSUER}. */
    record Front(Gateway gateway, URI uri, IntegrityGate gate) {
    }

    Front front(UpstreamConfig upstream, boolean pinned) throws Exception {
        Gateway g = keep(Gateway.connect(List.of(upstream)));
        int port = Ports.free();
        URI resource = URI.create("http://127.0.0.1:" + port + "/mcp");
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(resource,
                        List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("mcp")))
                .policy(PolicySet.builder().allow("all", "*", "true").build().asAccessPolicy()).build();
        Security.Builder security = Security.builder(rs).audit(dev.mcpwarden.security.audit.Audit.to(audited::add));
        IntegrityGate gate = null;
        if (pinned) {
            PinFile pins = PinFile.of(g.backend().definitions().list(Target.Kind.TOOL).stream()
                    .map(e -> Definition.of(DefinitionKind.TOOL, e.json())).toList());
            gate = IntegrityGate.builder(PinStore.memory(pins)).build();
            security.integrity(IntegrityStage.of(gate));
        }
        McpServer front = McpServer.builder("gw", "1").backend(g.backend()).controls(security.build()).build();
        keep(front.serveHttp(HttpOptions.loopback(port)));
        return new Front(g, resource, gate);
    }

    McpClient caller(Front front, String subject, McpClient.Era era) throws Exception {
        String token = ISSUER.sign(ISSUER.claims(subject, front.uri().toString(), "mcp"));
        return keep(McpClient.http(front.uri()).era(era).bearerToken(() -> Optional.of(token)).build());
    }

    /** A caller of {@code subject} through the OAuth client {@code clientId}, granted {@code scope}. */
    McpClient caller(Front front, String subject, String clientId, String scope, String tenant) throws Exception {
        java.util.Map<String, Object> claims = new java.util.HashMap<>(ISSUER.claims(subject, front.uri().toString(),
                scope));
        claims.put("client_id", clientId);
        if (tenant != null) {
            claims.put("tenant", tenant);
        }
        String token = ISSUER.sign(claims);
        return keep(McpClient.http(front.uri()).era(McpClient.Era.MODERN).bearerToken(() -> Optional.of(token))
                .build());
    }

    static ObjectNode read(String uri) {
        return Json.object().put("uri", uri);
    }

    static String text(JsonNode readResult) {
        return readResult.path("contents").path(0).path("text").asString();
    }

    static List<String> toolNames(McpClient c) throws Exception {
        return c.list(McpClient.Kind.TOOLS).stream().map(t -> t.path("name").asString()).toList();
    }

    @Test
    void repeatedListsWithinTheUpstreamsTtlReachItOnceAndAListChangeMakesTheNextReachItAgain() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), false);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);
        McpClient bob = caller(front, "bob", McpClient.Era.LEGACY);
        long atStart = up.count("tools/list"); // the gateway's own read when it connected

        for (int i = 0; i < 5; i++) {
            assertThat(toolNames(alice)).containsExactly("weather", "lookup");
            assertThat(toolNames(bob)).containsExactly("weather", "lookup");
        }
        assertThat(up.count("tools/list")).isEqualTo(atStart);
        assertThat(front.gateway().cacheStatus()).singleElement()
                .satisfies(s -> assertThat(s.hits()).isEqualTo(10));

        up.server.addTool(Tool.builder("time").description("Tells the time.")
                .handler(ctx -> ToolResult.text("noon")).build()); // tells its listeners: tools/list_changed

        await().atMost(Duration.ofSeconds(10)).until(() -> up.count("tools/list") > atStart);
        assertThat(toolNames(alice)).containsExactly("weather", "lookup", "time");
    }

    @Test
    void theGatewaysOwnListsCarryTheLeastFreshnessOfItsUpstreamsAsPrivate() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), false);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);

        JsonNode listed = alice.request("tools/list", Json.object());

        assertThat(listed.path("cacheScope").asString()).isEqualTo("private"); // filtered per principal below
        assertThat(listed.path("ttlMs").asLong()).isBetween(Duration.ofMinutes(4).toMillis(),
                Duration.ofMinutes(5).toMillis());
    }

    @Test
    void anUpstreamThatSaysItsListsAreStaleAtOnceIsListedForEveryRequest() throws Exception {
        Recording up = recording(Duration.ZERO, CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), false);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);
        long atStart = up.count("tools/list");

        for (int i = 0; i < 3; i++) {
            assertThat(toolNames(alice)).containsExactly("weather", "lookup");
        }

        assertThat(up.count("tools/list")).isEqualTo(atStart + 3);
        assertThat(alice.request("tools/list", Json.object()).path("ttlMs").asLong()).isZero();
    }

    @Test
    void callersListingTogetherWhileTheUpstreamHangsShareOneReadAndGetTheLastListNotOneTimeoutEach() throws Exception {
        Recording up = recording(Duration.ZERO, CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri))
                .withRequestTimeout(Duration.ofSeconds(1)), false);
        List<McpClient> callers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            callers.add(caller(front, "caller-" + i, McpClient.Era.MODERN));
        }
        long atStart = up.count("tools/list");
        up.hanging = true;

        long t0 = System.nanoTime();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<List<String>>> lists = new ArrayList<>();
            for (McpClient c : callers) {
                lists.add(pool.submit(() -> toolNames(c)));
            }
            for (var f : lists) {
                assertThat(f.get(20, java.util.concurrent.TimeUnit.SECONDS)).containsExactly("weather", "lookup");
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        // one after another, six callers would take six timeouts (6 s and more)
        assertThat(took).isLessThan(Duration.ofMillis(4_500));
        assertThat(up.count("tools/list") - atStart).isBetween(1L, 3L);
    }

    @Test
    void aLegacyUpstreamsListsAreKeptForTheConfiguredTtlAndNotAtAllWithoutOne() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        Front kept = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)).withEra(UpstreamConfig.Era.LEGACY)
                .withCache(UpstreamConfig.Cache.hinted().withLegacyTtl(Duration.ofMinutes(1))), false);
        McpClient alice = caller(kept, "alice", McpClient.Era.MODERN);
        long atStart = up.count("tools/list");
        for (int i = 0; i < 3; i++) {
            assertThat(toolNames(alice)).containsExactly("weather", "lookup");
        }
        assertThat(up.count("tools/list")).isEqualTo(atStart);

        Front unkept = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri))
                .withEra(UpstreamConfig.Era.LEGACY), false);
        McpClient carol = caller(unkept, "carol", McpClient.Era.MODERN);
        long before = up.count("tools/list");
        for (int i = 0; i < 3; i++) {
            assertThat(toolNames(carol)).containsExactly("weather", "lookup");
        }
        assertThat(up.count("tools/list")).isEqualTo(before + 3);
    }

    @Test
    void aPrivateReadOfOnePrincipalIsNeverServedToAnother() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PRIVATE);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), false);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);
        McpClient alice2025 = caller(front, "alice", McpClient.Era.LEGACY);
        McpClient bob = caller(front, "bob", McpClient.Era.MODERN);

        assertThat(text(alice.request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(alice2025.request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(bob.request("resources/read", read("memo://today")))).isEqualTo("read #2");
        assertThat(text(bob.request("resources/read", read("memo://today")))).isEqualTo("read #2");
        assertThat(text(alice.request("resources/read", read("memo://today")))).isEqualTo("read #1");

        assertThat(up.count("resources/read")).isEqualTo(2);
        JsonNode again = alice.request("resources/read", read("memo://today"));
        assertThat(again.path("cacheScope").asString()).isEqualTo("private");
        assertThat(again.path("ttlMs").asLong()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5).toMillis());
    }

    @Test
    void theSameUserThroughAnotherClientOrWithOtherScopesOrTenantIsNeverServedTheOthersPrivateRead() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PRIVATE);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), false);
        McpClient wide = caller(front, "alice", "client-a", "mcp files:read:all", null);
        McpClient wideAgain = caller(front, "alice", "client-a", "files:read:all mcp", null); // the same grant
        McpClient otherClient = caller(front, "alice", "client-b", "mcp files:read:all", null);
        McpClient narrow = caller(front, "alice", "client-a", "mcp files:read:public", null);
        McpClient tenant = caller(front, "alice", "client-a", "mcp files:read:all", "acme");

        assertThat(text(wide.request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(wideAgain.request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(otherClient.request("resources/read", read("memo://today")))).isEqualTo("read #2");
        assertThat(text(narrow.request("resources/read", read("memo://today")))).isEqualTo("read #3");
        assertThat(text(tenant.request("resources/read", read("memo://today")))).isEqualTo("read #4");
        assertThat(up.count("resources/read")).isEqualTo(4);
    }

    @Test
    void anOptedInToolsResultForOneClientOfAUserIsNotServedToTheSameUserThroughANarrowerOne() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)).withCache(
                UpstreamConfig.Cache.hinted().withTools(Set.of("lookup"), Duration.ofMinutes(1))), false);
        McpClient wide = caller(front, "alice", "client-a", "mcp files:read:all", null);
        McpClient narrow = caller(front, "alice", "client-b", "mcp files:read:public", null);

        assertThat(lookup(wide, "fox")).isEqualTo("fox #1");
        assertThat(lookup(wide, "fox")).isEqualTo("fox #1");
        assertThat(lookup(narrow, "fox")).isEqualTo("fox #2");
        assertThat(up.count("tools/call")).isEqualTo(2);
    }

    /** Two anonymous callers of a gateway in front of {@code upstream} without authentication. */
    List<McpClient> anonymousCallers(UpstreamConfig upstream) throws Exception {
        Gateway g = keep(Gateway.connect(List.of(upstream)));
        McpServer front = McpServer.builder("gw", "1").backend(g.backend())
                .controls(Controls.insecureWithoutAuthentication()).build();
        URI uri = keep(front.serveHttp(HttpOptions.loopback(Ports.free()))).uri();
        return List.of(keep(McpClient.http(uri).era(McpClient.Era.MODERN).build()),
                keep(McpClient.http(uri).era(McpClient.Era.MODERN).build()));
    }

    @Test
    void anonymousCallersAreServedPublicAnswersButTheirPrivateOnesAreNeverKept() throws Exception {
        Recording priv = recording(Duration.ofMinutes(5), CacheScope.PRIVATE);
        List<McpClient> privCallers = anonymousCallers(UpstreamConfig.of("priv", UpstreamConfig.Http.of(priv.uri))
                .withCache(UpstreamConfig.Cache.hinted().withTools(Set.of("lookup"), Duration.ofMinutes(1))));
        McpClient one = privCallers.get(0);
        McpClient two = privCallers.get(1);

        assertThat(text(one.request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(two.request("resources/read", read("memo://today")))).isEqualTo("read #2");
        assertThat(text(one.request("resources/read", read("memo://today")))).isEqualTo("read #3");
        assertThat(lookup(one, "fox")).isEqualTo("fox #1");
        assertThat(lookup(two, "fox")).isEqualTo("fox #2");
        assertThat(lookup(one, "fox")).isEqualTo("fox #3");

        Recording legacy = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        List<McpClient> legacyCallers = anonymousCallers(UpstreamConfig.of("leg", UpstreamConfig.Http.of(legacy.uri))
                .withEra(UpstreamConfig.Era.LEGACY)
                .withCache(UpstreamConfig.Cache.hinted().withLegacyTtl(Duration.ofMinutes(1))));
        assertThat(text(legacyCallers.get(0).request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(legacyCallers.get(1).request("resources/read", read("memo://today")))).isEqualTo("read #2");

        Recording pub = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        List<McpClient> pubCallers = anonymousCallers(UpstreamConfig.of("pub", UpstreamConfig.Http.of(pub.uri)));
        assertThat(text(pubCallers.get(0).request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(pubCallers.get(1).request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(pub.count("resources/read")).isEqualTo(1);
    }

    @Test
    void eachAuditRecordOfAListOrReadSaysWhetherTheCacheServedItAndWhichUpstream() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PRIVATE);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), false);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);

        alice.request("resources/read", read("memo://today"));
        alice.request("resources/read", read("memo://today"));
        toolNames(alice);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> audited.stream()
                .filter(e -> e.detail().containsKey("cache")).count() == 3);
        List<String> seen = audited.stream().filter(e -> e.detail().containsKey("cache"))
                .map(e -> e.target() + " " + e.detail().get("cache") + " " + e.detail().get("upstream")).toList();
        assertThat(seen).containsExactly("memo://today miss rec", "memo://today hit rec", "tools/list hit null");
        assertThat(front.gateway().cacheStatus()).singleElement().satisfies(s -> {
            assertThat(s.hits()).isEqualTo(2);
            assertThat(s.misses()).isEqualTo(1);
            assertThat(s.kept()).isEqualTo(1);
        });
    }

    @Test
    void aPublicReadIsSharedAcrossPrincipalsAndAResourceUpdateDropsItAtOnce() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), false);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);
        McpClient bob = caller(front, "bob", McpClient.Era.MODERN);

        assertThat(text(alice.request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(text(bob.request("resources/read", read("memo://today")))).isEqualTo("read #1");
        assertThat(up.count("resources/read")).isEqualTo(1);

        ((FederatedBackend) front.gateway().backend()).resourceUpdated("memo://today");

        assertThat(text(bob.request("resources/read", read("memo://today")))).isEqualTo("read #2");
    }

    @Test
    void anOptedInReadOnlyIdempotentToolsResultIsKeptPerPrincipalAndArgumentsAndOthersAreNot() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)).withCache(
                UpstreamConfig.Cache.hinted().withTools(Set.of("lookup", "weather"), Duration.ofMinutes(1))), false);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);
        McpClient bob = caller(front, "bob", McpClient.Era.MODERN);

        assertThat(lookup(alice, "fox")).isEqualTo("fox #1");
        assertThat(lookup(alice, "fox")).isEqualTo("fox #1");
        assertThat(lookup(alice, "owl")).isEqualTo("owl #2");
        assertThat(lookup(bob, "fox")).isEqualTo("fox #3");
        assertThat(up.count("tools/call")).isEqualTo(3);

        // weather is opted in but not annotated read-only and idempotent: every call reaches the upstream
        ObjectNode weather = Json.object().put("name", "weather");
        weather.putObject("arguments");
        alice.request("tools/call", weather);
        alice.request("tools/call", weather);
        assertThat(up.count("tools/call")).isEqualTo(5);
    }

    static String lookup(McpClient c, String word) throws Exception {
        ObjectNode p = Json.object().put("name", "lookup");
        p.putObject("arguments").put("word", word);
        return c.request("tools/call", p).path("content").path(0).path("text").asString();
    }

    @Test
    void aChangedDefinitionInAKeptListIsStillWithheldByThePinsOnEveryRequest() throws Exception {
        Recording up = recording(Duration.ofMinutes(5), CacheScope.PUBLIC);
        Front front = front(UpstreamConfig.of("rec", UpstreamConfig.Http.of(up.uri)), true);
        McpClient alice = caller(front, "alice", McpClient.Era.MODERN);
        assertThat(toolNames(alice)).containsExactly("weather", "lookup");
        long atStart = up.count("tools/list");

        up.server.removeTool("weather");
        up.server.addTool(Tool.builder("weather").description("Reports the weather, and the forecast.")
                .handler(ctx -> ToolResult.text("sunny")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> front.gateway().backend().definitions()
                .find(Target.Kind.TOOL, "weather").map(e -> e.json().path("description").asString()
                        .contains("forecast")).orElse(false));
        long afterChange = up.count("tools/list");
        assertThat(afterChange).isGreaterThan(atStart);

        for (int i = 0; i < 3; i++) {
            assertThat(toolNames(alice)).containsExactly("lookup"); // the kept list, pinned again each time
        }
        assertThat(up.count("tools/list")).isEqualTo(afterChange);
        assertThat(front.gate().pending(DefinitionKind.TOOL, "weather")).isPresent();
    }
}
