package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code isolation: per-principal}: each principal's calls go to a process of its own, bounded in number and time. */
class IsolationTest {

    static final Principal ALICE = principal("alice", null);
    static final Principal BOB = principal("bob", null);
    static final AtomicLong IDS = new AtomicLong();

    Gateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static Principal principal(String subject, String tenant) {
        return new Principal("https://idp.example", subject, "client-" + subject, Set.of(), tenant, Set.of(),
                Map.of());
    }

    void connect(UpstreamConfig.Isolation isolation) throws GatewayException {
        gateway = Gateway.connect(List.of(TestUpstreams.java("probe", ProbeServer.class, UpstreamConfig.Sandbox.NONE)
                .withRequestTimeout(Duration.ofSeconds(20)).withIsolation(isolation)));
    }

    /** A 2026 tools/call of {@code tool} as {@code who} made it, straight to the federated backend. */
    String call(Principal who, String tool, ObjectNode args) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.set("arguments", args);
        Call c = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(IDS.incrementAndGet()), "tools/call", p),
                ProtocolVersion.V2026_07_28, null, Json.object(), null, Outbound.NONE);
        if (who != null) {
            c.principal(who);
        }
        JsonNode r = gateway.backend().handle(c);
        return r.path("content").path(0).path("text").asString();
    }

    String call(Principal who, String tool) {
        return call(who, tool, Json.object());
    }

    @Test
    void eachPrincipalHasAProcessOfItsOwnAndKeepsIt() throws Exception {
        connect(UpstreamConfig.Isolation.PER_PRINCIPAL);
        assertThat(gateway.principalProcesses("probe")).isZero(); // the template lists; none started before a call

        assertThat(call(ALICE, "count")).isEqualTo("1");
        assertThat(call(ALICE, "count")).isEqualTo("2");
        assertThat(call(BOB, "count")).as("bob does not see alice's state").isEqualTo("1");
        assertThat(call(ALICE, "count")).isEqualTo("3");
        String alicePid = call(ALICE, "pid");
        assertThat(call(ALICE, "pid")).isEqualTo(alicePid);
        assertThat(call(BOB, "pid")).isNotEqualTo(alicePid);
        // the same subject through another client is the same principal; in another tenant, another one
        Principal aliceElsewhere = new Principal("https://idp.example", "alice", "another-client", Set.of(), null,
                Set.of(), Map.of());
        assertThat(call(aliceElsewhere, "pid")).isEqualTo(alicePid);
        assertThat(call(principal("alice", "tenant-b"), "pid")).isNotEqualTo(alicePid);
        // anonymous callers share one process
        String anonymous = call(null, "pid");
        assertThat(call(Principal.ANONYMOUS, "pid")).isEqualTo(anonymous).isNotEqualTo(alicePid);
        assertThat(gateway.principalProcesses("probe")).isEqualTo(4);
        assertThat(gateway.status()).singleElement().satisfies(st -> {
            assertThat(st.isolation()).isEqualTo("per-principal");
            assertThat(st.principalProcesses()).isEqualTo(4);
        });

        long pid = Long.parseLong(alicePid);
        gateway.close();
        gateway = null;
        awaitEnded(pid);
    }

    @Test
    void aSharedUpstreamServesEveryoneFromOneProcess() throws Exception {
        connect(UpstreamConfig.Isolation.SHARED);
        assertThat(call(ALICE, "count")).isEqualTo("1");
        assertThat(call(BOB, "count")).isEqualTo("2");
        assertThat(call(ALICE, "pid")).isEqualTo(call(BOB, "pid"));
        assertThat(gateway.principalProcesses("probe")).isZero();
    }

    @Test
    void whenFullTheLeastRecentlyUsedIdleProcessIsStoppedAndBusyOnesNever() throws Exception {
        connect(UpstreamConfig.Isolation.perPrincipal(2, Duration.ofMinutes(10)));
        Principal carol = principal("carol", null);
        String alicePid = call(ALICE, "pid");
        assertThat(call(ALICE, "count")).isEqualTo("1");
        assertThat(call(BOB, "count")).isEqualTo("1");
        assertThat(call(carol, "count")).as("alice's, the least recently used, made room").isEqualTo("1");
        assertThat(gateway.principalProcesses("probe")).isEqualTo(2);
        awaitEnded(Long.parseLong(alicePid));
        assertThat(call(BOB, "count")).as("bob's was kept").isEqualTo("2");
        assertThat(call(ALICE, "count")).as("alice has a new process").isEqualTo("1");

        // both processes busy: a third principal is refused, not queued, and no busy process is stopped
        CompletableFuture<String> slowBob = CompletableFuture.supplyAsync(() -> call(BOB, "sleep",
                Json.object().put("count", 3000)));
        CompletableFuture<String> slowAlice = CompletableFuture.supplyAsync(() -> call(ALICE, "sleep",
                Json.object().put("count", 3000)));
        Thread.sleep(1000);
        assertThatThrownBy(() -> call(carol, "count")).isInstanceOfSatisfying(McpError.class, e -> {
            assertThat(e.code()).isEqualTo(-31004);
            assertThat(e.getMessage()).isEqualTo("Upstream probe has 2 per-principal processes busy, its limit");
        });
        assertThat(slowBob.get()).isEqualTo("slept");
        assertThat(slowAlice.get()).isEqualTo("slept");
        assertThat(call(BOB, "count")).isEqualTo("3");
    }

    @Test
    void anIdleProcessIsStopped() throws Exception {
        connect(UpstreamConfig.Isolation.perPrincipal(4, Duration.ofMillis(500)));
        long pid = Long.parseLong(call(ALICE, "pid"));
        assertThat(call(ALICE, "count")).isEqualTo("1");
        awaitEnded(pid);
        assertThat(gateway.principalProcesses("probe")).isZero();
        assertThat(call(ALICE, "count")).as("a new process, without the old one's state").isEqualTo("1");
    }

    @Test
    void eachPrincipalsProcessHasASandboxAndPrivateTmpOfItsOwn() throws Exception {
        assumeTrue(System.getenv("CI") != null || Files.isExecutable(Path.of("/usr/bin/bwrap")),
                "bubblewrap is not installed");
        gateway = Gateway.connect(List.of(SandboxTest.probe("probe", UpstreamConfig.Sandbox.bubblewrap())
                .withIsolation(UpstreamConfig.Isolation.PER_PRINCIPAL)));
        ObjectNode file = Json.object().put("path", "/tmp/state");
        assertThat(call(ALICE, "probe_write", file)).isEqualTo("written");
        assertThat(call(ALICE, "probe_read", file)).isEqualTo("read: mine");
        assertThat(call(BOB, "probe_read", file)).isEqualTo("refused: NoSuchFileException");
        assertThat(call(BOB, "probe_connect", Json.object().put("host", "127.0.0.1").put("port", 9)))
                .startsWith("refused"); // sandboxed as the template is: no network
    }

    @Test
    void anHttpUpstreamCannotBeIsolatedPerPrincipal() {
        UpstreamConfig http = UpstreamConfig.of("tickets", UpstreamConfig.Http.of(URI.create("http://127.0.0.1:1/mcp")));
        assertThatThrownBy(() -> http.withIsolation(UpstreamConfig.Isolation.PER_PRINCIPAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("upstream tickets: isolation per-principal is only for stdio upstreams (the gateway "
                        + "starts no process of an HTTP upstream)");
        assertThat(http.withIsolation(UpstreamConfig.Isolation.SHARED).isolation())
                .isEqualTo(UpstreamConfig.Isolation.SHARED);
        assertThatThrownBy(() -> UpstreamConfig.Isolation.perPrincipal(0, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxProcesses must be at least 1, was 0");
    }

    static void awaitEnded(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertThat(System.nanoTime()).as("process %d never ended", pid).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
