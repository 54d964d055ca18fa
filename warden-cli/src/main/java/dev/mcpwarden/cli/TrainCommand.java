package dev.mcpwarden.cli;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.gateway.Gateway;
import dev.mcpwarden.gateway.UpstreamConfig;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpTransport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code warden train}: the training run for a JDK 25 ahead-of-time cache (JEP 483/514). It starts the benchmark
 * server with and without the security pipeline, and the gateway in front of it, sends each requests on both protocol
 * eras, and exits, so that
 * {@code java -XX:AOTCacheOutput=warden.aot -jar warden-cli.jar train} records the classes and profiles a real
 * server uses. The {@code warden} launcher runs it once per build and starts later commands with the cache.
 */
@Command(name = "train", hidden = true, mixinStandardHelpOptions = true,
        description = "Exercise a server briefly (training run for the JDK's ahead-of-time cache).")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--requests", description = "Requests per server and era. Default: ${DEFAULT-VALUE}")
    int requests = 2000;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("warden-train");
        try {
            HttpTransport plain = BenchServerCommand.server().serveHttp(
                    dev.mcpwarden.server.http.HttpOptions.loopback(0));
            try {
                exercise(plain.uri(), null);
                // the gateway's path too: its pipeline, the federated backend and the upstream client
                try (Gateway gateway = Gateway.connect(List.of(UpstreamConfig.of("bench",
                        UpstreamConfig.Http.of(plain.uri()))))) {
                    HttpTransport front = McpServer.builder("warden-gateway", "train").backend(gateway.backend())
                            .controls(Security.insecureWithoutAuthentication().build()).build()
                            .serveHttp(dev.mcpwarden.server.http.HttpOptions.loopback(0));
                    try {
                        exercise(front.uri(), null);
                    } finally {
                        front.close();
                    }
                }
            } finally {
                plain.close();
            }
            int port = DemoAuth.freeLoopbackPort();
            Path token = dir.resolve("token");
            BenchPipeline.Running full = BenchPipeline.start(port, null, null, token, dir.resolve("audit.jsonl"));
            try {
                exercise(full.http().uri(), Files.readString(token));
            } finally {
                full.http().close();
                full.audit().close();
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    /**
     * The requests a real client sends, through Warden's own client, so the cache also holds the classes
     * {@code warden scan} uses: {@code tools/call} on the stateless wire, then in a 2025 session.
     */
    private void exercise(URI uri, String token) throws McpClientException {
        ObjectNode call = Json.object();
        call.put("name", "echo");
        call.putObject("arguments").put("text", "hello");
        for (McpClient.Era era : List.of(McpClient.Era.MODERN, McpClient.Era.LEGACY)) {
            try (McpClient client = McpClient.http(uri).era(era).clientInfo("train", "1")
                    .connectTimeout(Duration.ofSeconds(5))
                    .bearerToken(() -> Optional.ofNullable(token).map(String::strip)).build()) {
                for (int i = 0; i < requests; i++) {
                    client.request("tools/call", call);
                }
            }
        }
    }
}
