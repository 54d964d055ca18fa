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

    private final CountDownLatch gate = new CountDownLatch(1);

    private McpServer server(TaskOptions options) {
        return server(options, new InMemoryTaskStore(java.time.Clock.systemUTC()));
    }

    private McpServer server(TaskOptions options, TaskStore store) {
        return McpServer.builder("tasks", "1.0.0")
                .controls(Controls.builder().listener(heard).build())
                .taskOptions(options)
                .tasks(store)
                .tool(Tool.builder("gated").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    gate.await();
                    return ToolResult.text("through the gate");
                }).build())
                .tool(Tool.builder("big_error").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    ObjectNode data = Json.object().put("dump", "y".repeat(2000));
                    throw new McpError(ErrorCodes.INTERNAL_ERROR, "failed with a dump", data);
                }).build())
                .tool(Tool.builder("big").taskSupport(TaskSupport.OPTIONAL)
                        .handler(ctx -> ToolResult.text("x".repeat(1200))).build())
                .tool(Tool.builder("ask_many").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    Map<String, InputRequest> many = new java.util.LinkedHashMap<>();
                    for (int i = 0; i < 33; i++) {
                        many.put("q" + i, InputRequest.elicit("Question " + i + "?", Json.object()));
                    }
                    ctx.input(many);
                    return ToolResult.text("asked");
                }).build())
                .tool(Tool.builder("ask_often").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    for (int i = 1; i <= 17; i++) {
                        ctx.input("round" + i, InputRequest.elicit("Round " + i + "?", Json.object()));
                    }
                    return ToolResult.text("asked 17 times");
                }).build())
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
    private JsonNode handleFrom(McpServer s, Principal who, String address, String tool) {
        Call call = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(nextId.getAndIncrement()),
                "tools/call", (ObjectNode) Json.standard().parse("{\"name\":\"" + tool + "\"}")),
                ProtocolVersion.V2026_07_28, null, (ObjectNode) Json.standard().parse(WITH_TASKS), null,
                Outbound.NONE);
        call.principal(who);
        if (address != null) {
            call.remoteAddress(address);
        }
        return s.handle(call);
    }

    private static void assertStoreFull(Throwable t) {
        assertThat(t).isInstanceOf(Rejection.class);
        assertThat(((Rejection) t).status()).isEqualTo(503);
        assertThat(t.getMessage()).isEqualTo("Service Unavailable: too many tasks are kept; try again later");
    }

    private JsonNode awaitEnd(McpServer s, Principal who, String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Set.of("completed", "failed", "cancelled")
                .contains(handle(s, who, "tasks/get", "{\"taskId\":\"" + id + "\"}", WITH_TASKS).path("status")
                        .asString()));
        return handle(s, who, "tasks/get", "{\"taskId\":\"" + id + "\"}", WITH_TASKS);
    }

    @Test
    void aTaskAskingMoreThan32InputRequestsAtOnceFailsAndNothingIsKept() {
        String id = create(ALICE, "ask_many");
        JsonNode t = awaitEnd(server, ALICE, id);
        assertThat(t.path("status").asString()).isEqualTo("failed");
        assertThat(t.path("error").path("code").asInt()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
        assertThat(t.path("error").path("message").asString())
                .isEqualTo("The task asked for input without valid inputRequests (1 to 32 at once)");
        assertThat(t.has("inputRequests")).isFalse();
    }

    @Test
    void aTaskAskingForInputMoreThan16TimesFailsOnThe17th() {
        String id = create(ALICE, "ask_often");
        for (int i = 1; i <= 16; i++) {
            String key = "round" + i;
            await().atMost(Duration.ofSeconds(30)).until(() -> handle(ALICE, "tasks/get",
                    "{\"taskId\":\"" + id + "\"}").path("inputRequests").has(key));
            handle(ALICE, "tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":{\"" + key
                    + "\":{\"action\":\"accept\",\"content\":{}}}}");
        }
        JsonNode t = awaitEnd(server, ALICE, id);
        assertThat(t.path("status").asString()).isEqualTo("failed");
        assertThat(t.path("error").path("message").asString()).isEqualTo("The task asked for input more than 16 times");
    }

    @Test
    void theInputBoundsRefuseUnknownMethodsUndeclaredCapabilitiesAndEmptyRounds() {
        Call call = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(1), "tools/call", Json.object()),
                ProtocolVersion.V2026_07_28, null, (ObjectNode) Json.standard().parse(WITH_TASKS), null,
                Outbound.NONE);
        ObjectNode made = (ObjectNode) Json.standard().parse("{\"a\":{\"method\":\"wallet/pay\",\"params\":{}}}");
        McpError unknown = catchThrowableOfType(McpError.class, () -> TaskStage.checkInput(call, made, 1));
        assertThat(unknown.code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
        assertThat(unknown.getMessage()).isEqualTo("The task asked for input by an unknown method");

        ObjectNode sampling = (ObjectNode) Json.standard().parse(
                "{\"a\":{\"method\":\"sampling/createMessage\",\"params\":{}}}");
        McpError undeclared = catchThrowableOfType(McpError.class, () -> TaskStage.checkInput(call, sampling, 1));
        assertThat(undeclared.code()).isEqualTo(ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY);
        assertThat(undeclared.getMessage()).isEqualTo("Client capability required: sampling");
        assertThat(Json.standard().text(undeclared.data())).isEqualTo("{\"requiredCapabilities\":{\"sampling\":{}}}");

        McpError empty = catchThrowableOfType(McpError.class, () -> TaskStage.checkInput(call, Json.object(), 1));
        assertThat(empty.getMessage())
                .isEqualTo("The task asked for input without valid inputRequests (1 to 32 at once)");
        ObjectNode longKey = Json.object();
        longKey.putObject("k".repeat(65)).put("method", "elicitation/create").putObject("params");
        assertThat(catchThrowableOfType(McpError.class, () -> TaskStage.checkInput(call, longKey, 1)).getMessage())
                .isEqualTo("The task asked for input without valid inputRequests (1 to 32 at once)");
    }

    @Test
    void aTasksEndIsAuditedWithStatusUnknownWhenTheStoreIsDownAsItEnds() {
        AtomicBoolean down = new AtomicBoolean();
        InMemoryTaskStore memory = new InMemoryTaskStore(java.time.Clock.systemUTC());
        TaskStore flaky = new TaskStore() {
            @Override
            public void create(TaskRecord task) {
                memory.create(task);
            }

            @Override
            public java.util.Optional<TaskRecord> find(String id) {
                if (down.get()) {
                    throw new IllegalStateException("connection refused");
                }
                return memory.find(id);
            }

            @Override
            public java.util.Optional<TaskRecord> update(String id, java.util.function.UnaryOperator<TaskRecord> c) {
                if (down.get()) {
                    throw new IllegalStateException("connection refused");
                }
                return memory.update(id, c);
            }
        };
        McpServer s = server(TaskOptions.defaults(), flaky);
        JsonNode created = handle(s, ALICE, "tools/call", "{\"name\":\"gated\"}", WITH_TASKS);
        assertThat(created.path("resultType").asString()).isEqualTo("task");
        down.set(true);
        gate.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> heard.ends.size() == 2);
        assertThat(heard.ends.getLast()).isInstanceOfSatisfying(Ending.Answered.class, a -> assertThat(
                a.result().path("content").get(0).path("text").asString()).isEqualTo("through the gate"));
        assertThat(heard.events).contains(new ControlEvent.Noted("task_status", "unknown"));
    }

    @Test
    void oneSubjectCannotGainTaskRoomByUsingMoreClients() {
        McpServer s = server(TaskOptions.defaults(), new InMemoryTaskStore(java.time.Clock.systemUTC(), 100, 2));
        for (String client : List.of("c1", "c2")) {
            handle(s, new Principal("https://issuer.example", "alice", client, Set.of(), "acme", Set.of(), Map.of()),
                    "tools/call", "{\"name\":\"quick\"}", WITH_TASKS);
        }
        Principal third = new Principal("https://issuer.example", "alice", "c3", Set.of(), "acme", Set.of(), Map.of());
        assertStoreFull(catchThrowableOfType(Rejection.class,
                () -> handle(s, third, "tools/call", "{\"name\":\"quick\"}", WITH_TASKS)));
        // another subject, and the same subject in another tenant, have room of their own
        assertThat(handle(s, BOB, "tools/call", "{\"name\":\"quick\"}", WITH_TASKS).path("resultType").asString())
                .isEqualTo("task");
        assertThat(handle(s, ALICE_ELSEWHERE, "tools/call", "{\"name\":\"quick\"}", WITH_TASKS)
                .path("resultType").asString()).isEqualTo("task");
    }

    @Test
    void anonymousCallersAreBoundedByTheirNetworkAnIpv4AddressOrAnIpv6Slash64() {
        McpServer s = server(TaskOptions.defaults().withMaxRunningPerPrincipal(64),
                new InMemoryTaskStore(java.time.Clock.systemUTC(), 100, 2));
        Principal anon = Principal.ANONYMOUS;
        handleFrom(s, anon, "198.51.100.7", "quick");
        handleFrom(s, anon, "198.51.100.7", "quick");
        assertStoreFull(catchThrowableOfType(Rejection.class, () -> handleFrom(s, anon, "198.51.100.7", "quick")));
        assertThat(handleFrom(s, anon, "198.51.100.8", "quick").path("resultType").asString()).isEqualTo("task");

        handleFrom(s, anon, "2001:db8:1:2::5", "quick");
        handleFrom(s, anon, "[2001:db8:1:2:ffff::6]", "quick");
        assertStoreFull(catchThrowableOfType(Rejection.class,
                () -> handleFrom(s, anon, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "quick")));
        assertThat(handleFrom(s, anon, "2001:db8:1:3::5", "quick").path("resultType").asString()).isEqualTo("task");
        assertThat(TaskStage.network("2001:db8:1:2::5")).isEqualTo("v6:20010db800010002/64");
        assertThat(TaskStage.network("::ffff:198.51.100.7")).isEqualTo("v4:198.51.100.7");
        assertThat(TaskStage.network(null)).isEqualTo("local");
    }

    @Test
    void aResultLargerThanTheTasksBoundFailsTheTaskWithAClearError() {
        McpServer s = server(TaskOptions.defaults().withMaxResultBytes(1024));
        String id = handle(s, ALICE, "tools/call", "{\"name\":\"big\"}", WITH_TASKS).path("taskId").asString();
        JsonNode t = awaitEnd(s, ALICE, id);
        assertThat(t.path("status").asString()).isEqualTo("failed");
        assertThat(t.path("statusMessage").asString())
                .isEqualTo("The task's result was not kept: it is larger than 1024 bytes");
        assertThat(Json.standard().text(t.path("error"))).isEqualTo("{\"code\":-32603,\"message\":"
                + "\"The task's result was not kept: it is larger than 1024 bytes\"}");
    }

    @Test
    void anErrorLargerThanTheTasksBoundIsNotKeptEither() {
        McpServer s = server(TaskOptions.defaults().withMaxResultBytes(1024));
        String id = handle(s, ALICE, "tools/call", "{\"name\":\"big_error\"}", WITH_TASKS).path("taskId")
                .asString();
        JsonNode t = awaitEnd(s, ALICE, id);
        assertThat(Json.standard().text(t.path("error"))).isEqualTo("{\"code\":-32603,\"message\":"
                + "\"The task's result was not kept: it is larger than 1024 bytes\"}");
    }

    @Test
    void anOwnersTasksKeepNoMoreBytesThanItsBoundTheNextResultFailsInstead() {
        McpServer s = server(TaskOptions.defaults(),
                new InMemoryTaskStore(java.time.Clock.systemUTC(), 100, 10, 4096));
        for (int i = 0; i < 2; i++) {
            String id = handle(s, ALICE, "tools/call", "{\"name\":\"big\"}", WITH_TASKS).path("taskId").asString();
            assertThat(awaitEnd(s, ALICE, id).path("status").asString()).isEqualTo("completed");
        }
        String third = handle(s, ALICE, "tools/call", "{\"name\":\"big\"}", WITH_TASKS).path("taskId").asString();
        JsonNode t = awaitEnd(s, ALICE, third);
        assertThat(t.path("status").asString()).isEqualTo("failed");
        assertThat(t.path("error").path("message").asString())
                .isEqualTo("The task's result was not kept: the caller's tasks would hold more than 4096 bytes");
        // another owner is not held up by Alice's bytes
        String bobs = handle(s, BOB, "tools/call", "{\"name\":\"big\"}", WITH_TASKS).path("taskId").asString();
        assertThat(awaitEnd(s, BOB, bobs).path("status").asString()).isEqualTo("completed");
    }

    @Test
    void theStoreKeepsDigestsOfTheOwnerNeverWhoItIs() {
        InMemoryTaskStore store = new InMemoryTaskStore(java.time.Clock.systemUTC());
        McpServer s = server(TaskOptions.defaults(), store);
        String id = handle(s, ALICE, "tools/call", "{\"name\":\"quick\"}", WITH_TASKS).path("taskId").asString();
        TaskRecord t = store.find(id).orElseThrow();
        assertThat(t.owner()).matches("[0-9a-f]{64}");
        assertThat(t.quota()).matches("[0-9a-f]{64}").isNotEqualTo(t.owner());
        assertThat(Json.standard().text(t.toStored())).doesNotContain("alice", "acme", "issuer.example", "client");
    }
}
