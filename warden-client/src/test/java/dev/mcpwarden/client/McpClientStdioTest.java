package dev.mcpwarden.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpwarden.client.McpClientException.Reason;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.examples.everything.EverythingServerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The client with real child processes: Warden's everything-server, and shell scripts that answer crafted lines. */
class McpClientStdioTest {

    /** Takes a request's numeric id out of the line the client wrote ({"jsonrpc":"2.0","id":N,...}), without sed. */
    static final String ID = "rest=${line#*\\\"id\\\":}; id=${rest%%,*}\n";

    @TempDir
    Path dir;

    final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    private McpClient client(McpClient.Builder b) throws McpClientException {
        McpClient c = b.build();
        closeLater.add(c);
        return c;
    }

    static List<String> everythingServer() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), EverythingServerMain.class.getName(), "--stdio");
    }

    private List<String> script(String body) throws IOException {
        Path p = dir.resolve("server-" + System.nanoTime() + ".sh");
        Files.writeString(p, body);
        return List.of("/bin/sh", p.toString());
    }

    static McpClientException failure(McpClientHttpFaultsTest.ThrowingCall call) {
        return McpClientHttpFaultsTest.failure(call);
    }

    static ObjectNode tool(String name) {
        ObjectNode p = Json.object();
        p.put("name", name);
        p.putObject("arguments");
        return p;
    }

    @Test
    void theEverythingServerAsAChildIsSpokenToTheModernWay() throws Exception {
        McpClient client = client(McpClient.stdio(everythingServer()));
        assertThat(client.list(McpClient.Kind.TOOLS)).hasSize(EverythingServer.create().backend().definitions().list(dev.mcpwarden.server.pipeline.Target.Kind.TOOL).size());
        assertThat(client.protocolVersion()).isEqualTo("2026-07-28");
        assertThat(client.request("tools/call", tool("test_simple_text")).get("content").get(0).get("text")
                .asString()).isEqualTo("This is a simple text response for testing.");
        assertThat(client.list(McpClient.Kind.RESOURCE_TEMPLATES)).extracting(t -> t.get("uriTemplate").asString())
                .containsExactly("test://template/{id}/data");
    }

    @Test
    void aLegacyChildSessionAnswersElicitationAndServesConcurrentRequests() throws Exception {
        ObjectNode caps = Json.object();
        caps.putObject("elicitation");
        McpClient client = client(McpClient.stdio(everythingServer()).era(McpClient.Era.LEGACY).capabilities(caps)
                .onServerRequest((method, params) -> {
                    ObjectNode answer = Json.object().put("action", "decline");
                    return answer;
                }));
        assertThat(client.protocolVersion()).isEqualTo("2025-11-25");
        ObjectNode elicit = tool("test_elicitation");
        ((ObjectNode) elicit.get("arguments")).put("message", "Name?");
        assertThat(client.request("tools/call", elicit).get("content").get(0).get("text").asString())
                .startsWith("User response: action=decline");
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<JsonNode>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(pool.submit(() -> client.request("tools/call", tool("test_simple_text"))));
            }
            for (Future<JsonNode> f : calls) {
                assertThat(f.get().get("content").get(0).get("text").asString())
                        .isEqualTo("This is a simple text response for testing.");
            }
        }
    }

    @Test
    void aLegacyOnlyChildIsDetectedFromItsErrorAndInitialized() throws Exception {
        Path log = dir.resolve("in.log");
        McpClient client = client(McpClient.stdio(script("while IFS= read -r line; do\n"
                + "  printf '%s\\n' \"$line\" >> '" + log + "'\n" + ID
                + "  case \"$line\" in\n"
                + "    *'\"method\":\"notifications/'*) ;;\n"
                + "    *'\"method\":\"initialize\"'*) printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{"
                + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"sh\","
                + "\"version\":\"0\"}}}\\n' \"$id\" ;;\n"
                + "    *'\"_meta\"'*) printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":-32002,\"message\":"
                + "\"not initialized\"}}\\n' \"$id\" ;;\n"
                + "    *) printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"tools\":[{\"name\":\"t\"}]}}\\n' \"$id\";;\n"
                + "  esac\n"
                + "done\n")));
        assertThat(client.list(McpClient.Kind.TOOLS)).extracting(t -> t.get("name").asString()).containsExactly("t");
        assertThat(client.protocolVersion()).isEqualTo("2025-06-18");
        assertThat(client.serverInfo().get("name").asString()).isEqualTo("sh");
        List<JsonNode> sent = Files.readAllLines(log).stream().map(Json.standard()::parse).toList();
        assertThat(sent).extracting(m -> m.get("method").asString()).containsExactly("server/discover",
                "initialize", "notifications/initialized", "tools/list");
        assertThat(sent.get(0).get("params").get("_meta").get("io.modelcontextprotocol/protocolVersion").asString())
                .isEqualTo("2026-07-28");
        assertThat(sent.get(3).get("params").has("_meta")).isFalse();
    }

    @Test
    void aLegacyChildThatAnswersBeforeInitializeIsStillSpokenToInASession() throws Exception {
        // As the TypeScript SDK 1.x servers do: any request is answered, session or not; server/discover is unknown.
        Path log = dir.resolve("in.log");
        McpClient client = client(McpClient.stdio(script("while IFS= read -r line; do\n"
                + "  printf '%s\\n' \"$line\" >> '" + log + "'\n" + ID
                + "  case \"$line\" in\n"
                + "    *'\"method\":\"notifications/'*) ;;\n"
                + "    *'\"method\":\"server/discover\"'*) printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{"
                + "\"code\":-32601,\"message\":\"Method not found\"}}\\n' \"$id\" ;;\n"
                + "    *'\"method\":\"initialize\"'*) printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"sh\","
                + "\"version\":\"0\"}}}\\n' \"$id\" ;;\n"
                + "    *) printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"tools\":[{\"name\":\"t\"}]}}\\n' \"$id\";;\n"
                + "  esac\n"
                + "done\n")));
        assertThat(client.list(McpClient.Kind.TOOLS)).extracting(t -> t.get("name").asString()).containsExactly("t");
        assertThat(client.protocolVersion()).isEqualTo("2025-11-25");
        List<JsonNode> sent = Files.readAllLines(log).stream().map(Json.standard()::parse).toList();
        assertThat(sent).extracting(m -> m.get("method").asString()).containsExactly("server/discover",
                "initialize", "notifications/initialized", "tools/list");
        assertThat(sent.get(3).get("params").has("_meta")).isFalse();
    }

    @Test
    void theServersRequestsAreAnsweredMethodNotFoundWithoutAHandlerAndPingAlways() throws Exception {
        String body = "IFS= read -r line\n" + ID
                + "printf '{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"roots/list\"}\\n'\n"
                + "IFS= read -r a\n"
                + "printf '{\"jsonrpc\":\"2.0\",\"id\":\"s2\",\"method\":\"ping\"}\\n'\n"
                + "IFS= read -r b\n"
                + "printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"roots\":%s,\"ping\":%s}}\\n' \"$id\" \"$a\" \"$b\"\n"
                + "IFS= read -r line\n";
        JsonNode refused = client(McpClient.stdio(script(body)).era(McpClient.Era.MODERN)).request("tools/list",
                null);
        assertThat(refused.get("roots").toString()).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
        assertThat(refused.get("ping").toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"s2\",\"result\":{}}");

        List<String> asked = new CopyOnWriteArrayList<>();
        JsonNode answered = client(McpClient.stdio(script(body)).era(McpClient.Era.MODERN)
                .onServerRequest((method, params) -> {
                    asked.add(method);
                    ObjectNode r = Json.object();
                    r.putArray("roots").addObject().put("uri", "file:///work");
                    return r;
                })).request("tools/list", null);
        assertThat(answered.get("roots").toString()).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"result\":{\"roots\":[{\"uri\":\"file:///work\"}]}}");
        assertThat(asked).containsExactly("roots/list");

        JsonNode failed = client(McpClient.stdio(script(body)).era(McpClient.Era.MODERN)
                .onServerRequest((method, params) -> {
                    throw McpClientException.error(-32602, "no roots here", Json.object().put("why", "sandbox"));
                })).request("tools/list", null);
        assertThat(failed.get("roots").toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"error\":{\"code\":"
                + "-32602,\"message\":\"no roots here\",\"data\":{\"why\":\"sandbox\"}}}");
    }

    @Test
    void stderrIsDrainedSoTheChildNeverBlocksAndItsTailExplainsAnExit() throws Exception {
        AtomicInteger lines = new AtomicInteger();
        McpClient client = client(McpClient.stdio(script(
                "i=0; while [ $i -lt 20000 ]; do echo \"log line $i\" >&2; i=$((i+1)); done\n"
                        + "IFS= read -r line\nexit 3\n"))
                .stderr(l -> lines.incrementAndGet()).requestTimeout(Duration.ofSeconds(20)).era(McpClient.Era.MODERN));
        McpClientException e = failure(() -> client.request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.PROCESS_FAILED);
        assertThat(e.getMessage()).contains(" exited before answering tools/list (exit status 3); its last stderr"
                + " lines:\n  log line 19980\n").endsWith("\n  log line 19999");
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.get() == 20000);
    }

    @Test
    void aChildThatDoesNotAnswerTimesOutAndIsToldToCancel() throws Exception {
        Path log = dir.resolve("in.log");
        List<String> command = script("while IFS= read -r line; do printf '%s\\n' \"$line\" >> '" + log
                + "'; done\n");
        McpClient client = client(McpClient.stdio(command).era(McpClient.Era.MODERN)
                .requestTimeout(Duration.ofMillis(300)));
        McpClientException e = failure(() -> client.request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(e).hasMessage(String.join(" ", command) + " did not answer tools/list within 300ms");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log)
                && Files.readString(log).contains("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                + "\"params\":{\"requestId\":1,\"reason\":\"timed out\"}}"));
    }

    @Test
    void aLineLargerThanTheBoundFailsTheWaitingRequestAndReadingGoesOn() throws Exception {
        McpClient client = client(McpClient.stdio(script("IFS= read -r line\n" + ID
                + "printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"pad\":\"' \"$id\"\n"
                + "i=0; while [ $i -lt 100 ]; do printf '0123456789012345678901234567890123456789'; i=$((i+1)); done\n"
                + "printf '\"}}\\n'\n"
                + "IFS= read -r line\n" + ID
                + "printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"tools\":[]}}\\n' \"$id\"\n"
                + "IFS= read -r line\n"))
                .era(McpClient.Era.MODERN).maxResponseBytes(2048));
        McpClientException e = failure(() -> client.request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.RESPONSE_TOO_LARGE);
        assertThat(e.getMessage()).endsWith(" wrote a line larger than 2048 bytes");
        assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty();
    }

    @Test
    void theChildGetsExactlyTheEnvironmentAndWorkingDirectoryGiven() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        JsonNode r = client(McpClient.stdio(script("IFS= read -r line\n" + ID
                + "printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"pwd\":\"%s\",\"x\":\"%s\",\"home\":\"%s\"}}\\n'"
                + " \"$id\" \"$PWD\" \"$WARDEN_X\" \"$HOME\"\n"
                + "IFS= read -r line\n"))
                .environment(Map.of("WARDEN_X", "42")).workingDirectory(work).era(McpClient.Era.MODERN))
                .request("ping", null);
        assertThat(r.get("pwd").asString()).isEqualTo(work.toRealPath().toString());
        assertThat(r.get("x").asString()).isEqualTo("42");
        assertThat(r.get("home").asString()).isEmpty(); // nothing inherited
    }

    @Test
    void aCommandThatCannotStartIsReportedByBuild() {
        McpClientException e = failure(() -> McpClient.stdio(List.of("/nonexistent/warden-server")).build());
        assertThat(e.reason()).isEqualTo(Reason.PROCESS_FAILED);
        assertThat(e.getMessage()).startsWith("cannot start /nonexistent/warden-server: ");
    }
}
