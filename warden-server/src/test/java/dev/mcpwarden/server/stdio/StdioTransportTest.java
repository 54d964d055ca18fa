package dev.mcpwarden.server.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.tool.Tool;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** stdio: newline-delimited JSON-RPC, both eras, server-to-client requests and cancellation. */
class StdioTransportTest {

    static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";

    PrintStream toServer;
    final LinkedBlockingQueue<String> fromServer = new LinkedBlockingQueue<>();
    Thread serverThread;
    final CountDownLatch cancelled = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        McpServer server = McpServer.builder("stdio", "1.0.0")
                .tool(Tool.builder("echo").description("echo")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"string\"}}}")
                        .handler(ctx -> ToolResult.text(ctx.arguments().path("t").asString(""))).build())
                .tool(Tool.builder("ask").description("asks the user")
                        .handler(ctx -> ToolResult.text("answer: " + ctx.input("q", InputRequest.elicit("Name?",
                                (tools.jackson.databind.node.ObjectNode) Json.standard().parse(
                                        "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\"}}}")))
                                .path("content").path("n").asString(""))).build())
                .tool(Tool.builder("wait").description("waits until cancelled")
                        .handler(ctx -> {
                            try {
                                Thread.sleep(30_000);
                            } catch (InterruptedException e) {
                                cancelled.countDown();
                            }
                            return ToolResult.text("late");
                        }).build())
                .build();
        PipedInputStream serverIn = new PipedInputStream(1 << 16);
        toServer = new PrintStream(new PipedOutputStream(serverIn), true, StandardCharsets.UTF_8);
        // Piped streams break when their writer thread ends; the server writes from many virtual threads.
        OutputStream serverOut = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    fromServer.add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        };
        serverThread = Thread.ofVirtual().start(() -> server.serveStdio(serverIn, serverOut));
    }

    @AfterEach
    void stop() throws Exception {
        toServer.close();
        serverThread.join(5_000);
    }

    private JsonNode send(String line) throws Exception {
        toServer.println(line);
        String reply = fromServer.poll(10, TimeUnit.SECONDS);
        assertThat(reply).as("a reply within 10 s").isNotNull();
        return Json.standard().parse(reply);
    }

    @Test
    void modernRequestsCarryTheirOwnMeta() throws Exception {
        JsonNode r = send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"t\":\"hi\"}," + META + "}}");
        assertThat(r.get("result").get("content").get(0).get("text").asString()).isEqualTo("hi");
        assertThat(r.get("result").get("resultType").asString()).isEqualTo("complete");
    }

    @Test
    void aRequestWithoutMetaOrInitializeIsInvalidParams() throws Exception {
        JsonNode r = send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}");
        assertThat(r.get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(r.get("error").get("message").asString())
                .isEqualTo("Invalid params: _meta is required (or send initialize)");
        assertThat(r.get("id").asInt()).isEqualTo(2);
    }

    @Test
    void initializeWithoutClientInfoIsRefusedOverStdioAsOverHttp() throws Exception {
        JsonNode r = send("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{}}}");
        assertThat(r.path("error").path("code").asInt()).isEqualTo(-32602);
        assertThat(r.path("error").path("message").asString())
                .isEqualTo("Invalid params: initialize needs protocolVersion, capabilities and clientInfo");
    }

    @Test
    void malformedLinesAreParseErrorsAndTheServerCarriesOn() throws Exception {
        JsonNode r = send("{not json");
        assertThat(r.get("error").get("code").asInt()).isEqualTo(-32700);
        assertThat(r.get("id").isNull()).isTrue();
        assertThat(send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"server/discover\",\"params\":{" + META + "}}")
                .get("result").get("supportedVersions").get(0).asString()).isEqualTo("2026-07-28");
    }

    @Test
    void initializeSwitchesToTheLegacyEraWithServerToClientRequests() throws Exception {
        JsonNode init = send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{\"elicitation\":{}},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}");
        assertThat(init.get("result").get("protocolVersion").asString()).isEqualTo("2025-11-25");
        toServer.println("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        JsonNode request = send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"ask\"}}");
        assertThat(request.get("method").asString()).isEqualTo("elicitation/create");
        assertThat(request.get("params").get("message").asString()).isEqualTo("Name?");
        JsonNode result = send("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":{\"action\":\"accept\","
                + "\"content\":{\"n\":\"Ada\"}}}");
        assertThat(result.get("id").asInt()).isEqualTo(2);
        assertThat(result.get("result").get("content").get(0).get("text").asString()).isEqualTo("answer: Ada");
        assertThat(result.get("result").has("resultType")).isFalse();
    }

    @Test
    void cancelledNotificationStopsTheRequestWithoutAResponse() throws Exception {
        toServer.println("{\"jsonrpc\":\"2.0\",\"id\":\"w\",\"method\":\"tools/call\",\"params\":{\"name\":\"wait\","
                + META + "}}");
        Thread.sleep(200);
        toServer.println("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"w\"}}");
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
        JsonNode next = send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"t\":\"after\"}," + META + "}}");
        assertThat(next.get("id").asInt()).as("no response was sent for the cancelled request").isEqualTo(5);
    }
}
