package dev.mcpwarden.cli;

import dev.mcpwarden.server.http.HttpTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code warden train}: the training run for a JDK 25 ahead-of-time cache (JEP 483/514). It starts the benchmark
 * server with and without the security pipeline, sends it requests on both protocol eras, and exits, so that
 * {@code java -XX:AOTCacheOutput=warden.aot -jar warden-cli.jar train} records the classes and profiles a real
 * server uses. The {@code warden} launcher runs it once per build and starts later commands with the cache.
 */
@Command(name = "train", hidden = true, mixinStandardHelpOptions = true,
        description = "Exercise a server briefly (training run for the JDK's ahead-of-time cache).")
final class TrainCommand implements Callable<Integer> {

    static final String BODY_2026 = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
            + "\"echo\",\"arguments\":{\"text\":\"hello\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
            + "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
    static final String INIT_2025 = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"train\","
            + "\"version\":\"1\"}}}";
    static final String CALL_2025 = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
            + "\"echo\",\"arguments\":{\"text\":\"hello\"}}}";

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

    private void exercise(URI uri, String token) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            for (int i = 0; i < requests; i++) {
                send(client, uri, token, BODY_2026, null, "2026-07-28");
            }
            HttpResponse<String> init = send(client, uri, token, INIT_2025, null, null);
            String session = init.headers().firstValue("Mcp-Session-Id").orElse(null);
            for (int i = 0; i < requests && session != null; i++) {
                send(client, uri, token, CALL_2025, session, "2025-06-18");
            }
        }
    }

    private static HttpResponse<String> send(HttpClient client, URI uri, String token, String body, String session,
                                             String version) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (version != null) {
            b.header("MCP-Protocol-Version", version);
        }
        if ("2026-07-28".equals(version)) {
            b.header("Mcp-Method", "tools/call").header("Mcp-Name", "echo");
        }
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
