package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.testkit.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The official MCP conformance suite's client scenarios ({@code @modelcontextprotocol/conformance}, pinned in
 * conformance/) with {@code warden conformance-client} as the client under test: every scored scenario of both
 * requirement sets must pass with the expected-failures baseline, and the extension scenarios the sets run unscored
 * are reported. Logs and the summary land in {@code target/conformance-client/}.
 */
class ConformanceClientSuiteTest {

    /** The suite starts one client per scenario, all at once: on a loaded machine each may take long to start. */
    private static final String CLIENT_TIMEOUT_MS = "120000";
    private static final Pattern SCENARIO = Pattern.compile("^([✓✗]) (\\S+): (\\d+) passed, (\\d+) failed(?:, (\\d+)"
            + " warnings)?", Pattern.MULTILINE);

    /** The client command the suite runs (it appends the URL): this JVM's java on the test class path. */
    private static String clientCommand() {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("java.class.path");
        if (java.contains(" ") || classpath.contains(" ")) {
            throw new IllegalStateException("the suite splits --command on spaces: the java path and the class path"
                    + " must have none");
        }
        // a client lives a few seconds: the C1 compiler and the serial collector start it fastest
        return String.join(" ", java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp",
                classpath, Main.class.getName(), "conformance-client");
    }

    @Test
    void everyScoredClientScenarioOfBothRevisionsPassesAndTheExtensionsAreReported() throws Exception {
        Path results = Path.of("target/conformance-client").toAbsolutePath();
        deleteTree(results);
        Files.createDirectories(results);
        Path root = Processes.repoRoot();
        String baseline = root.resolve("conformance/expected-failures.yml").toString();
        StringBuilder summary = new StringBuilder();
        List<Integer> exits = new ArrayList<>();
        for (String rev : List.of("2025-11-25", "2026-07-28")) {
            Processes.Outcome run = Processes.run(List.of(Processes.node().toString(),
                            root.resolve("conformance/node_modules/.bin/conformance").toString(), "client",
                            "--command", clientCommand(), "--requirements", rev, "--expected-failures", baseline,
                            "--timeout", CLIENT_TIMEOUT_MS, "-o", results.resolve(rev).toString()),
                    Map.of("NO_COLOR", "1"), Duration.ofMinutes(8));
            Files.writeString(results.resolve("client-" + rev + ".log"), run.output(), StandardCharsets.UTF_8);
            summary.append(summarize(rev, run.output(), notScored(root, rev)));
            exits.add(run.exitCode());
        }
        Files.writeString(results.resolve("summary.txt"), summary, StandardCharsets.UTF_8);
        System.out.println(summary);

        assertThat(summary.toString())
                .contains("CLIENT CONFORMANCE 2025-11-25 scored: passed 18/18")
                .contains("CLIENT CONFORMANCE 2026-07-28 scored: passed 32/32");
        assertThat(exits).containsOnly(0);
    }

    /**
     * One revision's lines: scored passed/total (a scenario passes with no FAILURE and no WARNING, as the suite's
     * own exit code judges a client run), then each unscored scenario's result.
     */
    static String summarize(String rev, String output, List<String> notScored) {
        int summaryAt = Math.max(0, output.lastIndexOf("=== SUITE SUMMARY ==="));
        Matcher m = SCENARIO.matcher(output.substring(summaryAt));
        int scored = 0;
        int passed = 0;
        StringBuilder unscored = new StringBuilder();
        StringBuilder failing = new StringBuilder();
        while (m.find()) {
            boolean ok = m.group(4).equals("0") && (m.group(5) == null || m.group(5).equals("0"));
            String line = m.group(2) + ": " + m.group(3) + " passed, " + m.group(4) + " failed, "
                    + (m.group(5) == null ? "0" : m.group(5)) + " warnings";
            if (notScored.contains(m.group(2))) {
                unscored.append("NOT SCORED ").append(rev).append(' ').append(line).append('\n');
            } else {
                scored++;
                if (ok) {
                    passed++;
                } else {
                    failing.append("FAILING ").append(rev).append(' ').append(line).append('\n');
                }
            }
        }
        return "CLIENT CONFORMANCE " + rev + " scored: passed " + passed + "/" + scored + "\n" + failing + unscored;
    }

    /**
     * The client scenarios a requirement set runs but does not score, from the suite's own
     * {@code requirements/<rev>.yaml} ({@code not_scored} entries of {@code leg: client}).
     */
    static List<String> notScored(Path root, String rev) throws java.io.IOException {
        List<String> lines = Files.readAllLines(root.resolve(
                "conformance/node_modules/@modelcontextprotocol/conformance/requirements/" + rev + ".yaml"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            Matcher m = Pattern.compile("^\\s*- scenario: (\\S+)").matcher(lines.get(i));
            if (m.find() && lines.get(i + 1).trim().equals("leg: client")) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static void deleteTree(Path p) throws Exception {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }
}
