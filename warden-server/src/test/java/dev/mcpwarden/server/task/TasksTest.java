package dev.mcpwarden.server.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.tool.Tool;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class TasksTest {

    private static final String WITH_TASKS = "{\"elicitation\":{},\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}";
    private static final Principal ALICE = principal("alice", "acme");
    private static final Principal BOB = principal("bob", "acme");
    private static final Principal ALICE_ELSEWHERE = principal("alice", "globex");

    private static Principal principal(String subject, String tenant) {
        return new Principal("https://issuer.example", subject, "client", Set.of(), tenant, Set.of(), Map.of());
    }

    /** What the event stream heard: each call's ends, and the control events. */
    static final class Heard implements SecurityEventListener {
        final List<Ending> ends = new CopyOnWriteArrayList<>();
        final List<ControlEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void requestEnded(Call call, Ending ending, long elapsedNanos) {
            ends.add(ending);
        }

        @Override
        public void controlled(Call call, ControlEvent event) {
            events.add(event);
        }
    }

    private final Heard heard = new Heard();
    private final AtomicBoolean handlerStopped = new AtomicBoolean();
    private final CountDownLatch handlerRunning = new CountDownLatch(1);
    private final AtomicInteger nextId = new AtomicInteger(1);

    private McpServer server(TaskOptions options) {
        return McpServer.builder("tasks", "1.0.0")
                .controls(Controls.builder().listener(heard).build())
                .taskOptions(options)
                .tool(Tool.builder("wait_forever").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    handlerRunning.countDown();
                    try {
                        while (!ctx.isCancelled()) {
                            Thread.sleep(10_000);
                        }
                        return ToolResult.text("stopped by the flag");
                    } finally {
                        handlerStopped.set(true);
                    }
                }).build())
                .tool(Tool.builder("quick").taskSupport(TaskSupport.REQUIRED)
                        .handler(ctx -> ToolResult.text("done")).build())
                .tool(Tool.builder("ask_two").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    var answers = ctx.input(Map.of(
                            "first", InputRequest.elicit("First?", Json.object()),
                            "second", InputRequest.elicit("Second?", Json.object())));
                    return ToolResult.text(answers.get("first").path("content").path("v").asString() + "+"
                            + answers.get("second").path("content").path("v").asString());
                }).build())
                .build();
    }

    private final McpServer server = server(TaskOptions.defaults());

    private JsonNode handle(Principal who, String method, String params) {
        return handle(server, who, method, params, WITH_TASKS);
    }

    private JsonNode handle(McpServer s, Principal who, String method, String params, String caps) {
        Call call = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(nextId.getAndIncrement()), method,
                (ObjectNode) Json.standard().parse(params)), ProtocolVersion.V2026_07_28, null,
                (ObjectNode) Json.standard().parse(caps), null, Outbound.NONE);
        call.principal(who);
        return s.handle(call);
    }

    private String create(Principal who, String tool) {
        JsonNode created = handle(who, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":{}}");
        assertThat(created.path("resultType").asString()).isEqualTo("task");
        return created.path("taskId").asString();
    }

    private String status(Principal who, String id) {
        return handle(who, "tasks/get", "{\"taskId\":\"" + id + "\"}").path("status").asString();
    }

    private McpError refusal(Principal who, String method, String params) {
        return catchThrowableOfType(McpError.class, () -> handle(who, method, params));
    }

    @Test
    void anotherPrincipalOrTenantAskingForATaskGetsExactlyTheUnknownTaskAnswerAndIsRecorded() {
        String id = create(ALICE, "wait_forever");
        McpError unknown = refusal(BOB, "tasks/get", "{\"taskId\":\"no-such-task\"}");
        assertThat(unknown.code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
        assertThat(unknown.getMessage()).isEqualTo("Unknown task");
        heard.events.clear();

        for (Principal intruder : List.of(BOB, ALICE_ELSEWHERE)) {
            for (String[] m : new String[][]{{"tasks/get", "{\"taskId\":\"" + id + "\"}"},
                    {"tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":{}}"},
                    {"tasks/cancel", "{\"taskId\":\"" + id + "\"}"}}) {
                McpError e = refusal(intruder, m[0], m[1]);
                assertThat(e.code()).isEqualTo(unknown.code());
                assertThat(e.getMessage()).isEqualTo(unknown.getMessage());
                assertThat(e.data()).isEqualTo(unknown.data());
            }
        }
        assertThat(heard.events).filteredOn(ControlEvent.Blocked.class::isInstance).hasSize(6)
                .allSatisfy(ev -> assertThat(ev).isEqualTo(new ControlEvent.Blocked(ControlEvent.Control.TASKS,
                        "task owned by another principal")));
        assertThat(status(ALICE, id)).isEqualTo("working"); // the intruders' cancel did nothing
        handle(ALICE, "tasks/cancel", "{\"taskId\":\"" + id + "\"}");
    }

    @Test
    void aCancelledTasksHandlerIsInterruptedAndStops() throws Exception {
        String id = create(ALICE, "wait_forever");
        assertThat(handlerRunning.await(30, TimeUnit.SECONDS)).isTrue();
        JsonNode ack = handle(ALICE, "tasks/cancel", "{\"taskId\":\"" + id + "\"}");

        assertThat(Json.standard().text(ack)).isEqualTo("{\"resultType\":\"complete\"}");
        await().atMost(Duration.ofSeconds(30)).untilTrue(handlerStopped);
        assertThat(status(ALICE, id)).isEqualTo("cancelled");
        // cancelling a terminal task is the same empty ack
        assertThat(Json.standard().text(handle(ALICE, "tasks/cancel", "{\"taskId\":\"" + id + "\"}")))
                .isEqualTo("{\"resultType\":\"complete\"}");
    }

    @Test
    void theEventStreamHearsTheCallEndAgainWhenItsTaskEndsWithTheFinalResult() {
        String id = create(ALICE, "quick");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(status(ALICE, id)));
        await().atMost(Duration.ofSeconds(30)).until(() -> heard.ends.stream()
                .anyMatch(e -> e instanceof Ending.Answered a && a.result().has("content")));

        Ending.Answered first = (Ending.Answered) heard.ends.getFirst();
        assertThat(first.result().path("resultType").asString()).isEqualTo("task");
        assertThat(heard.ends).filteredOn(e -> e instanceof Ending.Answered a && a.result().has("content"))
                .singleElement().satisfies(e -> assertThat(((Ending.Answered) e).result().path("content").get(0)
                        .path("text").asString()).isEqualTo("done"));
        assertThat(heard.events).contains(new ControlEvent.Noted("task", id),
                new ControlEvent.Noted("task_status", "completed"));
        JsonNode detailed = handle(ALICE, "tasks/get", "{\"taskId\":\"" + id + "\"}");
        assertThat(detailed.path("result").path("content").get(0).path("text").asString()).isEqualTo("done");
        assertThat(detailed.path("resultType").asString()).isEqualTo("complete");
    }

    @Test
    void inputIsAskedThroughTheTaskAndAnsweredPartiallyWithTasksUpdate() {
        String id = create(ALICE, "ask_two");
        await().atMost(Duration.ofSeconds(30)).until(() -> "input_required".equals(status(ALICE, id)));
        JsonNode asked = handle(ALICE, "tasks/get", "{\"taskId\":\"" + id + "\"}").path("inputRequests");
        assertThat(asked.propertyNames()).containsExactlyInAnyOrder("first", "second");
        assertThat(asked.path("first").path("method").asString()).isEqualTo("elicitation/create");

        handle(ALICE, "tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":{\"first\":"
                + "{\"action\":\"accept\",\"content\":{\"v\":\"a\"}},\"nobody-asked\":{\"x\":1}}}");
        JsonNode partial = handle(ALICE, "tasks/get", "{\"taskId\":\"" + id + "\"}");
        assertThat(partial.path("status").asString()).isEqualTo("input_required");
        assertThat(partial.path("inputRequests").propertyNames()).containsExactly("second");

        McpError bad = refusal(ALICE, "tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":"
                + "{\"second\":{\"action\":\"maybe\"}}}");
        assertThat(bad.code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
        assertThat(bad.getMessage()).isEqualTo("Invalid input response 'second': action must be accept, decline "
                + "or cancel");

        handle(ALICE, "tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":{\"second\":"
                + "{\"action\":\"accept\",\"content\":{\"v\":\"b\"}}}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(status(ALICE, id)));
        assertThat(handle(ALICE, "tasks/get", "{\"taskId\":\"" + id + "\"}").path("result").path("content")
                .get(0).path("text").asString()).isEqualTo("a+b");
    }

    @Test
    void aRequiredTaskToolWithoutTheExtensionIsRefusedWithMissingCapability() {
        McpError e = catchThrowableOfType(McpError.class,
                () -> handle(server, ALICE, "tools/call", "{\"name\":\"quick\"}", "{}"));
        assertThat(e.code()).isEqualTo(ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY);
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(Json.standard().text(e.data())).isEqualTo(
                "{\"requiredCapabilities\":{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}}");
        McpError get = catchThrowableOfType(McpError.class,
                () -> handle(server, ALICE, "tasks/get", "{\"taskId\":\"x\"}", "{}"));
        assertThat(get.code()).isEqualTo(ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY);
    }

    @Test
    void anOptionalTaskToolWithoutTheExtensionIsAnsweredDirectly() {
        JsonNode r = handle(server, ALICE, "tools/call", "{\"name\":\"ask_two\"}", "{\"elicitation\":{}}");
        assertThat(r.path("resultType").asString()).isEqualTo("input_required"); // an ordinary MRTR round
        assertThat(r.has("taskId")).isFalse();
    }

    @Test
    void taskIdsAreUnguessable256BitRandomValues() {
        McpServer roomy = server(TaskOptions.defaults().withMaxRunningPerPrincipal(64));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ids.add(handle(roomy, ALICE, "tools/call", "{\"name\":\"quick\"}", WITH_TASKS).path("taskId")
                    .asString());
        }
        assertThat(ids).hasSize(50).allSatisfy(id -> assertThat(id).matches("[A-Za-z0-9_-]{43}"));
    }

    @Test
    void aPrincipalCannotRunMoreTasksAtOnceThanTheLimit() {
        McpServer limited = server(TaskOptions.defaults().withMaxRunningPerPrincipal(1));
        JsonNode first = handle(limited, ALICE, "tools/call", "{\"name\":\"wait_forever\"}", WITH_TASKS);
        Rejection.RateLimited second = catchThrowableOfType(Rejection.RateLimited.class,
                () -> handle(limited, ALICE, "tools/call", "{\"name\":\"wait_forever\"}", WITH_TASKS));
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.getMessage()).isEqualTo("Too Many Requests: rate limit running-tasks exceeded");
        // another principal is not held up by Alice's
        assertThat(handle(limited, BOB, "tools/call", "{\"name\":\"quick\"}", WITH_TASKS)
                .path("resultType").asString()).isEqualTo("task");
        handle(limited, ALICE, "tasks/cancel", "{\"taskId\":\"" + first.path("taskId").asString() + "\"}",
                WITH_TASKS);
    }

    @Test
    void theExtensionIsAdvertisedAndTheRemovedMethodsAreUnknown() {
        JsonNode discover = handle(ALICE, "server/discover", "{}");
        assertThat(discover.path("capabilities").path("extensions").has("io.modelcontextprotocol/tasks")).isTrue();
        assertThat(discover.path("capabilities").has("tasks")).isFalse();
        assertThat(server.knows("tasks/get", true)).isTrue();
        assertThat(server.knows("tasks/get", false)).isFalse();
        assertThat(server.knows("tasks/result", true)).isFalse();
        assertThat(server.knows("tasks/list", true)).isFalse();
    }

    @Test
    void aListenerForItsTaskHearsEachChangeAsANotificationAndForeignIdsAreLeftOut() {
        String id = create(ALICE, "ask_two");
        String bobs = create(BOB, "wait_forever");
        await().atMost(Duration.ofSeconds(30)).until(() -> "input_required".equals(status(ALICE, id)));
        List<String> heardOnStream = new CopyOnWriteArrayList<>();
        Outbound stream = new Outbound() {
            @Override
            public void notify(String method, ObjectNode params) {
                if (method != null) {
                    heardOnStream.add(method + " " + Json.standard().text(params));
                }
            }

            @Override
            public JsonNode request(String method, ObjectNode params) {
                throw new UnsupportedOperationException();
            }
        };
        Call listen = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(777), "subscriptions/listen",
                (ObjectNode) Json.standard().parse("{\"notifications\":{\"taskIds\":[\"" + id + "\",\"" + bobs
                        + "\",\"no-such-task\"]}}")), ProtocolVersion.V2026_07_28, null,
                (ObjectNode) Json.standard().parse(WITH_TASKS), null, stream);
        listen.principal(ALICE);
        Thread listener = Thread.ofVirtual().start(() -> server.handle(listen));
        await().atMost(Duration.ofSeconds(30)).until(() -> !heardOnStream.isEmpty());
        assertThat(heardOnStream.getFirst()).startsWith("notifications/subscriptions/acknowledged ")
                .contains("\"taskIds\":[\"" + id + "\"]");

        handle(ALICE, "tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":{\"first\":"
                + "{\"action\":\"accept\",\"content\":{\"v\":\"x\"}},\"second\":"
                + "{\"action\":\"accept\",\"content\":{\"v\":\"y\"}}}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> heardOnStream.stream()
                .anyMatch(n -> n.startsWith("notifications/tasks ") && n.contains("\"status\":\"completed\"")));
        String last = heardOnStream.getLast();
        assertThat(last).contains("\"taskId\":\"" + id + "\"").contains("x+y")
                .contains("\"io.modelcontextprotocol/subscriptionId\":777").doesNotContain(bobs);
        assertThat(heardOnStream).noneMatch(n -> n.contains(bobs));
        listen.cancel();
        handle(BOB, "tasks/cancel", "{\"taskId\":\"" + bobs + "\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> !listener.isAlive());
    }
}
