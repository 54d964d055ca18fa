package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.Ports;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** A failing or flooded upstream is answered for at once and never takes the other upstreams down. */
class ResilienceTest {

    Gateway gateway;
    HttpTransport front;
    HttpTransport upstream;
    McpClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (front != null) {
            front.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static UpstreamConfig probe(String name) {
        return TestUpstreams.java(name, ProbeServer.class, UpstreamConfig.Sandbox.NONE).withPrefix(name + "_")
                .withRequestTimeout(Duration.ofSeconds(20));
    }

    HttpTransport echo() {
        return McpServer.builder("echo", "1").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("echo").description("echo").handler(ctx -> ToolResult.text("echoed")).build())
                .build().serveHttp(HttpOptions.loopback(Ports.free()));
    }

    void serve(UpstreamConfig... upstreams) throws Exception {
        gateway = Gateway.connect(List.of(upstreams));
        front = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().build()).build()
                .serveHttp(HttpOptions.loopback(Ports.free()));
        client = McpClient.http(front.uri()).era(McpClient.Era.MODERN).requestTimeout(Duration.ofSeconds(30)).build();
    }

    String call(String tool, ObjectNode args) throws McpClientException {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.set("arguments", args);
        return client.request("tools/call", p).path("content").path(0).path("text").asString();
    }

    static String errorOf(int code, ThrowingCall c) {
        try {
            c.run();
        } catch (McpClientException e) {
            assertThat(e.errorCode()).contains(code);
            return e.errorMessage().orElseThrow();
        }
        throw new AssertionError("the call succeeded");
    }

    interface ThrowingCall {
        void run() throws McpClientException;
    }

    @Test
    void aDeadUpstreamOpensItsCircuitAndIsAnsweredForAtOnceWhileTheOtherKeepsServing() throws Exception {
        upstream = echo();
        serve(UpstreamConfig.of("dying", UpstreamConfig.Http.of(upstream.uri())).withEra(UpstreamConfig.Era.MODERN)
                .withResilience(new UpstreamConfig.Resilience(64, 2, Duration.ofMinutes(5))), probe("other"));
        upstream.close();

        assertThat(errorOf(-31001, () -> call("echo", Json.object())))
                .isEqualTo("Upstream dying could not serve tools/call: it refused the connection");
        assertThat(errorOf(-31001, () -> call("echo", Json.object())))
                .isEqualTo("Upstream dying could not serve tools/call: it refused the connection");
        assertThat(errorOf(-31003, () -> call("echo", Json.object()))).isEqualTo("Upstream dying is unavailable: its "
                + "circuit is open after 2 failures in a row, and it is tried again within 300 s");

        assertThat(call("other_alive", Json.object())).isEqualTo("alive");
        assertThat(gateway.status()).extracting(Gateway.UpstreamStatus::circuit).containsExactly("OPEN", "CLOSED");
    }

    @Test
    void aStdioUpstreamWhoseProcessEndsIsStartedAgainAndUsed() throws Exception {
        serve(probe("a"));
        assertThat(call("a_exit", Json.object())).isEqualTo("exiting");

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String answer = null;
        while (answer == null) {
            try {
                answer = call("a_alive", Json.object());
            } catch (McpClientException e) {
                assertThat(e.errorMessage().orElse("")).satisfiesAnyOf(
                        m -> assertThat(m).startsWith("Upstream a could not serve tools/call: "),
                        m -> assertThat(m).isEqualTo("Upstream a is starting again after its process ended; try "
                                + "again shortly"));
                assertThat(System.nanoTime()).as("never started again").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
        assertThat(answer).isEqualTo("alive");
    }

    @Test
    void oneRequestOverTheConcurrencyLimitIsAnsweredBusyAtOnceNotQueued() throws Exception {
        serve(probe("a").withResilience(new UpstreamConfig.Resilience(1, 5, Duration.ofSeconds(30))));
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return call("a_sleep", Json.object().put("count", 2000));
            } catch (McpClientException e) {
                return e.getMessage();
            }
        });
        Thread.sleep(500);

        long start = System.nanoTime();
        assertThat(errorOf(-31004, () -> call("a_alive", Json.object())))
                .isEqualTo("Upstream a is busy: 1 requests are in flight to it, its limit");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(slow.get()).isEqualTo("slept");
        assertThat(call("a_alive", Json.object())).isEqualTo("alive");
    }
}
