package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.task.TaskSupport;
import dev.mcpwarden.server.tool.Tool;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tasks through the gateway: a 2026 upstream's task relayed as the gateway's own (input, cancellation and result
 * crossing), and a long call of a 2025 upstream, which has no tasks, exposed as a gateway task.
 */
@Timeout(180)
class GatewayTasksTest {

    private static final String WITH_TASKS = "{\"elicitation\":{},\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}";
    private static final Principal ALICE = new Principal("https://issuer.example", "alice", "c", Set.of(), null,
            Set.of(), Map.of());

    final List<AutoCloseable> open = new ArrayList<>();
    final AtomicBoolean upstreamHandlerStopped = new AtomicBoolean();
    final AtomicInteger nextId = new AtomicInteger(1);

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** An upstream whose tools are tasks where it speaks 2026 (and plain long calls on a 2025 session). */
    URI upstream() {
        HttpTransport http = McpServer.builder("upstream", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("report").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    Thread.sleep(300);
                    return ToolResult.text("report ready");
                }).build())
                .tool(Tool.builder("ask").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    JsonNode a = ctx.input("sure", InputRequest.elicit("Sure?", Json.object()));
                    return ToolResult.text("answered " + a.path("action").asString());
                }).build())
                .tool(Tool.builder("wait_forever").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    try {
                        while (!ctx.isCancelled()) {
                            Thread.sleep(10_000);
                        }
                        return ToolResult.text("stopped");
                    } finally {
                        upstreamHandlerStopped.set(true);
                    }
                }).build())
                .build().serveHttp(HttpOptions.loopback(0));
        open.add(http);
        return URI.create("http://127.0.0.1:" + http.port() + "/mcp");
    }

    McpServer gateway(UpstreamConfig config) throws Exception {
        Gateway g = Gateway.connect(List.of(config));
        open.add(g);
        return McpServer.builder("warden-gateway", "test").backend(g.backend()).build();
    }

    JsonNode handle(McpServer on, String method, String params) {
        Call call = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(nextId.getAndIncrement()), method,
                (ObjectNode) Json.standard().parse(params)), ProtocolVersion.V2026_07_28, null,
                (ObjectNode) Json.standard().parse(WITH_TASKS), null, Outbound.NONE);
        call.principal(ALICE);
        return on.handle(call);
    }

    String status(McpServer on, String id) {
        return handle(on, "tasks/get", "{\"taskId\":\"" + id + "\"}").path("status").asString();
    }

    String text(McpServer on, String id) {
        return handle(on, "tasks/get", "{\"taskId\":\"" + id + "\"}").path("result").path("content").get(0)
                .path("text").asString();
    }

    String create(McpServer on, String tool) {
        JsonNode created = handle(on, "tools/call", "{\"name\":\"" + tool + "\"}");
        assertThat(created.path("resultType").asString()).isEqualTo("task");
        return created.path("taskId").asString();
    }

    @Test
    void aTaskOfA2026UpstreamIsRelayedAsTheGatewaysOwnWithInputAndResult() throws Exception {
        McpServer gw = gateway(UpstreamConfig.of("up", UpstreamConfig.Http.of(upstream()))
                .withEra(UpstreamConfig.Era.MODERN));
        String report = create(gw, "report");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(status(gw, report)));
        assertThat(text(gw, report)).isEqualTo("report ready");

        String ask = create(gw, "ask");
        await().atMost(Duration.ofSeconds(30)).until(() -> "input_required".equals(status(gw, ask)));
        JsonNode asked = handle(gw, "tasks/get", "{\"taskId\":\"" + ask + "\"}").path("inputRequests");
        assertThat(asked.path("sure").path("method").asString()).isEqualTo("elicitation/create");
        handle(gw, "tasks/update", "{\"taskId\":\"" + ask + "\",\"inputResponses\":{\"sure\":"
                + "{\"action\":\"accept\",\"content\":{}}}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(status(gw, ask)));
        assertThat(text(gw, ask)).isEqualTo("answered accept");
    }

    @Test
    void cancellingTheGatewaysTaskCancelsTheUpstreamsAndItsHandlerStops() throws Exception {
        McpServer gw = gateway(UpstreamConfig.of("up", UpstreamConfig.Http.of(upstream()))
                .withEra(UpstreamConfig.Era.MODERN));
        String id = create(gw, "wait_forever");
        handle(gw, "tasks/cancel", "{\"taskId\":\"" + id + "\"}");

        await().atMost(Duration.ofSeconds(30)).untilTrue(upstreamHandlerStopped);
        assertThat(status(gw, id)).isEqualTo("cancelled");
    }

    @Test
    void aLongCallOfA2025UpstreamIsExposedAsAGatewayTaskWithItsRequestsAskedThroughTheTask() throws Exception {
        McpServer gw = gateway(UpstreamConfig.of("legacy", UpstreamConfig.Http.of(upstream()))
                .withEra(UpstreamConfig.Era.LEGACY).withTaskTools(Set.of("report", "ask")));
        String report = create(gw, "report");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(status(gw, report)));
        assertThat(text(gw, report)).isEqualTo("report ready");

        String ask = create(gw, "ask");
        await().atMost(Duration.ofSeconds(30)).until(() -> "input_required".equals(status(gw, ask)));
        JsonNode asked = handle(gw, "tasks/get", "{\"taskId\":\"" + ask + "\"}").path("inputRequests");
        assertThat(asked.propertyNames()).containsExactly("upstream-1");
        assertThat(asked.path("upstream-1").path("method").asString()).isEqualTo("elicitation/create");
        handle(gw, "tasks/update", "{\"taskId\":\"" + ask + "\",\"inputResponses\":{\"upstream-1\":"
                + "{\"action\":\"decline\"}}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(status(gw, ask)));
        assertThat(text(gw, ask)).isEqualTo("answered decline");
    }
    /** A call that runs as a task, with {@code run} as its task. */
    Call taskCall(dev.mcpwarden.server.task.TaskRun run) {
        Call call = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(1), "tools/call",
                Json.object().put("name", "report")), ProtocolVersion.V2026_07_28, null,
                (ObjectNode) Json.standard().parse(WITH_TASKS), null, Outbound.NONE);
        call.principal(ALICE);
        call.attribute(dev.mcpwarden.server.task.TaskRun.KEY, run);
        return call;
    }

    static dev.mcpwarden.server.task.TaskRun runAsking(java.util.function.Function<ObjectNode, ObjectNode> input) {
        return new dev.mcpwarden.server.task.TaskRun() {
            @Override
            public boolean started() {
                return true;
            }

            @Override
            public void start() {
            }

            @Override
            public dev.mcpwarden.server.input.InputResponses input(Map<String, InputRequest> requests) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ObjectNode input(ObjectNode requests) {
                return input.apply(requests);
            }
        };
    }

    @Test
    void anUpstreamTasksFailureReachesTheCallerWithoutDataAndItsMessageCutAtItsFirstLine() {
        ObjectNode failed = (ObjectNode) Json.standard().parse("{\"taskId\":\"up-1\",\"status\":\"failed\","
                + "\"error\":{\"code\":-32050,\"message\":\"database exploded\\n\\tat com.acme.Db.query(Db.java:42)"
                + "\",\"data\":{\"dsn\":\"postgres://admin:hunter2@db\"}}}");
        dev.mcpwarden.core.jsonrpc.McpError e = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.mcpwarden.core.jsonrpc.McpError.class, () -> UpstreamTasks.follow(taskCall(runAsking(r -> r)),
                        "up", Json.object().put("taskId", "up-1"), (method, params) -> failed));
        assertThat(e.code()).isEqualTo(-32050);
        assertThat(e.getMessage()).isEqualTo("Upstream up: database exploded");
        assertThat(e.data()).isNull();

        ObjectNode longer = failed.deepCopy();
        longer.withObject("error").put("message", "y".repeat(500) + "\u0007");
        dev.mcpwarden.core.jsonrpc.McpError cut = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.mcpwarden.core.jsonrpc.McpError.class, () -> UpstreamTasks.follow(taskCall(runAsking(r -> r)),
                        "up", Json.object().put("taskId", "up-1"), (method, params) -> longer));
        assertThat(cut.getMessage()).isEqualTo("Upstream up: " + "y".repeat(200));
        assertThat(cut.data()).isNull();

        ObjectNode internal = failed.deepCopy();
        internal.withObject("error").put("message", "timeout reaching db-primary:5432 from 10.0.0.7");
        dev.mcpwarden.core.jsonrpc.McpError cleaned = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.mcpwarden.core.jsonrpc.McpError.class, () -> UpstreamTasks.follow(taskCall(runAsking(r -> r)),
                        "up", Json.object().put("taskId", "up-1"), (method, params) -> internal));
        assertThat(cleaned.getMessage()).as("cleaned as every upstream error is")
                .doesNotContain("db-primary", "10.0.0.7");
    }

    @Test
    void anUpstreamTasksInputTheTaskRefusesCancelsTheUpstreamsTask() {
        List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        ObjectNode asking = (ObjectNode) Json.standard().parse("{\"taskId\":\"up-1\",\"status\":\"input_required\","
                + "\"inputRequests\":{\"a\":{\"method\":\"wallet/pay\",\"params\":{}}}}");
        dev.mcpwarden.core.jsonrpc.McpError refused = new dev.mcpwarden.core.jsonrpc.McpError(-32603,
                "The task asked for input by an unknown method");
        dev.mcpwarden.core.jsonrpc.McpError e = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.mcpwarden.core.jsonrpc.McpError.class, () -> UpstreamTasks.follow(taskCall(runAsking(r -> {
                    throw refused;
                })), "up", Json.object().put("taskId", "up-1"), (method, params) -> {
                    sent.add(method);
                    return asking;
                }));
        assertThat(e).isSameAs(refused);
        assertThat(sent).containsExactly("tasks/get", "tasks/cancel");
    }
}
