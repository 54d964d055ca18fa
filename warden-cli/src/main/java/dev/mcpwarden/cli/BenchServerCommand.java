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

    @Option(names = "--redis", paramLabel = "URL", description = "Share state with other bench-server replicas in "
            + "this Redis (redis://host:port or rediss://...): with --pipeline full the rate limit is counted there, "
            + "and 2025 sessions and their events live there, so replicas behind a load balancer without stickiness "
            + "serve any request; /readyz reports whether it answers.")
    String redis;

    @Option(names = "--replica-id", paramLabel = "ID", description = "Names this replica: with --pipeline full its "
            + "audit chain is the --audit-file name with -ID before the extension (audit.jsonl of r2 is "
            + "audit-r2.jsonl). Default: the host name, and the audit file keeps its name.")
    String replicaId;

    @Option(names = "--public-port", paramLabel = "PORT", description = "With --pipeline full: the loopback port "
            + "clients reach when it is not --port (a load balancer in front of replicas); the resource and the "
            + "minted token's audience name it.")
    Integer publicPort;

    @Option(names = "--key-file", paramLabel = "FILE", description = "With --pipeline full and --token-file: the "
            + "ephemeral signing key is read from FILE, or created there (mode 600) if absent, so that replicas "
            + "given the same FILE trust the same key and each other's tokens.")
    Path keyFile;

    @Option(names = "--telemetry", description = "With --pipeline full: telemetry on as an operator runs it: "
            + "traces sampled at 10% and exported over OTLP/HTTP (to a sink on the admin port that discards them, "
            + "unless OTEL_EXPORTER_OTLP_ENDPOINT names a collector), and metrics, served on the admin port.")
    boolean telemetry;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "With --telemetry: the admin port (/metrics "
            + "and the discarding OTLP sink). Default: any free port.")
    int adminPort;

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
        if (keyFile != null && issuer != null) {
            err.println("warden bench-server: --key-file holds an ephemeral key: not with --issuer");
            return 2;
        }
        if (publicPort != null && (publicPort < 1 || publicPort > 65535)) {
            err.println("warden bench-server: --public-port must be a port number, was " + publicPort);
            return 2;
        }
        SharedState shared;
        try {
            shared = SharedState.of(redis, replicaId);
        } catch (IllegalArgumentException e) {
            err.println("warden bench-server: " + e.getMessage());
            return 2;
        }
        try {
            return serve(err, shared);
        } finally {
            shared.close();
        }
    }

    private int serve(java.io.PrintWriter err, SharedState shared) throws Exception {
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
                shared.audit(new dev.mcpwarden.security.audit.AuditConfig(java.util.Optional.of(audit),
                        dev.mcpwarden.security.audit.AuditLogOptions.defaults())).chainFile()
                        .ifPresent(f -> f.toFile().deleteOnExit());
            }
            dev.mcpwarden.security.audit.FsyncPolicy fsync;
            try {
                fsync = fsyncPolicy(auditFsync);
            } catch (IllegalArgumentException e) {
                err.println("warden bench-server: " + e.getMessage());
                return 2;
            }
            BenchTelemetry observed = telemetry ? BenchTelemetry.start(adminPort) : null;
            BenchPipeline.Running running = BenchPipeline.start(port, issuer,
                    jwksFile == null ? null : dev.mcpwarden.examples.sample.SampleServer.Options.readJwks(jwksFile),
                    tokenFile, audit, fsync, new BenchPipeline.Replica(publicPort, keyFile, shared),
                    observed == null ? null : observed.telemetry().listener());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.close();
                if (observed != null) {
                    observed.close();
                }
            }));
            System.err.println("warden bench-server listening on " + running.http().uri()
                    + " (pipeline full; audit log " + audit + describe(shared)
                    + (observed == null ? "" : "; telemetry on, admin port " + observed.admin().uri()) + ")");
            running.http().join();
            return 0;
        }
        if (telemetry) {
            err.println("warden bench-server: --telemetry only applies to --pipeline full");
            return 2;
        }
        if (issuer != null || jwksFile != null || tokenFile != null || auditFile != null) {
            err.println("warden bench-server: --issuer, --jwks-file, --token-file and --audit-file only apply to "
                    + "--pipeline full");
            return 2;
        }
        if (publicPort != null || keyFile != null) {
            err.println("warden bench-server: --public-port and --key-file only apply to --pipeline full");
            return 2;
        }
        HttpTransport http = shared.http(HttpTransport.builder(server(), HttpOptions.loopback(port))).start();
        Runtime.getRuntime().addShutdownHook(new Thread(http::close));
        System.err.println("warden bench-server listening on " + http.uri() + " (pipeline " + pipeline
                + describe(shared) + ")");
        http.join();
        return 0;
    }

    private String describe(SharedState shared) {
        return (redis == null ? "" : "; shared state in Redis")
                + (replicaId == null ? "" : "; replica " + shared.replicaId());
    }
}
