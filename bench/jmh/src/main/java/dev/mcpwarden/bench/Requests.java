package dev.mcpwarden.bench;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.tool.Tool;
import java.nio.charset.StandardCharsets;

/** The request bodies and the server that the microbenchmarks and the load benchmark (bench/run) share. */
final class Requests {

    /** A 2026-07-28 tools/call, byte for byte what the load benchmark's call2026.lua posts. */
    static final byte[] TOOLS_CALL_2026 = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"},\"_meta\":"
            + "{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}").getBytes(StandardCharsets.UTF_8);

    /** A 2025 tools/call, byte for byte what call.lua posts. */
    static final byte[] TOOLS_CALL_2025 = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}").getBytes(StandardCharsets.UTF_8);

    /** The echo tool's arguments. */
    record Echo(String text) {
    }

    /** The same server as {@code warden bench-server}: one echo tool, nothing else. */
    static McpServer echoServer() {
        return McpServer.builder("warden-bench", "1")
                .tool(Tool.fromRecord("echo", "Echo text", Echo.class, (args, ctx) -> ToolResult.text(args.text())))
                .build();
    }

    /** The same echo server with {@code listener} (telemetry) as its only control. */
    static McpServer echoServer(dev.mcpwarden.server.events.SecurityEventListener listener) {
        return McpServer.builder("warden-bench", "1")
                .controls(dev.mcpwarden.server.Controls.builder().insecureWithoutAuthentication().listener(listener)
                        .build())
                .tool(Tool.fromRecord("echo", "Echo text", Echo.class, (args, ctx) -> ToolResult.text(args.text())))
                .build();
    }

    private Requests() {
    }
}
