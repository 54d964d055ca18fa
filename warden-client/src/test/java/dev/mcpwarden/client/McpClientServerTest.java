package dev.mcpwarden.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.client.McpClientException.Reason;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.ServerOptions;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The client against Warden's own server over real HTTP, on both eras. */
class McpClientServerTest {

    final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    private URI serve(McpServer server) {
        HttpTransport http = server.serveHttp(HttpOptions.loopback(0));
        closeLater.add(http);
        return http.uri();
    }

    private McpClient client(McpClient.Builder b) throws McpClientException {
        McpClient c = b.build();
        closeLater.add(c);
        return c;
    }

    static McpServer echoServer() {
        return McpServer.builder("echo-server", "2.1.0").controls(Controls.insecureWithoutAuthentication())
                .options(ServerOptions.defaults().withPageSize(2))
                .tool(echo("echo"))
                .tool(echo("echo_2"))
                .tool(echo("echo_3"))
                .build();
    }

    static Tool echo(String name) {
        return Tool.builder(name).description("Echoes its text")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}")
                .handler(ctx -> ToolResult.text(ctx.arguments().path("text").asString(""))).build();
    }

    static ObjectNode call(String tool, String text) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments").put("text", text);
        return p;
    }

    static String text(JsonNode result) {
        return result.get("content").get(0).get("text").asString();
    }

    @Test
    void aDualEraServerIsSpokenToStatelesslyAndListedAcrossPages() throws Exception {
        McpClient client = client(McpClient.http(serve(echoServer())));
        assertThat(client.list(McpClient.Kind.TOOLS)).extracting(t -> t.get("name").asString())
                .containsExactly("echo", "echo_2", "echo_3"); // page size 2: two pages followed
        assertThat(client.protocolVersion()).isEqualTo("2026-07-28");
        assertThat(text(client.request("tools/call", call("echo", "hello")))).isEqualTo("hello");
        assertThat(client.serverInfo().get("name").asString()).isEqualTo("echo-server");
        assertThat(client.serverInfo().get("version").asString()).isEqualTo("2.1.0");
        assertThat(client.capabilities().has("tools")).isTrue();
        assertThat(client.list(McpClient.Kind.PROMPTS)).isEmpty();
    }

    @Test
    void aForcedLegacyClientInitializesASessionAndReportsWhatWasNegotiated() throws Exception {
        McpClient client = client(McpClient.http(serve(echoServer())).era(McpClient.Era.LEGACY));
        assertThat(client.protocolVersion()).isEqualTo("2025-11-25");
        assertThat(client.serverInfo().get("name").asString()).isEqualTo("echo-server");
        assertThat(client.list(McpClient.Kind.TOOLS)).hasSize(3);
        assertThat(text(client.request("tools/call", call("echo_2", "in a session")))).isEqualTo("in a session");
    }

    @Test
    void aJsonRpcErrorCarriesTheServersCodeAndMessage() throws Exception {
        for (McpClient.Era era : List.of(McpClient.Era.MODERN, McpClient.Era.LEGACY)) {
            McpClient client = client(McpClient.http(serve(echoServer())).era(era));
            assertThatThrownBy(() -> client.request("tools/call", call("nope", "x")))
                    .isInstanceOfSatisfying(McpClientException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.JSON_RPC_ERROR);
                        assertThat(e.errorCode()).contains(-32602);
                        assertThat(e.errorMessage()).contains("Unknown tool: nope");
                        assertThat(e).hasMessage("tools/call failed: Unknown tool: nope (JSON-RPC error -32602)");
                    });
        }
    }

    @Test
    void progressNotificationsReachTheListenerBeforeTheResultOnBothEras() throws Exception {
        URI uri = serve(EverythingServer.create());
        for (McpClient.Era era : List.of(McpClient.Era.MODERN, McpClient.Era.LEGACY)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            McpClient client = client(McpClient.http(uri).era(era).onNotification((method, params) ->
                    seen.add(method + " " + params.path("progressToken").asString() + " "
                            + params.path("progress").asInt())));
            ObjectNode params = Json.object();
            params.put("name", "test_tool_with_progress");
            params.putObject("arguments");
            params.putObject("_meta").put("progressToken", "p-" + era);
            JsonNode result = client.request("tools/call", params);
            assertThat(text(result)).isEqualTo("Progress test completed");
            assertThat(seen).as(era.name()).containsExactly("notifications/progress p-" + era + " 0",
                    "notifications/progress p-" + era + " 50", "notifications/progress p-" + era + " 100");
        }
    }

    @Test
    void anElicitationOnALegacyStreamIsAnsweredByTheHandler() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        ObjectNode caps = Json.object();
        caps.putObject("elicitation");
        McpClient client = client(McpClient.http(serve(EverythingServer.create())).era(McpClient.Era.LEGACY)
                .capabilities(caps).onServerRequest((method, params) -> {
                    asked.add(method + ": " + params.path("message").asString());
                    ObjectNode answer = Json.object().put("action", "accept");
                    answer.putObject("content").put("username", "ada").put("email", "ada@example.com");
                    return answer;
                }));
        ObjectNode params = Json.object();
        params.put("name", "test_elicitation");
        params.putObject("arguments").put("message", "Who are you?");
        assertThat(text(client.request("tools/call", params))).isEqualTo(
                "User response: action=accept, content={\"username\":\"ada\",\"email\":\"ada@example.com\"}");
        assertThat(asked).containsExactly("elicitation/create: Who are you?");
    }

    @Test
    void withoutAHandlerTheServersRequestIsRefusedAndTheCallFailsAtOnce() throws Exception {
        ObjectNode caps = Json.object();
        caps.putObject("elicitation");
        McpClient client = client(McpClient.http(serve(EverythingServer.create())).era(McpClient.Era.LEGACY)
                .capabilities(caps).requestTimeout(java.time.Duration.ofSeconds(10)));
        ObjectNode params = Json.object();
        params.put("name", "test_elicitation");
        params.putObject("arguments").put("message", "Who are you?");
        long start = System.nanoTime();
        // the server learns of the refusal (-32601, see the stdio tests for the exact answer) and fails the call
        assertThatThrownBy(() -> client.request("tools/call", params))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32603);
                    assertThat(e.errorMessage()).contains("The client answered with an error");
                });
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
    }

    @Test
    void aLegacyStreamTheServerBreaksOffIsResumedWithLastEventId() throws Exception {
        McpClient client = client(McpClient.http(serve(EverythingServer.create())).era(McpClient.Era.LEGACY));
        ObjectNode params = Json.object();
        params.put("name", "test_reconnection");
        params.putObject("arguments");
        assertThat(text(client.request("tools/call", params))).isEqualTo("Reconnection test completed successfully.");
    }

    @Test
    void inputRequiredResultsAreReturnedForTheCallerToAnswer() throws Exception {
        ObjectNode caps = Json.object();
        caps.putObject("elicitation");
        McpClient client = client(McpClient.http(serve(EverythingServer.create())).capabilities(caps));
        ObjectNode params = Json.object();
        params.put("name", "test_input_required_result_elicitation");
        params.putObject("arguments");
        JsonNode result = client.request("tools/call", params);
        assertThat(result.get("resultType").asString()).isEqualTo("input_required");
        assertThat(result.get("inputRequests").has("user_name")).isTrue();
    }

    @Test
    void anArgumentMirroredInAHeaderReachesWardensServerEvenBeforeTheToolsWereListed() throws Exception {
        McpClient client = client(McpClient.http(serve(EverythingServer.create())));
        ObjectNode params = Json.object();
        params.put("name", "test_header_param");
        params.putObject("arguments").put("region", "eu-west");
        assertThat(text(client.request("tools/call", params))).isEqualTo("Region: eu-west");
        ((ObjectNode) params.get("arguments")).put("region", " Zürich ");
        assertThat(text(client.request("tools/call", params))).isEqualTo("Region:  Zürich ");
    }

    @Test
    void concurrentRequestsGetTheirOwnResponsesOnBothEras() throws Exception {
        URI uri = serve(echoServer());
        for (McpClient.Era era : List.of(McpClient.Era.AUTO, McpClient.Era.LEGACY)) {
            McpClient client = client(McpClient.http(uri).era(era));
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    String text = era + "-" + i;
                    answers.add(pool.submit(() -> text(client.request("tools/call", call("echo", text)))));
                }
                for (int i = 0; i < 64; i++) {
                    assertThat(answers.get(i).get()).isEqualTo(era + "-" + i);
                }
            }
        }
    }

    @Test
    void aClosedClientRefusesRequests() throws Exception {
        McpClient client = McpClient.http(serve(echoServer())).build();
        client.list(McpClient.Kind.TOOLS);
        client.close();
        assertThatThrownBy(() -> client.request("tools/list", null)).isInstanceOfSatisfying(
                McpClientException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
    }
}
