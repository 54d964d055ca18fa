package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.testkit.McpHttp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** What a plain server does when it is told to stop, and when its port is taken. */
class ShutdownTest {

    @Test
    void aPlainServerToldToStopDuringToolCallsAnswersEveryOneOfThem() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process server = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SlowServerMain.class.getName(), "1500").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).strip());
                }
            }
            assertThat(port).as("the server printed its port").isPositive();
            Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
            McpHttp client = new McpHttp(URI.create("http://127.0.0.1:" + port + "/mcp"));

            List<CompletableFuture<McpHttp.Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int id = i;
                calls.add(CompletableFuture.supplyAsync(() -> call(client, id)));
            }
            Thread.sleep(700); // the calls are in flight, a second or so from their answers
            server.destroy();  // SIGTERM

            for (CompletableFuture<McpHttp.Reply> c : calls) {
                McpHttp.Reply r = c.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.json().at("/result/content/0/text").asString()).isEqualTo("done");
            }
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the server exits once drained").isTrue();
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aTakenPortIsReportedInOneLineNamingItWithTheBindExceptionAsCause() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            McpServer server = McpServer.builder("x", "1").controls(Controls.insecureWithoutAuthentication()).build();
            assertThatThrownBy(() -> server.serveHttp(HttpOptions.loopback(port)))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessage("port " + port + " on 127.0.0.1 is already in use: stop the process listening there,"
                            + " or choose another port")
                    .hasRootCauseInstanceOf(BindException.class)
                    .satisfies(e -> assertThat(((PortInUseException) e).port()).isEqualTo(port))
                    .satisfies(e -> {
                        // uncaught in a main method, it prints two lines, not Jetty's stack
                        java.io.StringWriter trace = new java.io.StringWriter();
                        e.printStackTrace(new java.io.PrintWriter(trace));
                        assertThat(trace.toString().lines()).hasSize(2).last().asString()
                                .startsWith("Caused by: java.net.BindException: ");
                    });
        }
    }

    private static McpHttp.Reply call(McpHttp client, int id) {
        ObjectNode p = Json.object();
        p.put("name", "slow");
        p.putObject("arguments");
        p.set("_meta", McpHttp.meta2026(null));
        try {
            return client.post(McpHttp.headers2026("tools/call", "slow"), McpHttp.request(id, "tools/call", p));
        } catch (Exception e) {
            throw new AssertionError("call " + id + " failed: " + e, e);
        }
    }
}
