package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.UserAgent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.Processes;
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
 * The official conformance suite's authorization-server scenarios ({@code conformance authorization}) against the
 * standalone server. The suite prints an authorization URL "to open in a browser" and waits for the callback on
 * {@code http://127.0.0.1:<port>/callback}; this test is the browser: it reads the URL from the suite's output,
 * signs in, approves, and delivers the redirect to the suite's callback server.
 */
class ConformanceAuthorizationTest {

    static TestAuthServer server;
    static final String CLIENT = "conformance-client";

    @BeforeAll
    static void start() {
        server = new TestAuthServer(c -> c.withClients(java.util.stream.Stream.concat(c.clients().stream(),
                java.util.stream.Stream.of(StaticClient.publicClient(CLIENT, "Conformance suite",
                        List.of("http://127.0.0.1/callback")))).toList()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Processes.node().toString(),
                Processes.repoRoot().resolve("conformance/node_modules/.bin/conformance").toString(), "authorization"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void theMetadataEndpointScenarioPasses() throws Exception {
        Processes.Outcome o = Processes.run(cli("--url", server.issuer, "--scenario",
                "authorization-server-metadata-endpoint"), Map.of("NO_COLOR", "1"), Duration.ofMinutes(2));
        System.out.println(o.output());
        assertThat(o.output()).contains("Passed: 2/2, 0 failed, 0 warnings");
        assertThat(o.exitCode()).as(o.output()).isZero();
    }

    @Test
    void bothAuthorizationServerScenariosPassWithTheFlowCompletedHeadlessly() throws Exception {
        int port = Ports.free();
        Path out = Path.of("target/conformance-authorization").toAbsolutePath();
        Files.createDirectories(out);
        try (LiveProcess suite = new LiveProcess(cli("--url", server.issuer, "--client-id", CLIENT,
                "--resource", server.resource, "-p", String.valueOf(port), "-o", out.toString()),
                Map.of("NO_COLOR", "1"))) {
            String url = suite.await(l -> l.startsWith(server.issuer + "/authorize?"), Duration.ofMinutes(2));
            UserAgent browser = new UserAgent();
            String callback = browser.authorize(url.trim(), "alice", TestAuthServer.ALICE_PASSWORD);
            assertThat(callback).startsWith("http://127.0.0.1:" + port + "/callback?code=");
            assertThat(browser.get(callback).status()).isEqualTo(200);

            int exit = suite.exit(Duration.ofMinutes(2));
            System.out.println(suite.output());
            assertThat(suite.output())
                    .contains("✓ authorization-server-metadata-endpoint: 2 passed, 0 failed")
                    .contains("✓ authorization-code-grant: 1 passed, 0 failed")
                    .contains("Total: 3 passed, 0 failed");
            assertThat(exit).as(suite.output()).isZero();
        }
    }
}
