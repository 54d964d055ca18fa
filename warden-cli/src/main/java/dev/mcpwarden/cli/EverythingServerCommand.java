package dev.mcpwarden.cli;

import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code warden everything-server}: the conformance fixture, over HTTP or stdio. */
@Command(name = "everything-server", mixinStandardHelpOptions = true,
        description = "Serve the conformance fixture (every MCP feature) over Streamable HTTP or stdio.")
final class EverythingServerCommand implements Callable<Integer> {

    @Option(names = "--port", description = "HTTP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port = 3001;

    @Option(names = "--host", description = "Interface to bind. Default: ${DEFAULT-VALUE}")
    String host = "127.0.0.1";

    @Option(names = "--stdio", description = "Speak MCP on stdin/stdout instead of HTTP.")
    boolean stdio;

    @Override
    public Integer call() throws Exception {
        McpServer server = EverythingServer.create();
        if (stdio) {
            server.serveStdio(System.in, System.out);
            return 0;
        }
        HttpTransport http = server.serveHttp(HttpOptions.loopback(port).withHost(host));
        System.err.println("warden everything-server listening on " + http.uri());
        Runtime.getRuntime().addShutdownHook(new Thread(http::close));
        http.join();
        return 0;
    }
}
