package dev.mcpwarden.cli;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Param;
import dev.mcpwarden.server.tool.Tool;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden bench-server}: the server that {@code bench/run} measures against the peers. One {@code echo} tool,
 * served on loopback over Streamable HTTP; both protocol eras are spoken on the same endpoint.
 */
@Command(name = "bench-server", mixinStandardHelpOptions = true,
        description = "Serve the benchmark's echo tool on loopback (used by bench/run).")
final class BenchServerCommand implements Callable<Integer> {

    /** How much of the security pipeline runs in front of the tool. */
    enum PipelineMode { off, full }

    /** The tool's arguments. */
    record Echo(@Param(description = "Text to echo back") String text) {
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--port", description = "HTTP port on 127.0.0.1 (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port = 3110;

    @Option(names = "--pipeline", description = "Security pipeline in front of the tool: ${COMPLETION-CANDIDATES}."
            + " Default: ${DEFAULT-VALUE}")
    PipelineMode pipeline = PipelineMode.off;

    @Option(names = "--issuer", description = "Token issuer accepted by --pipeline full.")
    String issuer;

    @Option(names = "--jwks-file", description = "JWK set verifying tokens for --pipeline full.")
    Path jwksFile;

    /** The server under test: the same one a user would write. */
    static McpServer server() {
        return McpServer.builder("warden-bench", "1")
                .tool(Tool.fromRecord("echo", "Echo text", Echo.class, (args, ctx) -> ToolResult.text(args.text())))
                .build();
    }

    @Override
    public Integer call() throws Exception {
        if (pipeline == PipelineMode.full) {
            spec.commandLine().getErr().println("warden bench-server: --pipeline full is not available yet: the "
                    + "security pipeline stages (token validation, policy, guards, audit) have not landed. "
                    + "Use --pipeline off.");
            return 2;
        }
        if (issuer != null || jwksFile != null) {
            spec.commandLine().getErr().println("warden bench-server: --issuer and --jwks-file only apply to "
                    + "--pipeline full");
            return 2;
        }
        HttpTransport http = server().serveHttp(HttpOptions.loopback(port));
        Runtime.getRuntime().addShutdownHook(new Thread(http::close));
        System.err.println("warden bench-server listening on " + http.uri() + " (pipeline " + pipeline + ")");
        http.join();
        return 0;
    }
}
