package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.task.TaskStore;
import dev.mcpwarden.server.task.TaskSupport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tasks in a real Redis, served by two replicas (two servers, two independent connections): a task created on one is
 * read, answered and cancelled on the other, and its handler, running on the first, follows.
 */
@Timeout(180)
class RedisTaskStoreTest {

    private static final String WITH_TASKS = "{\"elicitation\":{},\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}";
    private static final Principal ALICE = new Principal("https://issuer.example", "alice", "c", Set.of(), "acme",
            Set.of(), Map.of());
    private static final Principal MALLORY = new Principal("https://issuer.example", "mallory", "c", Set.of(),
            "acme", Set.of(), Map.of());

    static RedisServer redis;
    RedisStores connectionA;
    RedisStores connectionB;
    McpServer replicaA;
    McpServer replicaB;
    final AtomicBoolean handlerStopped = new AtomicBoolean();
    final AtomicInteger nextId = new AtomicInteger(1);

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    McpServer replica(TaskStore store) {
        return McpServer.builder("replicated", "1.0.0").tasks(store)
                .tool(Tool.builder("report").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    Thread.sleep(300);
                    return ToolResult.text("report ready");
                }).build())
                .tool(Tool.builder("wait_forever").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    try {
                        while (!ctx.isCancelled()) {
                            Thread.sleep(10_000);
                        }
                        return ToolResult.text("stopped");
                    } finally {
                        handlerStopped.set(true);
                    }
                }).build())
                .tool(Tool.builder("big").taskSupport(TaskSupport.OPTIONAL)
                        .handler(ctx -> ToolResult.text("x".repeat(1200))).build())
                .tool(Tool.builder("confirm").taskSupport(TaskSupport.OPTIONAL).handler(ctx -> {
                    JsonNode a = ctx.input("ok", InputRequest.elicit("Sure?", Json.object()));
                    return ToolResult.text("answered " + a.path("action").asString());
                }).build())
                .build();
    }

    @BeforeEach
    void replicas() throws Exception {
        redis.startAgain();
        connectionA = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        connectionB = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        connectionA.sharedRedis().call(c -> c.flushall());
        replicaA = replica(connectionA.tasks(Clock.systemUTC(), 100));
        replicaB = replica(connectionB.tasks(Clock.systemUTC(), 100));
    }

    @AfterEach
    void close() {
        connectionA.close();
        connectionB.close();
    }

    JsonNode handle(McpServer on, Principal who, String method, String params) {
        Call call = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(nextId.getAndIncrement()), method,
                (ObjectNode) Json.standard().parse(params)), ProtocolVersion.V2026_07_28, null,
                (ObjectNode) Json.standard().parse(WITH_TASKS), null, Outbound.NONE);
        call.principal(who);
        return on.handle(call);
    }

    String create(McpServer on, String tool) {
        JsonNode r = handle(on, ALICE, "tools/call", "{\"name\":\"" + tool + "\"}");
        assertThat(r.path("resultType").asString()).isEqualTo("task");
        return r.path("taskId").asString();
    }

    JsonNode get(McpServer on, String id) {
        return handle(on, ALICE, "tasks/get", "{\"taskId\":\"" + id + "\"}");
    }

    @Test
    void aTaskCreatedOnOneReplicaCompletesAndIsReadOnAnother() {
        String id = create(replicaA, "report");
        assertThat(get(replicaB, id).path("status").asString()).isEqualTo("working"); // durable at once

        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(get(replicaB, id).path("status")
                .asString()));
        JsonNode done = get(replicaB, id);
        assertThat(done.path("result").path("content").get(0).path("text").asString()).isEqualTo("report ready");
        assertThat(done.path("ttlMs").asLong()).isEqualTo(Duration.ofHours(1).toMillis());
        Long ttl = connectionB.sharedRedis().call(c -> c.pttl(RedisTaskStore.key(id)));
        assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofHours(1).toMillis());
    }

    @Test
    void aTaskCancelledOnAnotherReplicaStopsItsHandler() {
        String id = create(replicaA, "wait_forever");
        JsonNode ack = handle(replicaB, ALICE, "tasks/cancel", "{\"taskId\":\"" + id + "\"}");

        assertThat(Json.standard().text(ack)).isEqualTo("{\"resultType\":\"complete\"}");
        await().atMost(Duration.ofSeconds(30)).untilTrue(handlerStopped);
        assertThat(get(replicaA, id).path("status").asString()).isEqualTo("cancelled");
    }

    @Test
    void inputAskedOnOneReplicaIsAnsweredOnAnother() {
        String id = create(replicaA, "confirm");
        await().atMost(Duration.ofSeconds(30)).until(() -> "input_required".equals(get(replicaB, id).path("status")
                .asString()));
        assertThat(get(replicaB, id).path("inputRequests").path("ok").path("method").asString())
                .isEqualTo("elicitation/create");

        handle(replicaB, ALICE, "tasks/update", "{\"taskId\":\"" + id
                + "\",\"inputResponses\":{\"ok\":{\"action\":\"accept\",\"content\":{}}}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(get(replicaB, id).path("status")
                .asString()));
        assertThat(get(replicaA, id).path("result").path("content").get(0).path("text").asString())
                .isEqualTo("answered accept");
    }

    @Test
    void anotherPrincipalOnAnotherReplicaGetsTheUnknownTaskAnswer() {
        String id = create(replicaA, "report");
        McpError foreign = catchThrowableOfType(McpError.class,
                () -> handle(replicaB, MALLORY, "tasks/get", "{\"taskId\":\"" + id + "\"}"));
        McpError unknown = catchThrowableOfType(McpError.class,
                () -> handle(replicaB, MALLORY, "tasks/get", "{\"taskId\":\"no-such-task\"}"));
        assertThat(foreign.code()).isEqualTo(unknown.code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
        assertThat(foreign.getMessage()).isEqualTo(unknown.getMessage()).isEqualTo("Unknown task");
    }

    @Test
    void redisDownMeansTheTaskRequestIsAnswered503() throws Exception {
        String id = create(replicaA, "report");
        redis.stop();
        dev.mcpwarden.server.pipeline.Rejection r = catchThrowableOfType(
                dev.mcpwarden.server.pipeline.Rejection.class, () -> get(replicaB, id));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.getMessage()).isEqualTo("Service Unavailable: the task store cannot be reached");
    }
    JsonNode awaitEnd(McpServer on, Principal who, String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Set.of("completed", "failed", "cancelled").contains(
                handle(on, who, "tasks/get", "{\"taskId\":\"" + id + "\"}").path("status").asString()));
        return handle(on, who, "tasks/get", "{\"taskId\":\"" + id + "\"}");
    }

    @Test
    void redisKeepsADigestOfTheOwnerNeverTheIssuerSubjectClientOrTenant() {
        String id = create(replicaA, "report");
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(get(replicaB, id).path("status")
                .asString()));
        byte[] raw = connectionA.sharedRedis().call(c -> c.get(RedisTaskStore.key(id)));
        JsonNode doc = Json.standard().parse(SharedRedis.string(raw));
        assertThat(doc.path("owner").asString()).matches("[0-9a-f]{64}");
        assertThat(doc.path("quota").asString()).matches("[0-9a-f]{64}");
        assertThat(SharedRedis.string(raw)).doesNotContain("alice", "acme", "issuer.example", "\"c\"");
        java.util.List<String> keys = connectionA.sharedRedis().call(c -> c.keys("*"));
        assertThat(String.join(" ", keys)).doesNotContain("alice", "acme", "issuer");
    }

    @Test
    void oneSubjectsTasksAreCountedTogetherWhateverClientCreatesThemOnEveryReplica() {
        McpServer a = replica(connectionA.tasks(Clock.systemUTC(), 2));
        McpServer b = replica(connectionB.tasks(Clock.systemUTC(), 2));
        handle(a, new Principal("https://issuer.example", "alice", "c1", Set.of(), "acme", Set.of(), Map.of()),
                "tools/call", "{\"name\":\"report\"}");
        handle(b, new Principal("https://issuer.example", "alice", "c2", Set.of(), "acme", Set.of(), Map.of()),
                "tools/call", "{\"name\":\"report\"}");
        dev.mcpwarden.server.pipeline.Rejection full = catchThrowableOfType(
                dev.mcpwarden.server.pipeline.Rejection.class, () -> handle(a, new Principal(
                        "https://issuer.example", "alice", "c3", Set.of(), "acme", Set.of(), Map.of()),
                        "tools/call", "{\"name\":\"report\"}"));
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.getMessage()).isEqualTo("Service Unavailable: too many tasks are kept; try again later");
        assertThat(handle(b, MALLORY, "tools/call", "{\"name\":\"report\"}").path("resultType").asString())
                .isEqualTo("task");
    }

    @Test
    void anOwnersTasksKeepNoMoreBytesInRedisThanItsBound() {
        McpServer a = replica(connectionA.tasks(Clock.systemUTC(), 100, 4096));
        McpServer b = replica(connectionB.tasks(Clock.systemUTC(), 100, 4096));
        for (McpServer on : java.util.List.of(a, b)) {
            String id = handle(on, ALICE, "tools/call", "{\"name\":\"big\"}").path("taskId").asString();
            assertThat(awaitEnd(on, ALICE, id).path("status").asString()).isEqualTo("completed");
        }
        String third = handle(a, ALICE, "tools/call", "{\"name\":\"big\"}").path("taskId").asString();
        JsonNode t = awaitEnd(b, ALICE, third);
        assertThat(t.path("status").asString()).isEqualTo("failed");
        assertThat(t.path("error").path("message").asString())
                .isEqualTo("The task's result was not kept: the caller's tasks would hold more than 4096 bytes");
        String mallorys = handle(b, MALLORY, "tools/call", "{\"name\":\"big\"}").path("taskId").asString();
        assertThat(awaitEnd(a, MALLORY, mallorys).path("status").asString()).isEqualTo("completed");
    }
}
