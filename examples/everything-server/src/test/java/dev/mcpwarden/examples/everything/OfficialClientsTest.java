package dev.mcpwarden.examples.everything;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official TypeScript SDK clients (pinned in conformance/) drive the everything-server: the 2.x client on the
 * 2026-07-28 wire over HTTP and stdio, the 1.x client on the 2025-11-25 wire over HTTP with a session.
 */
class OfficialClientsTest {

    static HttpTransport http;
    static String url;

    @BeforeAll
    static void start() {
        http = EverythingServer.create().serveHttp(HttpOptions.loopback(0));
        url = http.uri().toString();
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    private static Processes.Outcome client(String script, List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Processes.node().toString(),
                Processes.repoRoot().resolve("conformance/clients/" + script).toString()));
        cmd.addAll(args);
        return Processes.run(cmd, Map.of(), Duration.ofMinutes(3));
    }

    @Test
    void typescriptClientV2CompletesDiscoveryToolsProgressResourcesPromptsAndAnMrtrRoundTripOverHttp()
            throws Exception {
        Processes.Outcome o = client("client-v2-http.mjs", List.of(url));
        assertThat(o.output())
                .contains("discover ok, era=modern, protocol=2026-07-28")
                .contains("tools/call test_tool_with_progress: 3 progress notifications [0,50,100]")
                .contains("MRTR round trip: 1 elicitation(s) answered, final text \"Hello, Alice!\"")
                .endsWith("OK\n");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void typescriptClientV1UsesASessionWithElicitationAndSamplingRoundTrips() throws Exception {
        Processes.Outcome o = client("client-v1-http.mjs", List.of(url));
        assertThat(o.output())
                .contains("protocol=2025-11-25")
                .contains("tools/call test_elicitation: \"User response: action=accept, "
                        + "content={\"username\":\"testuser\",\"email\":\"test@example.com\"}\"")
                .contains("tools/call test_sampling: \"LLM response: This is a test response from the client\"")
                .contains("DELETE session: HTTP 200")
                .contains("request with terminated session id -> HTTP 404")
                .endsWith("OK\n");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void typescriptClientV2SpeaksTheModernWireOverStdio() throws Exception {
        Path argfile = Files.createTempFile("warden-cp", ".args");
        Files.writeString(argfile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Processes.Outcome o = client("client-v2-stdio.mjs", List.of(java, "@" + argfile,
                EverythingServerMain.class.getName(), "--stdio"));
        assertThat(o.output())
                .contains("connect: era=modern, protocol=2026-07-28")
                .contains("tools/call test_simple_text: \"This is a simple text response for testing.\"")
                .contains("resources/read test://static-text: \"This is the content of the static text resource.\"")
                .endsWith("OK\n");
        assertThat(o.exitCode()).isZero();
    }
}
