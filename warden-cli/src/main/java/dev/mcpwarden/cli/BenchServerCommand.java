package dev.mcpwarden.cli;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Param;
import dev.mcpwarden.server.tool.Tool;
import java.nio.file.Files;
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

    @Option(names = "--token-file", description = "With --pipeline full and no --issuer: mint an ephemeral signing "
            + "key, trust only it, and write a bearer token for the load generator here.")
    Path tokenFile;

    @Option(names = "--audit-file", description = "With --pipeline full: where the audit log goes (default: a "
            + "temporary file removed at exit).")
    Path auditFile;

    @Option(names = "--audit-fsync", paramLabel = "POLICY", description = "With --pipeline full: when audit records "
            + "are forced to disk: 'every' (each batch, group commit; the library default), 'never', or an interval "
            + "such as '1s' or '100ms'. Default: ${DEFAULT-VALUE}")
    String auditFsync = "every";

    static dev.mcpwarden.security.audit.FsyncPolicy fsyncPolicy(String value) {
        return switch (value) {
            case "every" -> dev.mcpwarden.security.audit.FsyncPolicy.everyRecord();
            case "never" -> dev.mcpwarden.security.audit.FsyncPolicy.never();
            default -> {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s)").matcher(value);
                if (!m.matches()) {
                    throw new IllegalArgumentException("--audit-fsync must be every, never or a duration such as "
                            + "1s or 100ms, was " + value);
                }
                long n = Long.parseLong(m.group(1));
                yield dev.mcpwarden.security.audit.FsyncPolicy.interval("s".equals(m.group(2))
                        ? java.time.Duration.ofSeconds(n) : java.time.Duration.ofMillis(n));
            }
        };
    }

    /** The server under test: the same one a user would write. */
    static McpServer server() {
        return addTools(McpServer.builder("warden-bench", "1").controls(Controls.insecureWithoutAuthentication())).build();
    }

    /** The echo tool computes from memory, so it promises not to block, as a user would for such a tool. */
    static McpServer.Builder addTools(McpServer.Builder b) {
        return b.tool(Tool.builder("echo").description("Echo text")
                .inputSchema(dev.mcpwarden.server.tool.SchemaGenerator.forRecord(Echo.class))
                .nonBlocking()
                .handler(ctx -> ToolResult.text(ctx.arguments(Echo.class).text()))
                .build());
    }

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        if (pipeline == PipelineMode.full) {
            if ((issuer == null) != (jwksFile == null)) {
                err.println("warden bench-server: give --issuer and --jwks-file together, or neither (then "
                        + "--token-file receives a token for an ephemeral key)");
                return 2;
            }
            if (issuer == null && tokenFile == null) {
                err.println("warden bench-server: --pipeline full needs --issuer and --jwks-file, or --token-file");
                return 2;
            }
            if (port == 0 && issuer == null) {
                err.println("warden bench-server: --pipeline full with an ephemeral key needs a fixed --port (the "
                        + "token's audience names it)");
                return 2;
            }
            Path audit = auditFile;
            if (audit == null) {
                audit = Files.createTempFile("warden-bench-audit", ".jsonl");
                Files.delete(audit); // the log creates it; a fresh chain, removed at exit
                audit.toFile().deleteOnExit();
            }
            dev.mcpwarden.security.audit.FsyncPolicy fsync;
            try {
                fsync = fsyncPolicy(auditFsync);
            } catch (IllegalArgumentException e) {
                err.println("warden bench-server: " + e.getMessage());
                return 2;
            }
            BenchPipeline.Running running = BenchPipeline.start(port, issuer,
                    jwksFile == null ? null : dev.mcpwarden.examples.sample.SampleServer.Options.readJwks(jwksFile),
                    tokenFile, audit, fsync);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.http().close();
                running.audit().close();
            }));
            System.err.println("warden bench-server listening on " + running.http().uri()
                    + " (pipeline full; audit log " + audit + ")");
            running.http().join();
            return 0;
        }
        if (issuer != null || jwksFile != null || tokenFile != null || auditFile != null) {
            err.println("warden bench-server: --issuer, --jwks-file, --token-file and --audit-file only apply to "
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
