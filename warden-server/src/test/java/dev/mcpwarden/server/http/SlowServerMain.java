package dev.mcpwarden.server.http;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.tool.Tool;

/** A plain server, as a user writes one (serveHttp, nothing registered for shutdown), with a tool that takes a while. */
public final class SlowServerMain {

    private SlowServerMain() {
    }

    public static void main(String[] args) throws Exception {
        long millis = Long.parseLong(args[0]);
        HttpTransport http = McpServer.builder("slow", "1.0")
                .controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("slow").description("Answers after a while").handler(ctx -> {
                    try {
                        Thread.sleep(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return ToolResult.text("interrupted");
                    }
                    return ToolResult.text("done");
                }).build())
                .build()
                .serveHttp(HttpOptions.loopback(0));
        System.out.println("PORT " + http.port());
        System.out.flush();
        http.join();
    }
}
