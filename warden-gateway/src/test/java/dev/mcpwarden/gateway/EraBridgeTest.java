package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.testkit.Ports;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The era bridge: input rounds and server-to-client requests carried between a caller and an upstream of either era. */
class EraBridgeTest {

    final List<AutoCloseable> open = new ArrayList<>();
    Gateway gateway;

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

    URI gateway(UpstreamConfig.Era era, Duration timeout) throws Exception {
        URI everything = keep(EverythingServer.create().serveHttp(HttpOptions.loopback(Ports.free()))).uri();
        gateway = keep(Gateway.connect(List.of(UpstreamConfig.of("everything", UpstreamConfig.Http.of(everything))
                .withEra(era).withRequestTimeout(timeout))));
        McpServer front = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Controls.insecureWithoutAuthentication()).build();
        return keep(front.serveHttp(HttpOptions.loopback(Ports.free()))).uri();
    }

    URI gateway(UpstreamConfig.Era era) throws Exception {
        return gateway(era, Duration.ofSeconds(10));
    }

    McpClient modern(URI gw) throws McpClientException {
        return keep(McpClient.http(gw).era(McpClient.Era.MODERN).capabilities(capabilities()).build());
    }

    static ObjectNode capabilities() {
        ObjectNode c = Json.object();
        c.putObject("elicitation");
        c.putObject("sampling");
        c.putObject("roots");
        return c;
    }

    static ObjectNode call(String tool) {
        ObjectNode p = Json.object().put("name", tool);
        p.putObject("arguments");
        return p;
    }

    static ObjectNode accepted(String name) {
        ObjectNode a = Json.object().put("action", "accept");
        a.putObject("content").put("name", name);
        return a;
    }

    static ObjectNode retry(String tool, JsonNode round, String key, JsonNode answer) {
        ObjectNode p = call(tool);
        p.putObject("inputResponses").set(key, answer);
        p.set("requestState", round.get("requestState"));
        return p;
    }

    static String text(JsonNode result) {
        return result.path("content").path(0).path("text").asString();
    }

    @Test
    void aLegacyUpstreamsElicitationBecomesAnInputRoundKeyedAsTheUpstreamKeysItAndTheRetryAnswersIt()
            throws Exception {
        McpClient c = modern(gateway(UpstreamConfig.Era.LEGACY));

        JsonNode round = c.request("tools/call", call("test_input_required_result_elicitation"));
        assertThat(round.path("resultType").asString()).isEqualTo("input_required");
        assertThat(round.path("inputRequests").propertyNames()).containsExactly("user_name");
        assertThat(round.path("inputRequests").path("user_name").path("method").asString())
                .isEqualTo("elicitation/create");
        assertThat(round.path("inputRequests").path("user_name").path("params").has("_meta")).isFalse();
        assertThat(((FederatedBackend) gateway.backend()).parkedCalls()).isEqualTo(1);

        JsonNode done = c.request("tools/call", retry("test_input_required_result_elicitation", round, "user_name",
                accepted("Ada")));
        assertThat(text(done)).isEqualTo("Hello, Ada!");
        assertThat(done.path("resultType").asString()).isEqualTo("complete");
        assertThat(((FederatedBackend) gateway.backend()).parkedCalls()).isZero();
    }

    @Test
    void severalRequestsALegacyUpstreamSendsTogetherAreOneRound() throws Exception {
        McpClient c = modern(gateway(UpstreamConfig.Era.LEGACY));

        JsonNode round = c.request("tools/call", call("test_input_required_result_multiple_inputs"));
        assertThat(round.path("inputRequests").propertyNames())
                .containsExactlyInAnyOrder("user_name", "greeting", "client_roots");
    }

    @Test
    void aTamperedOrForeignRequestStateIsInvalidParamsOnEitherUpstreamEra() throws Exception {
        for (UpstreamConfig.Era era : List.of(UpstreamConfig.Era.LEGACY, UpstreamConfig.Era.MODERN)) {
            McpClient c = modern(gateway(era));
            JsonNode round = c.request("tools/call", call("test_input_required_result_elicitation"));
            String state = round.path("requestState").asString();
            ObjectNode tampered = retry("test_input_required_result_elicitation", round, "user_name",
                    accepted("Ada"));
            tampered.put("requestState", state.substring(0, state.length() - 2) + "AA");
            assertThatThrownBy(() -> c.request("tools/call", tampered)).as("%s", era)
                    .isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.errorCode()).contains(-32602);
                        assertThat(e.errorMessage()).contains("Invalid requestState");
                    });
            // a state issued for one tool does not continue another
            ObjectNode foreign = retry("test_input_required_result_request_state", round, "user_name",
                    accepted("Ada"));
            assertThatThrownBy(() -> c.request("tools/call", foreign)).as("%s", era)
                    .isInstanceOfSatisfying(McpClientException.class,
                            e -> assertThat(e.errorMessage()).contains("Invalid requestState"));
        }
    }

    @Test
    void aModernUpstreamsStateIsSealedByTheGatewayAndHandedBackOnTheRetry() throws Exception {
        McpClient c = modern(gateway(UpstreamConfig.Era.MODERN));

        JsonNode round = c.request("tools/call", call("test_input_required_result_request_state"));
        assertThat(round.path("resultType").asString()).isEqualTo("input_required");
        ObjectNode yes = Json.object().put("action", "accept");
        yes.putObject("content").put("ok", true);
        JsonNode done = c.request("tools/call", retry("test_input_required_result_request_state", round, "confirm",
                yes));
        assertThat(text(done)).isEqualTo("state-ok: requestState validated");
    }

    @Test
    void aWronglyShapedAnswerToALegacyUpstreamsRequestIsInvalidParamsAndTheCallStaysParked() throws Exception {
        McpClient c = modern(gateway(UpstreamConfig.Era.LEGACY));
        JsonNode round = c.request("tools/call", call("test_input_required_result_elicitation"));

        assertThatThrownBy(() -> c.request("tools/call", retry("test_input_required_result_elicitation", round,
                "user_name", Json.object().put("action", "maybe"))))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32602);
                    assertThat(e.errorMessage()).contains(
                            "Invalid input response 'user_name': action must be accept, decline or cancel");
                });
        JsonNode done = c.request("tools/call", retry("test_input_required_result_elicitation", round, "user_name",
                accepted("Bo")));
        assertThat(text(done)).isEqualTo("Hello, Bo!");
    }

    @Test
    void aCallerWithoutTheCapabilityALegacyUpstreamAsksForGetsMissingCapability() throws Exception {
        McpClient c = keep(McpClient.http(gateway(UpstreamConfig.Era.LEGACY)).era(McpClient.Era.MODERN).build());

        assertThatThrownBy(() -> c.request("tools/call", call("test_input_required_result_elicitation")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32021);
                    assertThat(e.errorMessage()).contains("Client capability required: elicitation");
                    assertThat(e.errorData().orElseThrow().path("requiredCapabilities").has("elicitation")).isTrue();
                });
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ((FederatedBackend) gateway.backend()).parkedCalls() == 0);
    }

    @Test
    void aParkedCallWhoseClientNeverComesBackIsCancelledAndItsStateEnds() throws Exception {
        McpClient c = modern(gateway(UpstreamConfig.Era.LEGACY, Duration.ofSeconds(1)));
        JsonNode round = c.request("tools/call", call("test_input_required_result_elicitation"));
        assertThat(((FederatedBackend) gateway.backend()).parkedCalls()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> ((FederatedBackend) gateway.backend()).parkedCalls() == 0);
        assertThatThrownBy(() -> c.request("tools/call", retry("test_input_required_result_elicitation", round,
                "user_name", accepted("Ada"))))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32602);
                    assertThat(e.errorMessage()).contains("Invalid requestState: the request it continues has "
                            + "ended; send the request again without requestState");
                });
    }

    @Test
    void aLegacyCallerIsAskedAModernUpstreamsInputOnItsStreamAndItsLogLevelIsHonoured() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        List<String> logs = new CopyOnWriteArrayList<>();
        McpClient c = keep(McpClient.http(gateway(UpstreamConfig.Era.MODERN)).era(McpClient.Era.LEGACY)
                .capabilities(capabilities())
                .onNotification((m, p) -> {
                    if (m.equals("notifications/message")) {
                        logs.add(p.path("level").asString());
                    }
                })
                .onServerRequest((m, p) -> {
                    asked.add(m);
                    return accepted("Cy");
                }).build());

        assertThat(text(c.request("tools/call", call("test_input_required_result_elicitation"))))
                .isEqualTo("Hello, Cy!");
        assertThat(asked).containsExactly("elicitation/create");

        c.request("logging/setLevel", Json.object().put("level", "debug"));
        c.request("tools/call", call("test_logging_tool"));
        assertThat(logs).isNotEmpty();
    }

    @Test
    void aCallerThatGoesAwayCancelsTheUpstreamRequestOnEitherUpstreamEra() throws Exception {
        for (UpstreamConfig.Era era : List.of(UpstreamConfig.Era.MODERN, UpstreamConfig.Era.LEGACY)) {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
            McpServer.Builder b = McpServer.builder("slow", "1").controls(Controls.insecureWithoutAuthentication());
            b.tool(dev.mcpwarden.server.tool.Tool.builder("wait").description("waits until cancelled")
                    .handler(ctx -> {
                        started.countDown();
                        try {
                            // progress keeps the streams open, where a closed one is noticed on the next write
                            for (int i = 0; i < 200 && !ctx.isCancelled(); i++) {
                                ctx.progress(i, null, null);
                                Thread.sleep(100);
                            }
                        } catch (InterruptedException e) {
                            // cancelled while sleeping
                        }
                        if (ctx.isCancelled() || Thread.currentThread().isInterrupted()) {
                            cancelled.countDown();
                        }
                        return dev.mcpwarden.core.content.ToolResult.text("waited");
                    }).build());
            URI slow = keep(b.build().serveHttp(HttpOptions.loopback(Ports.free()))).uri();
            Gateway g = keep(Gateway.connect(List.of(UpstreamConfig.of("slow", UpstreamConfig.Http.of(slow))
                    .withEra(era))));
            URI gw = keep(McpServer.builder("gw", "1").backend(g.backend())
                    .controls(Controls.insecureWithoutAuthentication()).build()
                    .serveHttp(HttpOptions.loopback(Ports.free()))).uri();
            McpClient c = keep(McpClient.http(gw).era(McpClient.Era.MODERN).build());
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    ObjectNode p = call("wait");
                    p.putObject("_meta").put("progressToken", "p1");
                    c.request("tools/call", p);
                } catch (McpClientException e) {
                    // interrupted: the caller went away
                }
            });
            assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("%s", era).isTrue();
            caller.interrupt();
            assertThat(cancelled.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("%s", era).isTrue();
        }
    }

    @Test
    void aLegacyCallerAnswersEachOfAModernUpstreamsRoundsOnItsStreamUntilTheResult() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        McpClient c = keep(McpClient.http(gateway(UpstreamConfig.Era.MODERN)).era(McpClient.Era.LEGACY)
                .capabilities(capabilities())
                .onServerRequest((m, p) -> {
                    asked.add(p.path("message").asString());
                    ObjectNode a = Json.object().put("action", "accept");
                    a.putObject("content").put("name", "Di").put("color", "teal");
                    return a;
                }).build());

        assertThat(text(c.request("tools/call", call("test_input_required_result_multi_round"))))
                .isEqualTo("Di likes teal");
        assertThat(asked).containsExactly("Step 1: What is your name?", "Step 2: What is your favorite color?");
    }

    @Test
    void aModernCallerAnswersALegacyUpstreamsRoundsOneAfterAnother() throws Exception {
        McpClient c = modern(gateway(UpstreamConfig.Era.LEGACY));
        String tool = "test_input_required_result_multi_round";

        JsonNode first = c.request("tools/call", call(tool));
        assertThat(first.path("inputRequests").propertyNames()).containsExactly("step1");
        JsonNode second = c.request("tools/call", retry(tool, first, "step1", accepted("Ed")));
        assertThat(second.path("inputRequests").propertyNames()).containsExactly("step2");
        assertThat(second.path("requestState").asString()).isNotEqualTo(first.path("requestState").asString());
        ObjectNode color = Json.object().put("action", "accept");
        color.putObject("content").put("color", "red");
        assertThat(text(c.request("tools/call", retry(tool, second, "step2", color)))).isEqualTo("Ed likes red");
    }

    @Test
    void anExpiredLegacyUpstreamSessionIsReestablishedForAModernCallerAndReportedToALegacyOne() throws Exception {
        // an upstream that keeps one session: a second client's session evicts the gateway's
        HttpOptions one = HttpOptions.loopback(Ports.free());
        one = new HttpOptions(one.host(), one.port(), one.path(), one.allowedHosts(), one.allowedOrigins(),
                one.maxBodyBytes(), one.maxJsonDepth(), 1, one.sessionIdle(), one.eventsPerSession(), one.sseRetry(),
                one.keepAlive());
        URI everything = keep(EverythingServer.create().serveHttp(one)).uri();
        Gateway g = keep(Gateway.connect(List.of(UpstreamConfig.of("everything", UpstreamConfig.Http.of(everything))
                .withEra(UpstreamConfig.Era.LEGACY))));
        URI gw = keep(McpServer.builder("gw", "1").backend(g.backend())
                .controls(Controls.insecureWithoutAuthentication()).build()
                .serveHttp(HttpOptions.loopback(Ports.free()))).uri();
        McpClient modern = modern(gw);
        McpClient legacy = keep(McpClient.http(gw).era(McpClient.Era.LEGACY).build());
        McpClient evictor = keep(McpClient.http(everything).era(McpClient.Era.LEGACY).build());

        evictor.request("ping", null);
        assertThat(text(modern.request("tools/call", call("test_simple_text"))))
                .isEqualTo("This is a simple text response for testing.");

        evictor.close();
        keep(McpClient.http(everything).era(McpClient.Era.LEGACY).build()).request("ping", null);
        assertThatThrownBy(() -> legacy.request("tools/call", call("test_simple_text")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-31005);
                    assertThat(e.errorMessage()).contains(
                            "Upstream everything could not serve tools/call: its session expired");
                });
    }

    @Test
    void aLegacyCallerIsAskedALegacyUpstreamsRequestsOnItsStreamWithoutTheUpstreamsKey() throws Exception {
        List<JsonNode> asked = new CopyOnWriteArrayList<>();
        McpClient c = keep(McpClient.http(gateway(UpstreamConfig.Era.LEGACY)).era(McpClient.Era.LEGACY)
                .capabilities(capabilities())
                .onServerRequest((m, p) -> {
                    asked.add(p);
                    return accepted("Fa");
                }).build());

        assertThat(text(c.request("tools/call", call("test_input_required_result_elicitation"))))
                .isEqualTo("Hello, Fa!");
        assertThat(asked).hasSize(1);
        assertThat(asked.getFirst().path("message").asString()).isEqualTo("What is your name?");
        assertThat(asked.getFirst().has("_meta")).isFalse();
    }
}
