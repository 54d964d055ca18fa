package dev.mcpwarden.examples.everything;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Processes;
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
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance}, pinned in conformance/) against
 * the everything-server over real HTTP: every scored scenario of both requirement sets must pass, and the pending
 * scenarios are run and reported, as are the tasks extension's ten (not scored, but every check must pass). The
 * summary lands in {@code target/conformance/summary.txt}.
 */
class ConformanceSuiteTest {

    static HttpTransport http;
    static Path results;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        http = EverythingServer.create().serveHttp(HttpOptions.loopback(0));
        url = "http://127.0.0.1:" + http.port() + "/mcp";
        results = Path.of("target/conformance").toAbsolutePath();
        deleteTree(results);
        Files.createDirectories(results);
    }

    @AfterAll
    static void stop() {
        http.close();
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

    @Test
    void everyScoredScenarioOfBothRevisionsPassesAndPendingOnesAreReported() throws Exception {
        String baseline = Processes.repoRoot().resolve("conformance/expected-failures.yml").toString();
        StringBuilder logs = new StringBuilder();
        for (String rev : List.of("2025-11-25", "2026-07-28")) {
            logs.append(cli("server", "--url", url, "--requirements", rev, "--expected-failures", baseline,
                    "-o", results.resolve(rev).toString()).output());
        }
        String[][] pending = {
                {"json-schema-2020-12", "2025-11-25"}, {"json-schema-2020-12", "2026-07-28"},
                {"server-sse-polling", "2025-11-25"}, {"http-header-validation", "2026-07-28"},
                {"http-custom-header-server-validation", "2026-07-28"}};
        for (String[] p : pending) {
            Path dir = results.resolve("pending").resolve(p[0] + "@" + p[1]);
            Files.createDirectories(dir);
            logs.append(cli("server", "--url", url, "--scenario", p[0], "--spec-version", p[1],
                    "-o", dir.toString()).output());
        }
        Files.writeString(results.resolve("suite.log"), logs, StandardCharsets.UTF_8);
        Processes.Outcome summary = Processes.run(List.of(Processes.node().toString(),
                        Processes.repoRoot().resolve("conformance/summarize.mjs").toString(),
                        "--results", results.toString(), "--expected-failures", baseline),
                Map.of(), Duration.ofMinutes(2));
        Files.writeString(results.resolve("summary.txt"), summary.output(), StandardCharsets.UTF_8);
        System.out.println(summary.output());

        assertThat(summary.output())
                .contains("CONFORMANCE 2025-11-25 scored: passed 30/30")
                .contains("CONFORMANCE 2026-07-28 scored: passed 37/37")
                .contains("CONFORMANCE 2026-07-28 extension tasks (not scored): 10/10 scenarios without failure; "
                        + "44 passed, 0 failed, 0 warnings")
                .contains("PENDING json-schema-2020-12 2025-11-25: 8 passed, 0 failed, 0 warnings")
                .contains("PENDING json-schema-2020-12 2026-07-28: 8 passed, 0 failed, 0 warnings")
                .contains("PENDING server-sse-polling 2025-11-25: 3 passed, 0 failed, 0 warnings")
                .contains("PENDING http-header-validation 2026-07-28: 14 passed, 0 failed, 0 warnings")
                .contains("PENDING http-custom-header-server-validation 2026-07-28: 10 passed, 0 failed, 0 warnings")
                .contains("RESULT PASS");
        assertThat(summary.exitCode()).isZero();
    }
}
