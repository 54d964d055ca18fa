package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** SSE behaviour over real sockets: resumption, standalone streams, subscriptions, cancellation, output schemas. */
@Timeout(30)
class StreamsTest {

    static final CountDownLatch cancelled = new CountDownLatch(1);
    static McpServer server;
    static HttpTransport http;
    static McpHttp client;
    static final HttpClient jdk = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = McpServer.builder("streams", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("reconnect").description("Closes its stream, then answers")
                        .handler(ctx -> {
                            ctx.progress(1, null, "before");
                            ctx.suggestReconnect();
                            Thread.sleep(300);
                            ctx.progress(2, null, "after");
                            return ToolResult.text("done after reconnect");
                        }).build())
                .tool(Tool.builder("forever").description("Reports progress until cancelled")
                        .handler(ctx -> {
                            try {
                                while (!ctx.isCancelled()) {
                                    ctx.progress(1, null, null);
                                    Thread.sleep(50);
                                }
                            } catch (InterruptedException e) {
                                // cancelled
                            }
                            cancelled.countDown();
                            return ToolResult.text("stopped");
                        }).build())
                .tool(Tool.builder("bad_output").description("Violates its output schema")
                        .outputSchema(Json.standard().parse("{\"type\":\"object\",\"required\":[\"n\"]}"))
                        .handler(ctx -> ToolResult.structured(Json.standard().parse("{\"m\":1}"))).build())
                .build();
        http = server.serveHttp(HttpOptions.loopback(0));
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    private static String session() throws Exception {
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "t").put("version", "1");
        return client.post(legacy(null), McpHttp.request(0, "initialize", params)).header("Mcp-Session-Id");
    }

    private static Map<String, String> legacy(String session) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        if (session != null) {
            h.put("Mcp-Session-Id", session);
            h.put("MCP-Protocol-Version", "2025-11-25");
        }
        return h;
    }

    /** SSE events (id, data) of a whole response body. */
    private static List<String[]> events(String body) {
        List<String[]> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String id = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ") || line.equals("data:")) {
                    data = line.length() > 6 ? line.substring(6) : "";
                }
            }
            if (id != null || data != null) {
                out.add(new String[] {id, data});
            }
        }
        return out;
    }

    private static String callTool(String name) {
        ObjectNode p = Json.object();
        p.put("name", name);
        p.putObject("arguments");
        p.putObject("_meta").put("progressToken", "tok");
        return McpHttp.request(1, "tools/call", p);
    }

    @Test
    void aStreamClosedForPollingIsResumedWithLastEventIdAndDeliversTheResult() throws Exception {
        String session = session();
        McpHttp.Reply post = client.post(legacy(session), callTool("reconnect"));
        assertThat(post.header("Content-Type")).isEqualTo("text/event-stream");
        List<String[]> first = events(post.body());
        assertThat(first.get(0)[1]).as("priming event has empty data").isEmpty();
        assertThat(post.body()).contains("retry: 1000");
        assertThat(post.body()).doesNotContain("done after reconnect");
        String lastId = first.get(first.size() - 1)[0];

        Map<String, String> h = new LinkedHashMap<>();
        h.put("Accept", "text/event-stream");
        h.put("Mcp-Session-Id", session);
        h.put("Last-Event-ID", lastId);
        McpHttp.Reply resumed = client.send("GET", h, null);
        assertThat(resumed.status()).isEqualTo(200);
        List<String[]> rest = events(resumed.body());
        assertThat(rest).extracting(e -> e[1]).anyMatch(d -> d.contains("\"message\":\"after\""));
        JsonNode last = Json.standard().parse(rest.get(rest.size() - 1)[1]);
        assertThat(last.get("id").asInt()).isEqualTo(1);
        assertThat(last.get("result").get("content").get(0).get("text").asString()).isEqualTo("done after reconnect");
        assertThat(rest).extracting(e -> e[1]).noneMatch(d -> d.contains("\"message\":\"before\""));
    }

    @Test
    void anUnknownLastEventIdIs400() throws Exception {
        String session = session();
        McpHttp.Reply r = client.send("GET", Map.of("Accept", "text/event-stream", "Mcp-Session-Id", session,
                "Last-Event-ID", "nonsense"), null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("message").asString()).isEqualTo("Bad Request: unknown Last-Event-ID");
    }

    @Test
    void theStandaloneStreamCarriesListChangesAndASecondOneIsAConflict() throws Exception {
        String session = session();
        HttpRequest get = HttpRequest.newBuilder(http.uri()).header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", session).GET().build();
        HttpResponse<InputStream> stream = jdk.send(get, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).startsWith("id: "); // priming event

        McpHttp.Reply second = client.send("GET", Map.of("Accept", "text/event-stream", "Mcp-Session-Id", session),
                null);
        assertThat(second.status()).isEqualTo(409);

        server.toolsChanged();
        String line;
        String data = null;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("data: {")) {
                data = line.substring(6);
                break;
            }
        }
        assertThat(data).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\",\"params\":{}}");
        stream.body().close();
    }

    @Test
    void closingTheResponseStreamCancelsAModernRequest() throws Exception {
        ObjectNode p = Json.object();
        p.put("name", "forever");
        p.putObject("arguments");
        ObjectNode meta = McpHttp.meta2026(null);
        meta.put("progressToken", "t1");
        p.set("_meta", meta);
        HttpRequest.Builder b = HttpRequest.newBuilder(http.uri());
        McpHttp.headers2026("tools/call", "forever").forEach(b::header);
        HttpResponse<InputStream> r = jdk.send(b.POST(HttpRequest.BodyPublishers.ofString(
                McpHttp.request(9, "tools/call", p))).build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null && !line.contains("notifications/progress")) {
            // wait for the first progress event
        }
        assertThat(line).contains("\"progressToken\":\"t1\"");
        r.body().close();
        assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the handler saw the cancellation").isTrue();
    }

    @Test
    void subscriptionsListenAcknowledgesFirstAndTagsEveryNotification() throws Exception {
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        p.putObject("notifications").put("toolsListChanged", true).put("promptsListChanged", true);
        HttpRequest.Builder b = HttpRequest.newBuilder(http.uri());
        McpHttp.headers2026("subscriptions/listen", null).forEach(b::header);
        HttpResponse<InputStream> r = jdk.send(b.POST(HttpRequest.BodyPublishers.ofString(
                McpHttp.request("sub-1", "subscriptions/listen", p))).build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        List<JsonNode> frames = new ArrayList<>();
        String line;
        while (frames.size() < 2 && (line = reader.readLine()) != null) {
            if (line.startsWith("data: {")) {
                frames.add(Json.standard().parse(line.substring(6)));
                if (frames.size() == 1) {
                    server.toolsChanged();
                }
            }
        }
        r.body().close();
        assertThat(frames.get(0).get("method").asString()).isEqualTo("notifications/subscriptions/acknowledged");
        // the server declares no prompts capability, so only the tools filter is honoured
        assertThat(frames.get(0).get("params").get("notifications").toString()).isEqualTo("{\"toolsListChanged\":true}");
        assertThat(frames.get(1).get("method").asString()).isEqualTo("notifications/tools/list_changed");
        for (JsonNode f : frames) {
            assertThat(f.get("params").get("_meta").get("io.modelcontextprotocol/subscriptionId").asString())
                    .isEqualTo("sub-1");
        }
    }

    @Test
    void outputThatViolatesTheOutputSchemaIsAToolErrorWithoutDetails() throws Exception {
        ObjectNode p = Json.object();
        p.put("name", "bad_output");
        p.set("_meta", McpHttp.meta2026(null));
        JsonNode result = client.post(McpHttp.headers2026("tools/call", "bad_output"),
                McpHttp.request(3, "tools/call", p)).json().get("result");
        assertThat(result.get("isError").asBoolean()).isTrue();
        assertThat(result.get("content").get(0).get("text").asString()).matches("Tool bad_output failed \\(error id [0-9a-f-]{36}\\)");
        assertThat(result.has("structuredContent")).isFalse();
    }

    @Test
    void mcpParamHeaderMustMirrorTheAnnotatedArgument() throws Exception {
        McpServer s = McpServer.builder("h", "1").controls(Controls.insecureWithoutAuthentication()).tool(Tool.builder("route").description("d")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"}}}")
                .handler(ctx -> ToolResult.text("ok")).build()).build();
        try (HttpTransport t = s.serveHttp(HttpOptions.loopback(0))) {
            McpHttp c = new McpHttp(t.uri());
            ObjectNode p = Json.object();
            p.put("name", "route");
            p.putObject("arguments").put("region", "eu-west");
            p.set("_meta", McpHttp.meta2026(null));
            String body = McpHttp.request(1, "tools/call", p);
            Map<String, String> h = McpHttp.headers2026("tools/call", "route");
            McpHttp.Reply missing = c.post(h, body);
            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.json().get("error").get("message").asString())
                    .isEqualTo("Header mismatch: Mcp-Param-Region header is required");
            h.put("Mcp-Param-Region", "=?base64?ZXUtd2VzdA==?=");
            assertThat(c.post(h, body).status()).isEqualTo(200);
            h.put("Mcp-Param-Region", "us-east");
            assertThat(c.post(h, body).json().get("error").get("code").asInt()).isEqualTo(-32020);
            h.put("Mcp-Param-Region", "=?base64?ZXUtd2VzdA?=");
            assertThat(c.post(h, body).json().get("error").get("message").asString())
                    .isEqualTo("Header mismatch: Mcp-Param-Region header has invalid base64");
        }
    }
}
