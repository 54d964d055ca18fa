package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.IntegrityEvent;
import dev.mcpwarden.security.integrity.IntegrityGate;
import dev.mcpwarden.security.integrity.IntegrityStage;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinStore;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.testkit.Ports;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A stdio upstream started and spoken to by the gateway, and a rug pull through it withheld by the pins. */
class StdioGatewayTest {

    Gateway gateway;
    HttpTransport front;
    McpClient client;

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
        if (front != null) {
            front.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    static UpstreamConfig mutating() {
        return TestUpstreams.java("mutating", MutatingServer.class, UpstreamConfig.Sandbox.NONE);
    }

    static ObjectNode call(String tool) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        return p;
    }

    static List<String> toolNames(McpClient c) throws McpClientException {
        return c.list(McpClient.Kind.TOOLS).stream().map(t -> t.path("name").asString()).toList();
    }

    @Test
    void aRugPullOnAStdioUpstreamIsWithheldUntilApprovedWhileItsOtherToolsKeepWorking() throws Exception {
        gateway = Gateway.connect(List.of(mutating()));
        // Pinned as first seen, as warden scan --write-pins would pin them.
        PinFile pins = PinFile.of(gateway.backend().definitions().list(Target.Kind.TOOL).stream()
                .map(e -> Definition.of(DefinitionKind.TOOL, e.json())).toList());
        List<IntegrityEvent> audited = new CopyOnWriteArrayList<>();
        IntegrityGate gate = IntegrityGate.builder(PinStore.memory(pins)).listener(audited::add).build();
        McpServer server = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().integrity(IntegrityStage.of(gate)).build())
                .build();
        var http = server.serveHttp(HttpOptions.loopback(Ports.free()));
        front = http;
        client = McpClient.http(http.uri()).era(McpClient.Era.MODERN).build();
        assertThat(toolNames(client)).containsExactly("weather", "time", "mutate");
        assertThat(client.request("tools/call", call("weather")).path("content").path(0).path("text").asString())
                .isEqualTo("sunny");

        client.request("tools/call", call("mutate"));
        awaitDescription("weather", MutatingServer.CHANGED);

        assertThat(toolNames(client)).containsExactly("time", "mutate");
        assertThatThrownBy(() -> client.request("tools/call", call("weather")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32602);
                    assertThat(e.errorMessage()).contains("Unknown tool: weather");
                });
        assertThat(client.request("tools/call", call("time")).path("content").path(0).path("text").asString())
                .isEqualTo("noon");
        assertThat(audited).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(IntegrityEvent.Type.CHANGED_WITHHELD);
            assertThat(e.name()).isEqualTo("weather");
        });

        IntegrityGate.Pending pending = gate.pending(DefinitionKind.TOOL, "weather").orElseThrow();
        gate.approve(DefinitionKind.TOOL, "weather", pending.live(), "security-team");
        assertThat(audited).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(IntegrityEvent.Type.APPROVED);
            assertThat(e.actor()).isEqualTo("security-team");
        });

        assertThat(toolNames(client)).containsExactly("time", "mutate", "weather"); // weather was re-added last
        assertThat(client.request("tools/call", call("weather")).path("content").path(0).path("text").asString())
                .isEqualTo("sunny");
    }

    @Test
    void aStdioUpstreamsToolsAreServedToBothErasAndItsStatusSaysWhatItServes() throws Exception {
        gateway = Gateway.connect(List.of(mutating()));
        McpServer server = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().build()).build();
        var http = server.serveHttp(HttpOptions.loopback(Ports.free()));
        front = http;

        for (McpClient.Era era : List.of(McpClient.Era.MODERN, McpClient.Era.LEGACY)) {
            try (McpClient c = McpClient.http(http.uri()).era(era).build()) {
                JsonNode r = c.request("tools/call", call("time"));
                assertThat(r.path("content").path(0).path("text").asString()).as("%s", era).isEqualTo("noon");
            }
        }
        assertThat(gateway.status()).containsExactly(new Gateway.UpstreamStatus("mutating", "stdio", "2026-07-28", "CLOSED",
                3, 0, 0, 0));
    }

    @Test
    void aStdioUpstreamsLogMessagesDuringACallReachItsCallerOfEitherEraAtTheCallersLevelBeforeTheResult()
            throws Exception {
        serveProbe();
        for (McpClient.Era era : List.of(McpClient.Era.MODERN, McpClient.Era.LEGACY)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            try (McpClient c = logging(era, seen)) {
                if (era == McpClient.Era.LEGACY) {
                    c.request("logging/setLevel", Json.object().put("level", "info"));
                }
                JsonNode r = c.request("tools/call", atLevel(call("log"), "info", era));
                seen.add("result " + r.path("content").path(0).path("text").asString());
            }
            // the debug line is under the caller's level: the upstream or the gateway keeps it back
            assertThat(seen).as("%s", era).containsExactly("info step 1", "result logged");
        }
    }

    @Test
    void aStdioUpstreamsLogMessageWhileTwoCallersRequestsAreInFlightReachesNeither() throws Exception {
        serveProbe();
        List<String> slowSaw = new CopyOnWriteArrayList<>();
        List<String> loggerSaw = new CopyOnWriteArrayList<>();
        try (McpClient slow = logging(McpClient.Era.MODERN, slowSaw);
             McpClient logger = logging(McpClient.Era.MODERN, loggerSaw)) {
            ObjectNode sleep = call("sleep");
            ((ObjectNode) sleep.get("arguments")).put("count", 3000);
            var asleep = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return slow.request("tools/call", atLevel(sleep, "debug", McpClient.Era.MODERN));
                } catch (McpClientException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(1000); // the sleeping call is in flight upstream

            JsonNode r = logger.request("tools/call", atLevel(call("log"), "debug", McpClient.Era.MODERN));

            assertThat(r.path("content").path(0).path("text").asString()).isEqualTo("logged");
            assertThat(asleep.get(10, java.util.concurrent.TimeUnit.SECONDS).path("content").path(0)
                    .path("text").asString()).isEqualTo("slept");
        }
        // over stdio nothing says whose the lines were: neither caller is shown the other's
        assertThat(slowSaw).isEmpty();
        assertThat(loggerSaw).isEmpty();
    }

    void serveProbe() throws Exception {
        gateway = Gateway.connect(List.of(TestUpstreams.java("probe", ProbeServer.class, UpstreamConfig.Sandbox.NONE)
                .withRequestTimeout(Duration.ofSeconds(20))));
        McpServer server = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().build()).build();
        var http = server.serveHttp(HttpOptions.loopback(Ports.free()));
        front = http;
    }

    /** A client of the gateway in front that notes each log message as "LEVEL DATA". */
    McpClient logging(McpClient.Era era, List<String> seen) throws McpClientException {
        return McpClient.http(front.uri()).era(era)
                .onNotification((m, p) -> {
                    if (m.equals("notifications/message")) {
                        seen.add(p.path("level").asString() + " " + p.path("data").asString());
                    }
                }).build();
    }

    /** On the 2026 wire the caller's log level travels on the request. */
    static ObjectNode atLevel(ObjectNode params, String level, McpClient.Era era) {
        if (era == McpClient.Era.MODERN) {
            params.putObject("_meta").put(dev.mcpwarden.core.protocol.MetaKeys.LOG_LEVEL, level);
        }
        return params;
    }

    /** Waits until the gateway has read the upstream's changed list (the refresh runs off the reader thread). */
    void awaitDescription(String tool, String description) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gateway.backend().definitions().find(Target.Kind.TOOL, tool)
                .map(e -> e.json().path("description").asString()).filter(description::equals).isEmpty()) {
            assertThat(System.nanoTime()).as("the gateway never saw the changed list").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
