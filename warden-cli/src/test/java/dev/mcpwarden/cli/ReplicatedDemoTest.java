package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.authserver.LiveProcess;
import dev.mcpwarden.testkit.Haproxy;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.Processes;
import dev.mcpwarden.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three replicas of {@code warden demo}, each its own process, behind Debian's HAProxy balancing round robin without
 * stickiness, sharing a real Redis: the official TypeScript SDK client registers, its user signs in and consents in
 * Chromium, the client exchanges the code and calls a protected tool, and every one of those requests lands on
 * whichever replica HAProxy picks.
 */
@Timeout(300)
class ReplicatedDemoTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static RedisServer redis;
    static Path dir;
    static final List<Process> replicas = new ArrayList<>();
    static Haproxy haproxy;
    static int lbPort;

    @BeforeAll
    static void start() throws Exception {
        if ("true".equals(System.getenv("CI"))) {
            assertThat(CHROMIUM).as("Chromium must be installed in CI (.ci/run installs it)").isExecutable();
        }
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at /usr/bin/chromium; skipping");
        Path scripts = Processes.repoRoot().resolve("warden-authserver/src/test/browser");
        if (!Files.isDirectory(scripts.resolve("node_modules/playwright-core"))) {
            Processes.Outcome o = Processes.run(List.of("npm", "ci", "--prefix", scripts.toString(), "--no-audit",
                    "--no-fund"), Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"), Duration.ofMinutes(3));
            assertThat(o.exitCode()).as("npm ci for playwright-core failed: " + o.output()).isZero();
        }
        redis = RedisServer.start();
        dir = Files.createTempDirectory("warden-replicated-demo");
        lbPort = Ports.free();
        List<Integer> ports = List.of(Ports.free(), Ports.free(), Ports.free());
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int i = 0; i < 3; i++) {
            replicas.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "demo", "--port", ports.get(i).toString(), "--public-port",
                    Integer.toString(lbPort), "--redis", redis.url(), "--replica-id", "r" + (i + 1),
                    "--state-dir", dir.resolve("state").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("r" + (i + 1) + ".log").toFile()).start());
        }
        Map<String, Integer> named = new java.util.TreeMap<>();
        for (int i = 0; i < 3; i++) {
            named.put("r" + (i + 1), ports.get(i));
        }
        haproxy = Haproxy.start(dir, lbPort, named);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            int up = 0;
            for (int p : ports) {
                try {
                    up += http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? 1 : 0;
                } catch (IOException e) {
                    // not yet
                }
            }
            if (up == 3 && servedBy().values().stream().allMatch(s -> s.startsWith("UP"))) {
                break;
            }
            assertThat(System.currentTimeMillis()).as("the replicas did not come up: "
                    + Files.readString(dir.resolve("r1.log"))).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (haproxy != null) {
            haproxy.close();
        }
        replicas.forEach(Process::destroyForcibly);
        if (redis != null) {
            redis.close();
        }
    }

    /** HAProxy's view of each replica: its status and the number of requests it was sent ("UP 12"). */
    static Map<String, String> servedBy() throws IOException {
        Map<String, String> s = haproxy == null ? Map.of() : haproxy.servers();
        return s.isEmpty() ? Map.of("r1", "DOWN") : s;
    }

    @Test
    void theOfficialClientSignsInInChromiumAndCallsAToolWithEveryRequestOnWhicheverReplicaHaproxyPicks()
            throws Exception {
        Map<String, String> before = servedBy();
        String url = "http://127.0.0.1:" + lbPort + "/mcp";
        String password = Files.readString(dir.resolve("state").resolve(DemoAuth.PASSWORD_FILE)).strip();
        List<String> cmd = List.of(Processes.node().toString(),
                Processes.repoRoot().resolve("conformance/clients/client-v2-oauth.mjs").toString(), url, "dcr");
        try (LiveProcess client = new LiveProcess(cmd, Map.of("TOOL", "get_ticket",
                "TOOL_ARGS", "{\"ticket_id\":\"T-100\"}"))) {
            String line = client.await(l -> l.startsWith("[v2-oauth] AUTHORIZE ") || l.contains("FAILED"),
                    Duration.ofMinutes(2));
            assertThat(line).as(client.output()).startsWith("[v2-oauth] AUTHORIZE ");
            String authorize = line.substring("[v2-oauth] AUTHORIZE ".length());
            URI redirect = URI.create(java.net.URLDecoder.decode(authorize.replaceAll(".*[?&]redirect_uri=([^&]*).*",
                    "$1"), StandardCharsets.UTF_8));
            Processes.Outcome browser = Processes.run(List.of(Processes.node().toString(),
                    Processes.repoRoot().resolve("warden-authserver/src/test/browser/browser-flow.mjs").toString(),
                    authorize, DemoAuth.USER, password, "approve",
                    "http://127.0.0.1:" + redirect.getPort(),
                    Path.of("target/screenshots").toAbsolutePath().toString(), "replicas"), Map.of(),
                    Duration.ofMinutes(2));
            assertThat(browser.exitCode()).as(browser.output()).isZero();
            assertThat(browser.output()).contains("[browser] callback: served by the client listening on it");
            assertThat(client.exit(Duration.ofMinutes(2))).as(client.output()).isZero();
            assertThat(client.output().lines().toList())
                    .anyMatch(l -> l.matches("\\[v2-oauth] client registered: client_id=dcr_[A-Za-z0-9_-]{24}"))
                    .contains("[v2-oauth] callback: code received, state matches, iss=http://127.0.0.1:" + lbPort)
                    .contains("{\"id\":\"T-100\",\"title\":\"Printer on fire in room 101\",\"body\":\"The printer in "
                            + "room 101 smells of smoke. Customer: [REDACTED-EMAIL]\"}")
                    .last().isEqualTo("OK");
        }
        Map<String, String> after = servedBy();
        System.out.println("HAProxy: requests per replica before and after the flow: " + before + " -> " + after);
        for (String r : List.of("r1", "r2", "r3")) {
            long served = Long.parseLong(after.get(r).split(" ")[1]) - Long.parseLong(before.get(r).split(" ")[1]);
            assertThat(served).as("requests of the flow that replica " + r + " served (" + after + ")")
                    .isGreaterThanOrEqualTo(3);
        }
    }
}
