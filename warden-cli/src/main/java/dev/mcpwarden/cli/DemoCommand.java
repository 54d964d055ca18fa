package dev.mcpwarden.cli;

import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code warden demo}: a sample server on loopback, with instructions for connecting a client. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a sample MCP server on loopback and print how to connect an MCP client to it.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", description = "HTTP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port = 8765;

    @Override
    public Integer call() throws Exception {
        HttpTransport http = EverythingServer.create().serveHttp(HttpOptions.loopback(port));
        Runtime.getRuntime().addShutdownHook(new Thread(http::close));
        System.out.println("""
                Warden demo server is running.

                  MCP endpoint (Streamable HTTP, protocol 2026-07-28 and 2025-11-25/06-18/03-26):
                    %s

                Connect an MCP client to that URL, for example:
                  MCP Inspector:   npx @modelcontextprotocol/inspector  (transport: Streamable HTTP, URL above)
                  Claude Code:     claude mcp add --transport http warden-demo %s
                  curl (2026-07-28 wire):
                    curl -s %s -H 'Content-Type: application/json' \\
                      -H 'Accept: application/json, text/event-stream' \\
                      -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/list' \\
                      -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'

                The server listens on loopback only and rejects foreign Host and Origin headers.
                Authentication arrives with the embedded authorization server; this demo is unauthenticated.
                Press Ctrl+C to stop.""".formatted(http.uri(), http.uri(), http.uri()));
        http.join();
        return 0;
    }
}
