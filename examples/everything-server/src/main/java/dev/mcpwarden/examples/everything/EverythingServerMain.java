package dev.mcpwarden.examples.everything;

import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;

/** Runs the everything-server without the CLI: {@code --stdio}, or {@code --port P} for HTTP on loopback. */
public final class EverythingServerMain {

    private EverythingServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        McpServer server = EverythingServer.create();
        if (args.length > 0 && "--stdio".equals(args[0])) {
            server.serveStdio(System.in, System.out);
            return;
        }
        int port = args.length > 1 && "--port".equals(args[0]) ? Integer.parseInt(args[1]) : 3001;
        HttpTransport http = server.serveHttp(HttpOptions.loopback(port));
        System.err.println("listening on " + http.uri());
        http.join();
    }
}
