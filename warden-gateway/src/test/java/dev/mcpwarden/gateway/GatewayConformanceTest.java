package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Processes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance}, pinned in conformance/) run
 * <em>through</em> the gateway, with Warden's everything-server as its only upstream, in the two configurations the
 * era bridge must carry: the upstream's era negotiated (it speaks 2026-07-28; 2025-11-25 clients cross the bridge),
 * and the upstream forced to a 2025-11-25 session (every 2026-07-28 scenario crosses the bridge). Only the scored
 * sets are run per configuration, and the pending scenarios once, to keep the build short; summaries land in
 * {@code target/gateway-conformance/}.
 */
class GatewayConformanceTest {

    static HttpTransport upstream;
    static final List<AutoCloseable> open = new ArrayList<>();
    static Path results;

    @BeforeAll
    static void start() throws Exception {
        upstream = EverythingServer.create().serveHttp(HttpOptions.loopback(0));
        results = Path.of("target/gateway-conformance").toAbsolutePath();
        deleteTree(results);
        Files.createDirectories(results);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        upstream.close();
    }

    /** A gateway in front of the everything-server, unauthenticated, with the upstream's era as given. */
    private static String gateway(UpstreamConfig.Era era) throws Exception {
        UpstreamConfig config = UpstreamConfig.of("everything", UpstreamConfig.Http.of(
                URI.create("http://127.0.0.1:" + upstream.port() + "/mcp")));
        Gateway gateway = Gateway.connect(List.of(era == UpstreamConfig.Era.AUTO ? config : config.withEra(era)));
        open.add(gateway);
        HttpTransport http = McpServer.builder("warden-gateway", "test").backend(gateway.backend())
                .controls(Controls.insecureWithoutAuthentication()).build().serveHttp(HttpOptions.loopback(0));
        open.add(http);
        return "http://127.0.0.1:" + http.port() + "/mcp";
    }

    private static void deleteTree(Path p) throws Exception {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }

    private static Processes.Outcome cli(String... args) throws Exception {
        Path root = Processes.repoRoot();
        List<String> cmd = new ArrayList<>(List.of(Processes.node().toString(),
                root.resolve("conformance/node_modules/.bin/conformance").toString()));
        cmd.addAll(List.of(args));
        return Processes.run(cmd, Map.of("NO_COLOR", "1"), Duration.ofMinutes(8));
    }

    private static String summarize(Path dir, String baseline) throws Exception {
        Processes.Outcome summary = Processes.run(List.of(Processes.node().toString(),
                        Processes.repoRoot().resolve("conformance/summarize.mjs").toString(),
                        "--results", dir.toString(), "--expected-failures", baseline),
                Map.of(), Duration.ofMinutes(2));
        Files.writeString(dir.resolve("summary.txt"), summary.output(), StandardCharsets.UTF_8);
        System.out.println(summary.output());
        return summary.output();
    }

    @Test
    void everyScoredScenarioPassesThroughTheGatewayWithTheUpstreamsEraNegotiatedOrForcedTo2025() throws Exception {
        String baseline = Processes.repoRoot().resolve("conformance/expected-failures.yml").toString();
        StringBuilder logs = new StringBuilder();

        Path negotiated = results.resolve("negotiated");
        String url = gateway(UpstreamConfig.Era.AUTO);
        for (String rev : List.of("2025-11-25", "2026-07-28")) {
            logs.append(cli("server", "--url", url, "--requirements", rev, "--expected-failures", baseline,
                    "-o", negotiated.resolve(rev).toString()).output());
        }
        String[][] pending = {
                {"json-schema-2020-12", "2025-11-25"}, {"json-schema-2020-12", "2026-07-28"},
                {"server-sse-polling", "2025-11-25"}, {"http-header-validation", "2026-07-28"},
                {"http-custom-header-server-validation", "2026-07-28"}};
        for (String[] p : pending) {
            Path dir = negotiated.resolve("pending").resolve(p[0] + "@" + p[1]);
            Files.createDirectories(dir);
            logs.append(cli("server", "--url", url, "--scenario", p[0], "--spec-version", p[1],
                    "-o", dir.toString()).output());
        }

        Path legacy = results.resolve("upstream-2025");
        String legacyUrl = gateway(UpstreamConfig.Era.LEGACY);
        logs.append(cli("server", "--url", legacyUrl, "--requirements", "2026-07-28", "--expected-failures",
                baseline, "-o", legacy.resolve("2026-07-28").toString()).output());
        Files.writeString(results.resolve("suite.log"), logs, StandardCharsets.UTF_8);

        assertThat(summarize(negotiated, baseline))
                .contains("CONFORMANCE 2025-11-25 scored: passed 30/30")
                .contains("CONFORMANCE 2026-07-28 scored: passed 37/37")
                // the upstream's tasks, relayed as the gateway's own
                .contains("CONFORMANCE 2026-07-28 extension tasks (not scored): 10/10 scenarios without failure; "
                        + "44 passed, 0 failed, 0 warnings")
                .contains("RESULT PASS");
        // Only the 2026-07-28 set is run against the 2025 upstream, so the summary calls 2025-11-25 "not run".
        assertThat(summarize(legacy, baseline))
                .contains("CONFORMANCE 2026-07-28 scored: passed 37/37");
    }
}
