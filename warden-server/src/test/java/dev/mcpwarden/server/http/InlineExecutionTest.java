package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.tool.McpTool;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Requests that nothing can block run on the I/O thread that read them; everything else runs on a virtual thread.
 * The tools report the thread they ran on.
 */
class InlineExecutionTest {

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private HttpTransport http;

    /** A request's own virtual thread ("virtual"), or Jetty's I/O thread (virtual too from Java 24, or pooled). */
    private static String where() {
        Thread t = Thread.currentThread();
        return t.getName().startsWith("warden-req-") ? "virtual" : "io:" + t.getName().startsWith("warden-http");
    }

    private McpServer.Builder server() {
        return McpServer.builder("inline", "1")
                .tool(Tool.builder("quick").description("computes").nonBlocking()
                        .handler(ctx -> {
                            ran.add("quick");
                            return ToolResult.text(where());
                        }).build())
                .tool(Tool.builder("ordinary").description("may block")
                        .handler(ctx -> {
                            ran.add("ordinary");
                            return ToolResult.text(where());
                        }).build())
                .tool(Tool.builder("chatty").description("reports progress").nonBlocking()
                        .handler(ctx -> {
                            ctx.progress(1, 2.0, "half");
                            ctx.progress(2, 2.0, "done");
                            return ToolResult.text(where());
                        }).build())
                .tools(new Annotated());
    }

    /** A tool declared with the annotation. */
    public static final class Annotated {
        @McpTool(description = "computes, annotated", nonBlocking = true)
        public String annotated() {
            return where();
        }
    }

    private McpHttp start(McpServer.Builder server, Authenticator authenticator,
                          SecurityEventListener listener) {
        Controls.Builder controls = Controls.builder();
        if (authenticator != null) {
            controls.authenticator(authenticator);
        } else {
            controls.insecureWithoutAuthentication();
        }
        if (listener != null) {
            controls.listener(listener);
        }
        http = server.controls(controls.build()).build().serveHttp(HttpOptions.loopback(0));
        return new McpHttp(http.uri());
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
    }

    private static String body(String tool, ObjectNode extraMeta) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        ObjectNode meta = McpHttp.meta2026(null);
        if (extraMeta != null) {
            meta.setAll(extraMeta);
        }
        p.set("_meta", meta);
        return McpHttp.request(1, "tools/call", p);
    }

    private static String text(McpHttp.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("result").path("content").path(0).path("text").asString();
    }

    private String call(String tool) throws Exception {
        return text(post(McpHttp.headers2026("tools/call", tool), body(tool, null)));
    }

    /**
     * Writes the whole request in one go, so that its body has arrived when the head is read (the JDK client may
     * send the body separately, which rightly sends the request to a virtual thread).
     */
    private McpHttp.Reply post(Map<String, String> headers, String body) throws Exception {
        return new McpHttp(http.uri()).rawPost("127.0.0.1", headers, body);
    }

    @Test
    void aToolThatPromisesNotToBlockRunsOnTheIoThreadThatReadTheRequest() throws Exception {
        start(server(), null, null);
        assertThat(call("quick")).isEqualTo("io:true");
        assertThat(call("annotated")).isEqualTo("io:true");
    }

    @Test
    void anOrdinaryToolRunsOnAVirtualThread() throws Exception {
        start(server(), null, null);
        assertThat(call("ordinary")).isEqualTo("virtual");
    }

    @Test
    void anMcpStageThatMayBlockSendsEveryCallToAVirtualThread() throws Exception {
        Stage<Call, JsonNode> remote = (call, chain) -> chain.proceed(call); // keeps the default: may block
        start(server().stage(Position.Slot.BEFORE_BACKEND, remote), null, null);
        assertThat(call("quick")).isEqualTo("virtual");
    }

    @Test
    void anEventListenerThatMayBlockSendsEveryCallToAVirtualThread() throws Exception {
        SecurityEventListener remote = new SecurityEventListener() { }; // keeps the default: may block
        start(server(), null, remote);
        assertThat(call("quick")).isEqualTo("virtual");
    }

    @Test
    void anAuthenticatorDecidesPerRequestWhetherItCanAnswerWithoutBlocking() throws Exception {
        Authenticator auth = new Authenticator() {
            @Override
            public Principal authenticate(RequestHead request) {
                return new Principal("https://issuer.example", "alice", null, Set.of(), null, Set.of(), Map.of());
            }

            @Override
            public boolean mayBlock(RequestHead request) {
                return !"cached".equals(request.header("X-Token-State"));
            }
        };
        start(server(), auth, null);
        Map<String, String> cached = McpHttp.headers2026("tools/call", "quick");
        cached.put("X-Token-State", "cached");
        assertThat(text(post(cached, body("quick", null)))).isEqualTo("io:true");
        assertThat(call("quick")).isEqualTo("virtual");
    }

    @Test
    void onThe2025WireEvenAToolThatPromisesNotToBlockRunsOnAVirtualThread() throws Exception {
        McpHttp client = start(server(), null, null);
        Map<String, String> h = new java.util.LinkedHashMap<>(Map.of("Content-Type", "application/json",
                "Accept", "application/json, text/event-stream"));
        McpHttp.Reply init = client.post(h, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        h.put("Mcp-Session-Id", init.header("mcp-session-id"));
        h.put("MCP-Protocol-Version", "2025-06-18");
        client.post(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        McpHttp.Reply reply = client.post(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"quick\",\"arguments\":{}}}");
        assertThat(text(reply)).isEqualTo("virtual");
    }

    @Test
    void aRoutingHeaderNamingANonBlockingToolCannotSmuggleAnOrdinaryOneOntoTheIoThread() throws Exception {
        start(server(), null, null);
        McpHttp.Reply reply = post(McpHttp.headers2026("tools/call", "quick"), body("ordinary", null));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().path("error").path("code").asInt()).isEqualTo(-32020);
        assertThat(reply.json().path("error").path("message").asString())
                .isEqualTo("Header mismatch: Mcp-Name header does not match params.name");
        assertThat(ran).isEmpty();
    }

    @Test
    void progressFromANonBlockingToolReachesTheClientBeforeTheResultInOneStream() throws Exception {
        start(server(), null, null);
        ObjectNode token = Json.object();
        token.put("progressToken", "p1");
        McpHttp.Reply reply = post(McpHttp.headers2026("tools/call", "chatty"), body("chatty", token));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).isEqualTo("text/event-stream");
        List<JsonNode> events = reply.body().lines().filter(l -> l.startsWith("data: "))
                .map(l -> Json.standard().parse(l.substring(6))).toList();
        assertThat(events).hasSize(3);
        assertThat(events.get(0).path("method").asString()).isEqualTo("notifications/progress");
        assertThat(events.get(0).path("params").path("message").asString()).isEqualTo("half");
        assertThat(events.get(1).path("params").path("message").asString()).isEqualTo("done");
        assertThat(events.get(2).path("result").path("content").path(0).path("text").asString())
                .isEqualTo("io:true");
    }

    @Test
    void aBodyThatHasNotFullyArrivedIsReadOnAVirtualThreadAndServed() throws Exception {
        start(server(), null, null);
        byte[] bytes = body("quick", null).getBytes(StandardCharsets.UTF_8);
        int half = bytes.length / 2;
        try (Socket s = new Socket("127.0.0.1", http.port())) {
            s.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            McpHttp.headers2026("tools/call", "quick").forEach((k, v) -> head.append(k).append(": ").append(v)
                    .append("\r\n"));
            head.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, 0, half);
            out.flush();
            Thread.sleep(300);
            out.write(bytes, half, bytes.length - half);
            out.flush();
            InputStream in = s.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(raw).startsWith("HTTP/1.1 200");
            JsonNode json = Json.standard().parse(raw.substring(raw.indexOf("\r\n\r\n") + 4));
            assertThat(json.path("result").path("content").path(0).path("text").asString()).isEqualTo("virtual");
        }
    }

    @Test
    void theServerSaysWhichRequestsCanRunWithoutBlocking() {
        McpServer server = server().build();
        assertThat(server.runsWithoutBlocking("tools/call", "quick")).isTrue();
        assertThat(server.runsWithoutBlocking("tools/call", "ordinary")).isFalse();
        assertThat(server.runsWithoutBlocking("tools/call", "missing")).isFalse();
        assertThat(server.runsWithoutBlocking("tools/list", null)).isTrue();
        assertThat(server.runsWithoutBlocking("resources/read", "docs://x")).isFalse();
        assertThat(server.runsWithoutBlocking(null, null)).isFalse();
        Stage<Call, JsonNode> quiet = new Stage<>() {
            @Override
            public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
                return chain.proceed(call);
            }

            @Override
            public boolean mayBlock() {
                return false;
            }
        };
        assertThat(server().stage(Position.Slot.BEFORE_BACKEND, quiet).build().runsWithoutBlocking("tools/call", "quick")).isTrue();
    }
}
