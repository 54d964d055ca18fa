package dev.mcpwarden.server.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpwarden.core.content.PromptMessage;
import dev.mcpwarden.core.content.Content;
import dev.mcpwarden.core.content.ResourceContents;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.CacheScope;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.ServerOptions;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.prompt.Prompt;
import dev.mcpwarden.server.resource.Resource;
import dev.mcpwarden.server.resource.ResourceTemplate;
import dev.mcpwarden.server.session.Session;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class DispatcherTest {

    /** Records what a request sends to the client; answers server-to-client requests from a script. */
    static final class RecordingOutbound implements Outbound {
        final List<String> notifications = new ArrayList<>();
        final List<String> requests = new ArrayList<>();
        final Map<String, String> answers;

        RecordingOutbound(Map<String, String> answers) {
            this.answers = answers;
        }

        RecordingOutbound() {
            this(Map.of());
        }

        @Override
        public void notify(String method, ObjectNode params) {
            notifications.add(method + " " + Json.standard().text(params));
        }

        @Override
        public JsonNode request(String method, ObjectNode params) {
            requests.add(method + " " + Json.standard().text(params));
            String answer = answers.get(method);
            if (answer == null) {
                throw new UnsupportedOperationException("no scripted answer for " + method);
            }
            return Json.standard().parse(answer);
        }
    }

    record EchoArgs(String text) {
    }

    private static final String ELICIT_SCHEMA = "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}}}";
    private static final String ACCEPT = "{\"action\":\"accept\",\"content\":{\"ok\":true}}";

    private final FakeClock clock = new FakeClock();
    private final RecordingOutbound outbound = new RecordingOutbound(Map.of("elicitation/create", ACCEPT));
    private int nextId = 1;

    private static ObjectNode obj(String json) {
        return (ObjectNode) Json.standard().parse(json);
    }

    private static String text(JsonNode n) {
        return Json.standard().text(n);
    }

    private static Tool named(String name) {
        return Tool.builder(name).description("The " + name + " tool")
                .handler(ctx -> ToolResult.text(name)).build();
    }

    private static InputRequest confirm(String what) {
        return InputRequest.elicit("Confirm " + what + "?", obj(ELICIT_SCHEMA));
    }

    private McpServer.Builder builder() {
        return McpServer.builder("test-server", "1.0.0")
                .clock(clock)
                .options(ServerOptions.defaults().withPageSize(2))
                .tool(named("zeta"))
                .tool(named("alpha"))
                .tool(named("mu"))
                .tool(Tool.fromRecord("echo", "Echoes", EchoArgs.class, (a, ctx) -> ToolResult.text(a.text())))
                .tool(Tool.builder("boom").handler(ctx -> {
                    throw new IllegalStateException("secret connection string jdbc:pg://admin:hunter2@db");
                }).build())
                .tool(Tool.builder("confirm").inputSchema("{\"type\":\"object\"}").handler(ctx -> {
                    JsonNode answer = ctx.input("ok", confirm("deploy"));
                    return ToolResult.text("confirm: " + answer.path("action").asString());
                }).build())
                .tool(Tool.builder("twoStep").handler(ctx -> {
                    JsonNode first = ctx.input("first", confirm("first"));
                    JsonNode second = ctx.input("second", confirm("second"));
                    return ToolResult.text(first.path("action").asString() + "+" + second.path("action").asString());
                }).build())
                .tool(Tool.builder("progress").handler(ctx -> {
                    ctx.progress(1, 2.0, "half");
                    ctx.log(LogLevel.WARNING, "test", Json.nodes().stringNode("careful"));
                    ctx.log(LogLevel.DEBUG, "test", Json.nodes().stringNode("noise"));
                    return ToolResult.text("done");
                }).build())
                .resource(Resource.text("test://static", "static", "text/plain", "hello"))
                .resourceTemplate(new ResourceTemplate("test://items/{id}", "item", null, "text/plain",
                        (uri, vars, ctx) -> List.of(ResourceContents.text(uri, "text/plain", "item " + vars.get("id")))))
                .prompt(new Prompt("greeting", null, "Greets", List.of(new Prompt.Argument("arg1", "who", true),
                        new Prompt.Argument("arg2", "how", false)),
                        (args, ctx) -> new Prompt.Rendered(null, List.of(PromptMessage.user(
                                Content.text("Hello " + args.get("arg1")))))))
                .prompt(new Prompt("p2", null, null, null, (a, c) -> new Prompt.Rendered(null, List.of())))
                .prompt(new Prompt("p3", null, null, null, (a, c) -> new Prompt.Rendered(null, List.of())));
    }

    private final McpServer server = builder().build();

    private Call call(ProtocolVersion version, Session session, String method, String params, String caps) {
        JsonRpcMessage.Request request = new JsonRpcMessage.Request(Json.nodes().numberNode(nextId++), method,
                params == null ? null : obj(params));
        return new Call(request, version, session, caps == null ? null : obj(caps), null, outbound);
    }

    private Call modern(String method, String params) {
        return call(ProtocolVersion.V2026_07_28, null, method, params, "{}");
    }

    private Call modern(String method, String params, String caps) {
        return call(ProtocolVersion.V2026_07_28, null, method, params, caps);
    }

    private Session session(String caps) {
        return new Session("s1", ProtocolVersion.V2025_11_25, obj(caps), Json.object(), "anonymous",
                clock.instant());
    }

    private Call legacy(String method, String params) {
        Session s = session("{}");
        return call(ProtocolVersion.V2025_11_25, s, method, params, "{}");
    }

    private JsonNode handle(Call c) {
        return server.handle(c);
    }

    private McpError error(Call c) {
        McpError e = catchThrowableOfType(McpError.class, () -> server.handle(c));
        assertThat(e).as("expected an McpError").isNotNull();
        return e;
    }

    private static List<String> names(JsonNode list, String key) {
        List<String> out = new ArrayList<>();
        list.get(key).forEach(t -> out.add(t.path("name").asString()));
        return out;
    }

    // ---- listing

    @Test
    void toolsListIsPaginatedInRegistrationOrderWithOpaqueCursors() {
        List<String> seen = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = handle(modern("tools/list", cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}"));
            assertThat(page.get("tools").size()).isLessThanOrEqualTo(2);
            seen.addAll(names(page, "tools"));
            cursor = page.has("nextCursor") ? page.get("nextCursor").asString() : null;
            if (cursor != null) {
                cursors.add(cursor);
                assertThat(cursor).matches("[A-Za-z0-9_-]+").doesNotContainPattern("^[0-9]+$");
            }
        } while (cursor != null);
        assertThat(seen).containsExactly("zeta", "alpha", "mu", "echo", "boom", "confirm", "twoStep", "progress");
        assertThat(cursors).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    void toolsListIsDeterministic() {
        JsonNode first = handle(modern("tools/list", "{}"));
        JsonNode again = handle(modern("tools/list", "{}"));
        assertThat(again).isEqualTo(first);
        JsonNode second = handle(modern("tools/list", "{\"cursor\":\"" + first.get("nextCursor").asString() + "\"}"));
        assertThat(names(second, "tools")).containsExactly("mu", "echo");
    }

    @Test
    void lastPageHasNoNextCursor() {
        JsonNode page = handle(modern("resources/list", "{}"));
        assertThat(names(page, "resources")).containsExactly("static");
        assertThat(page.has("nextCursor")).isFalse();
    }

    @Test
    void tamperedCursorIsInvalidParams() {
        String cursor = handle(modern("tools/list", "{}")).get("nextCursor").asString();
        char last = cursor.charAt(0);
        String tampered = (last == 'A' ? 'B' : 'A') + cursor.substring(1);
        McpError e = error(modern("tools/list", "{\"cursor\":\"" + tampered + "\"}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid cursor");
    }

    @Test
    void cursorOfAnotherListIsInvalidParams() {
        String promptCursor = handle(modern("prompts/list", "{}")).get("nextCursor").asString();
        McpError e = error(modern("tools/list", "{\"cursor\":\"" + promptCursor + "\"}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid cursor");
    }

    @Test
    void nonStringCursorIsInvalidParams() {
        McpError e = error(modern("tools/list", "{\"cursor\":2}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid cursor");
    }

    // ---- tools/call

    @Test
    void toolCallReturnsTheHandlersResult() {
        JsonNode r = handle(modern("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}"));
        assertThat(text(r)).isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"resultType\":\"complete\"}");
    }

    @Test
    void unknownToolIsInvalidParams() {
        McpError e = error(modern("tools/call", "{\"name\":\"x\"}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Unknown tool: x");
    }

    @Test
    void missingToolNameIsInvalidParams() {
        McpError e = error(modern("tools/call", "{}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Missing or invalid 'name': a string is required");
    }

    @Test
    void argumentsThatAreNotAnObjectAreInvalidParams() {
        McpError e = error(modern("tools/call", "{\"name\":\"echo\",\"arguments\":[1]}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Tool arguments must be an object");
    }

    @Test
    void argumentSchemaViolationsBecomeToolErrorResults() {
        JsonNode wrongType = handle(modern("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":5}}"));
        assertThat(wrongType.get("isError").asBoolean()).isTrue();
        assertThat(wrongType.get("content").get(0).get("text").asString()).startsWith("Invalid arguments for tool echo");
        JsonNode missing = handle(modern("tools/call", "{\"name\":\"echo\"}"));
        assertThat(missing.get("isError").asBoolean()).isTrue();
        assertThat(missing.get("content").get(0).get("text").asString()).startsWith("Invalid arguments for tool echo");
        JsonNode extra = handle(modern("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"a\",\"x\":1}}"));
        assertThat(extra.get("isError").asBoolean()).isTrue();
        assertThat(extra.get("content").get(0).get("text").asString()).startsWith("Invalid arguments for tool echo");
    }

    @Test
    void handlerExceptionBecomesAnErrorResultThatDoesNotLeakTheMessage() {
        JsonNode r = handle(modern("tools/call", "{\"name\":\"boom\"}"));
        assertThat(r.get("isError").asBoolean()).isTrue();
        String message = r.get("content").get(0).get("text").asString();
        assertThat(message).matches("Tool boom failed \\(error id [0-9a-f-]{36}\\)");
        assertThat(text(r)).doesNotContain("secret").doesNotContain("hunter2").doesNotContain("IllegalState");
    }

    @Test
    void progressAndLogsGoToTheOutbound() {
        Call c = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(9), "tools/call",
                obj("{\"name\":\"progress\",\"_meta\":{\"progressToken\":\"p1\"}}")),
                ProtocolVersion.V2026_07_28, null, Json.object(), LogLevel.INFO, outbound);
        handle(c);
        assertThat(outbound.notifications).containsExactly(
                "notifications/progress {\"progressToken\":\"p1\",\"progress\":1.0,\"total\":2.0,\"message\":\"half\"}",
                "notifications/message {\"level\":\"warning\",\"logger\":\"test\",\"data\":\"careful\"}");
    }

    // ---- envelopes

    @Test
    void modernCacheableResultsCarryResultTypeAndCachingHints() {
        McpServer cached = builder().options(ServerOptions.defaults().withPageSize(2)
                .withCache(Duration.ofSeconds(30), CacheScope.PUBLIC)).build();
        for (String method : List.of("tools/list", "prompts/list", "resources/list", "resources/templates/list",
                "server/discover")) {
            JsonNode r = cached.handle(modern(method, "{}"));
            assertThat(r.get("resultType").asString()).as(method).isEqualTo("complete");
            assertThat(r.get("ttlMs").asLong()).as(method).isEqualTo(30_000);
            assertThat(r.get("cacheScope").asString()).as(method).isEqualTo("public");
        }
        JsonNode read = cached.handle(modern("resources/read", "{\"uri\":\"test://static\"}"));
        assertThat(read.get("ttlMs").asLong()).isEqualTo(30_000);
    }

    @Test
    void defaultCachingHintsAreZeroTtlAndPrivate() {
        JsonNode r = handle(modern("tools/list", "{}"));
        assertThat(r.get("ttlMs").asLong()).isZero();
        assertThat(r.get("cacheScope").asString()).isEqualTo("private");
    }

    @Test
    void modernNonCacheableResultsCarryResultTypeButNoCachingHints() {
        JsonNode r = handle(modern("tools/call", "{\"name\":\"alpha\"}"));
        assertThat(r.get("resultType").asString()).isEqualTo("complete");
        assertThat(r.has("ttlMs")).isFalse();
        assertThat(r.has("cacheScope")).isFalse();
        JsonNode p = handle(modern("prompts/get", "{\"name\":\"greeting\",\"arguments\":{\"arg1\":\"Ada\"}}"));
        assertThat(text(p)).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\","
                + "\"text\":\"Hello Ada\"}}],\"resultType\":\"complete\"}");
    }

    @Test
    void legacyResultsCarryNoModernEnvelope() {
        for (String method : List.of("tools/list", "prompts/list", "resources/list", "resources/templates/list")) {
            JsonNode r = handle(legacy(method, "{}"));
            assertThat(r.has("resultType")).as(method).isFalse();
            assertThat(r.has("ttlMs")).as(method).isFalse();
            assertThat(r.has("cacheScope")).as(method).isFalse();
        }
        JsonNode call = handle(legacy("tools/call", "{\"name\":\"alpha\"}"));
        assertThat(text(call)).isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"alpha\"}]}");
    }

    @Test
    void pingAndSetLevelReturnExactlyAnEmptyObject() {
        assertThat(text(handle(legacy("ping", null)))).isEqualTo("{}");
        Session s = session("{}");
        JsonNode r = handle(call(ProtocolVersion.V2025_11_25, s, "logging/setLevel", "{\"level\":\"error\"}", "{}"));
        assertThat(text(r)).isEqualTo("{}");
        assertThat(s.logLevel()).isEqualTo(LogLevel.ERROR);
    }

    @Test
    void unknownLogLevelIsInvalidParams() {
        McpError e = error(legacy("logging/setLevel", "{\"level\":\"loud\"}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid log level: loud");
    }

    @Test
    void discoverListsVersionsCapabilitiesAndServerInfo() {
        JsonNode r = handle(modern("server/discover", null));
        assertThat(text(r.get("supportedVersions")))
                .isEqualTo("[\"2026-07-28\",\"2025-11-25\",\"2025-06-18\",\"2025-03-26\"]");
        assertThat(r.get("capabilities").has("tools")).isTrue();
        assertThat(text(r.get("_meta").get("io.modelcontextprotocol/serverInfo")))
                .isEqualTo("{\"name\":\"test-server\",\"version\":\"1.0.0\"}");
    }

    // ---- resources

    @Test
    void resourcesAreReadByUriAndTemplate() {
        assertThat(text(handle(legacy("resources/read", "{\"uri\":\"test://static\"}"))))
                .isEqualTo("{\"contents\":[{\"uri\":\"test://static\",\"mimeType\":\"text/plain\",\"text\":\"hello\"}]}");
        assertThat(handle(legacy("resources/read", "{\"uri\":\"test://items/7\"}")).get("contents").get(0)
                .get("text").asString()).isEqualTo("item 7");
    }

    @Test
    void resourceNotFoundIsInvalidParamsWithUriOnTheModernWire() {
        McpError e = error(modern("resources/read", "{\"uri\":\"test://nope\"}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Resource not found: test://nope");
        assertThat(text(e.data())).isEqualTo("{\"uri\":\"test://nope\"}");
    }

    @Test
    void resourceNotFoundIsTheLegacyCodeOnThe2025Wire() {
        McpError e = error(legacy("resources/read", "{\"uri\":\"test://items/a/b\"}"));
        assertThat(e.code()).isEqualTo(-32002);
        assertThat(e.getMessage()).isEqualTo("Resource not found: test://items/a/b");
        assertThat(text(e.data())).isEqualTo("{\"uri\":\"test://items/a/b\"}");
    }

    @Test
    void subscribingRecordsTheUriOnTheSession() {
        Session s = session("{}");
        assertThat(text(handle(call(ProtocolVersion.V2025_11_25, s, "resources/subscribe",
                "{\"uri\":\"test://items/3\"}", "{}")))).isEqualTo("{}");
        assertThat(s.subscriptions()).containsExactly("test://items/3");
        handle(call(ProtocolVersion.V2025_11_25, s, "resources/unsubscribe", "{\"uri\":\"test://items/3\"}", "{}"));
        assertThat(s.subscriptions()).isEmpty();
    }

    // ---- prompts

    @Test
    void promptMissingARequiredArgumentIsInvalidParams() {
        McpError e = error(modern("prompts/get", "{\"name\":\"greeting\",\"arguments\":{\"arg2\":\"x\"}}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Missing required argument: arg1");
    }

    @Test
    void promptArgumentsMustBeStrings() {
        McpError e = error(modern("prompts/get", "{\"name\":\"greeting\",\"arguments\":{\"arg1\":1}}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Prompt argument 'arg1' must be a string");
    }

    @Test
    void unknownPromptIsInvalidParams() {
        McpError e = error(legacy("prompts/get", "{\"name\":\"nope\"}"));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Unknown prompt: nope");
    }

    // ---- eras

    @Test
    void legacyOnlyMethodsAreNotFoundOnTheModernWire() {
        for (String method : List.of("initialize", "ping", "logging/setLevel", "resources/subscribe",
                "resources/unsubscribe")) {
            McpError e = error(modern(method, "{}"));
            assertThat(e.code()).as(method).isEqualTo(-32601);
            assertThat(e.getMessage()).startsWith("Method not found: " + method + " (a 2025 method; ");
        }
        // the one a client most often sends out of habit says what to do instead
        assertThat(error(modern("ping", "{}")).getMessage()).isEqualTo("Method not found: ping (a 2025 method; the "
                + "2026-07-28 wire has no ping: any request, e.g. server/discover, shows the server is up)");
        assertThat(error(modern("resources/subscribe", "{}")).getMessage()).isEqualTo("Method not found: "
                + "resources/subscribe (a 2025 method; on the 2026-07-28 wire use subscriptions/listen)");
        // an unknown method gets no hint
        assertThat(error(modern("foo/bar", "{}")).getMessage()).isEqualTo("Method not found: foo/bar");
    }

    @Test
    void modernOnlyMethodsAreNotFoundOnTheLegacyWire() {
        for (String method : List.of("server/discover", "subscriptions/listen")) {
            McpError e = error(legacy(method, "{}"));
            assertThat(e.code()).as(method).isEqualTo(-32601);
            assertThat(e.getMessage()).isEqualTo("Method not found: " + method);
        }
    }

    @Test
    void methodsOfAnUndeclaredCapabilityAreNotFound() {
        McpServer toolsOnly = McpServer.builder("t", "1").tool(named("a")).build();
        McpError e = catchThrowableOfType(McpError.class, () -> toolsOnly.handle(modern("prompts/list", "{}")));
        assertThat(e.code()).isEqualTo(-32601);
        assertThat(e.getMessage()).isEqualTo("Method not found: prompts/list");
    }

    // ---- multi round-trip requests (2026 wire)

    private static final String ELICITATION = "{\"elicitation\":{}}";

    @Test
    void firstRoundEndsWithInputRequiredAndSealedState() {
        JsonNode r = handle(modern("tools/call", "{\"name\":\"confirm\",\"arguments\":{}}", ELICITATION));
        assertThat(r.get("resultType").asString()).isEqualTo("input_required");
        assertThat(text(r.get("inputRequests"))).isEqualTo("{\"ok\":{\"method\":\"elicitation/create\",\"params\":"
                + "{\"message\":\"Confirm deploy?\",\"requestedSchema\":" + ELICIT_SCHEMA + "}}}");
        assertThat(r.get("requestState").asString()).matches("[A-Za-z0-9_-]+");
        assertThat(r.has("content")).isFalse();
        assertThat(outbound.requests).isEmpty();
    }

    @Test
    void retryWithInputResponsesCompletes() {
        JsonNode first = handle(modern("tools/call", "{\"name\":\"confirm\",\"arguments\":{}}", ELICITATION));
        String state = first.get("requestState").asString();
        JsonNode r = handle(modern("tools/call", "{\"name\":\"confirm\",\"arguments\":{},\"requestState\":\"" + state
                + "\",\"inputResponses\":{\"ok\":" + ACCEPT + "}}", ELICITATION));
        assertThat(text(r)).isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"confirm: accept\"}],"
                + "\"resultType\":\"complete\"}");
    }

    @Test
    void earlierAnswersAreCarriedForwardInTheSealedState() {
        JsonNode round1 = handle(modern("tools/call", "{\"name\":\"twoStep\"}", ELICITATION));
        assertThat(round1.get("inputRequests").has("first")).isTrue();
        JsonNode round2 = handle(modern("tools/call", "{\"name\":\"twoStep\",\"requestState\":\""
                + round1.get("requestState").asString() + "\",\"inputResponses\":{\"first\":" + ACCEPT + "}}",
                ELICITATION));
        assertThat(round2.get("resultType").asString()).isEqualTo("input_required");
        assertThat(round2.get("inputRequests").properties()).extracting(Map.Entry::getKey).containsExactly("second");
        JsonNode round3 = handle(modern("tools/call", "{\"name\":\"twoStep\",\"requestState\":\""
                + round2.get("requestState").asString() + "\",\"inputResponses\":{\"second\":"
                + "{\"action\":\"decline\"}}}", ELICITATION));
        assertThat(round3.get("content").get(0).get("text").asString()).isEqualTo("accept+decline");
    }

    @Test
    void tamperedRequestStateIsInvalidParams() {
        String state = handle(modern("tools/call", "{\"name\":\"confirm\"}", ELICITATION))
                .get("requestState").asString();
        int i = state.length() / 2;
        String tampered = state.substring(0, i) + (state.charAt(i) == 'A' ? 'B' : 'A') + state.substring(i + 1);
        McpError e = error(modern("tools/call", "{\"name\":\"confirm\",\"requestState\":\"" + tampered
                + "\",\"inputResponses\":{\"ok\":" + ACCEPT + "}}", ELICITATION));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid requestState");
    }

    @Test
    void requestStateIssuedForOneToolIsRefusedForAnother() {
        String state = handle(modern("tools/call", "{\"name\":\"confirm\"}", ELICITATION))
                .get("requestState").asString();
        McpError e = error(modern("tools/call", "{\"name\":\"twoStep\",\"requestState\":\"" + state + "\"}",
                ELICITATION));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid requestState");
    }

    @Test
    void requestStateIssuedForOtherArgumentsIsRefused() {
        String state = handle(modern("tools/call", "{\"name\":\"confirm\",\"arguments\":{}}", ELICITATION))
                .get("requestState").asString();
        McpError e = error(modern("tools/call", "{\"name\":\"confirm\",\"arguments\":{\"x\":1},\"requestState\":\""
                + state + "\"}", ELICITATION));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid requestState");
    }

    private static dev.mcpwarden.server.auth.Principal user(String subject) {
        return new dev.mcpwarden.server.auth.Principal("https://issuer.example", subject, "client",
                java.util.Set.of(), null, java.util.Set.of(), java.util.Map.of());
    }

    @Test
    void requestStateIssuedToAnotherPrincipalIsRefused() {
        Call first = modern("tools/call", "{\"name\":\"confirm\"}", ELICITATION);
        first.principal(user("alice"));
        String state = handle(first).get("requestState").asString();
        Call replay = modern("tools/call", "{\"name\":\"confirm\",\"requestState\":\"" + state
                + "\",\"inputResponses\":{\"ok\":" + ACCEPT + "}}", ELICITATION);
        replay.principal(user("mallory"));
        McpError e = error(replay);
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid requestState");
    }

    @Test
    void expiredRequestStateIsRefused() {
        String state = handle(modern("tools/call", "{\"name\":\"confirm\"}", ELICITATION))
                .get("requestState").asString();
        clock.advance(ServerOptions.defaults().requestStateTtl().plusSeconds(1));
        McpError e = error(modern("tools/call", "{\"name\":\"confirm\",\"requestState\":\"" + state
                + "\",\"inputResponses\":{\"ok\":" + ACCEPT + "}}", ELICITATION));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid requestState");
    }

    @Test
    void malformedInputResponseIsInvalidParams() {
        McpError e = error(modern("tools/call", "{\"name\":\"confirm\",\"inputResponses\":{\"ok\":"
                + "{\"action\":\"yes\"}}}", ELICITATION));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid input response 'ok': action must be accept, decline or cancel");
    }

    @Test
    void missingClientCapabilityIsReportedWithTheRequiredCapability() {
        McpError e = error(modern("tools/call", "{\"name\":\"confirm\"}", "{}"));
        assertThat(e.code()).isEqualTo(-32021);
        assertThat(e.getMessage()).isEqualTo("Client capability required: elicitation");
        assertThat(text(e.data())).isEqualTo("{\"requiredCapabilities\":{\"elicitation\":{}}}");
    }

    @Test
    void legacyInputIsRequestedFromTheClientDirectly() {
        Session s = session(ELICITATION);
        JsonNode r = handle(call(ProtocolVersion.V2025_11_25, s, "tools/call", "{\"name\":\"confirm\"}", ELICITATION));
        assertThat(text(r)).isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"confirm: accept\"}]}");
        // the handler's key rides along in _meta, for a gateway that turns the request into a 2026 round
        assertThat(outbound.requests).containsExactly("elicitation/create {\"message\":\"Confirm deploy?\","
                + "\"requestedSchema\":" + ELICIT_SCHEMA + ",\"_meta\":{\"dev.mcpwarden/inputKey\":\"ok\"}}");
    }

    @Test
    void customStagesSeeTheCallBeforeDispatch() {
        List<String> seen = new ArrayList<>();
        McpServer staged = builder().stage(Position.Slot.BEFORE_BACKEND, (call, chain) -> {
            seen.add(call.method());
            if (call.method().equals("tools/call")) {
                throw McpError.invalidParams("blocked by policy");
            }
            return chain.proceed(call);
        }).build();
        assertThat(staged.handle(modern("tools/list", "{}")).get("tools").size()).isEqualTo(2);
        McpError e = catchThrowableOfType(McpError.class,
                () -> staged.handle(modern("tools/call", "{\"name\":\"alpha\"}")));
        assertThat(e.getMessage()).isEqualTo("blocked by policy");
        assertThat(seen).containsExactly("tools/list", "tools/call");
    }
}
