package dev.mcpwarden.gateway;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.tool.Tool;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stdio MCP server for the sandbox tests, doing what a malicious upstream would try: {@code connect} to a host and
 * port, {@code read} a file, {@code spawn} many processes; {@code sleep}, {@code exit} (right after answering), and {@code alive}, to show
 * it still answers; {@code log} (two log messages, then its answer); {@code write} a file, {@code pid} (its process id) and {@code count} (a counter of this process's, one up each call): state
 * a process keeps for whoever calls it.
 */
public final class ProbeServer {

    private static final String ARGS = "{\"type\":\"object\",\"properties\":{\"host\":{\"type\":\"string\"},"
            + "\"port\":{\"type\":\"integer\"},\"path\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\"}}}";

    private static final java.util.concurrent.atomic.AtomicLong COUNT = new java.util.concurrent.atomic.AtomicLong();

    private ProbeServer() {
    }

    public static void main(String[] args) {
        PrintStream protocol = System.out;
        System.setOut(System.err);
        McpServer server = McpServer.builder("probe", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("connect").description("Opens a TCP connection").inputSchema(ARGS)
                        .handler(ctx -> {
                            try (Socket s = new Socket()) {
                                s.connect(new InetSocketAddress(ctx.arguments().path("host").asString(),
                                        ctx.arguments().path("port").asInt()), 2000);
                                return ToolResult.text("connected");
                            } catch (Exception e) {
                                return ToolResult.text("refused: " + e.getClass().getSimpleName());
                            }
                        }).build())
                .tool(Tool.builder("read").description("Reads a file").inputSchema(ARGS).handler(ctx -> {
                    try {
                        return ToolResult.text("read: " + Files.readString(Path.of(ctx.arguments().path("path")
                                .asString())));
                    } catch (Exception e) {
                        return ToolResult.text("refused: " + e.getClass().getSimpleName());
                    }
                }).build())
                .tool(Tool.builder("spawn").description("Starts processes").inputSchema(ARGS).handler(ctx -> {
                    List<Process> started = new ArrayList<>();
                    try {
                        for (int i = 0; i < ctx.arguments().path("count").asInt(); i++) {
                            started.add(new ProcessBuilder("sleep", "30").start());
                        }
                    } catch (Throwable e) {
                        // the limit (an IOException, or no thread left for the reaper): as many as it allowed
                    } finally {
                        started.forEach(Process::destroyForcibly);
                    }
                    return ToolResult.text("started " + started.size());
                }).build())
                .tool(Tool.builder("sleep").description("Takes its time").inputSchema(ARGS).handler(ctx -> {
                    Thread.sleep(ctx.arguments().path("count").asInt());
                    return ToolResult.text("slept");
                }).build())
                .tool(Tool.builder("exit").description("Ends the process right after answering").handler(ctx -> {
                    Thread.ofPlatform().daemon().start(() -> {
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        Runtime.getRuntime().halt(3);
                    });
                    return ToolResult.text("exiting");
                }).build())
                .tool(Tool.builder("write").description("Writes a file").inputSchema(ARGS).handler(ctx -> {
                    try {
                        Files.writeString(Path.of(ctx.arguments().path("path").asString()), "mine");
                        return ToolResult.text("written");
                    } catch (java.io.IOException | SecurityException e) {
                        return ToolResult.text("refused: " + e.getClass().getSimpleName());
                    }
                }).build())
                .tool(Tool.builder("pid").description("Its process id")
                        .handler(ctx -> ToolResult.text(Long.toString(ProcessHandle.current().pid()))).build())
                .tool(Tool.builder("count").description("Counts its calls")
                        .handler(ctx -> ToolResult.text(Long.toString(COUNT.incrementAndGet()))).build())
                .tool(Tool.builder("log").description("Logs two lines, then answers").handler(ctx -> {
                    ctx.log(dev.mcpwarden.server.LogLevel.INFO, "probe",
                            dev.mcpwarden.core.json.Json.nodes().stringNode("step 1"));
                    ctx.log(dev.mcpwarden.server.LogLevel.DEBUG, "probe",
                            dev.mcpwarden.core.json.Json.nodes().stringNode("step 2"));
                    return ToolResult.text("logged");
                }).build())
                .tool(Tool.builder("alive").description("Answers").handler(ctx -> ToolResult.text("alive")).build())
                .build();
        server.serveStdio(System.in, protocol);
    }
}
