package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Ports;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * stdio upstreams in the real bubblewrap sandbox (the Debian package; .ci/run installs it): what a malicious upstream
 * tries is refused, the gateway stays healthy, and what the configuration grants works.
 */
class SandboxTest {

    Gateway gateway;
    HttpTransport front;
    McpClient client;
    Path home;

    @BeforeAll
    static void bubblewrap() {
        // On CI the sandbox must be there: a missing bwrap fails the build instead of skipping these tests.
        assumeTrue(System.getenv("CI") != null || Files.isExecutable(Path.of("/usr/bin/bwrap")),
                "bubblewrap is not installed");
    }

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
        if (front != null) {
            front.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (home != null) {
            Files.deleteIfExists(home);
        }
    }

    /** The probe as a sandboxed upstream, its class path granted read-only (it lives under the home directory). */
    static UpstreamConfig probe(String name, UpstreamConfig.Sandbox.Bubblewrap sandbox) {
        List<Path> readOnly = new java.util.ArrayList<>(TestUpstreams.classPath());
        readOnly.addAll(sandbox.readOnly());
        return TestUpstreams.java(name, ProbeServer.class, sandbox.withPaths(readOnly, sandbox.readWrite()))
                .withPrefix(name + "_").withRequestTimeout(Duration.ofSeconds(20));
    }

    void serve(UpstreamConfig... upstreams) throws Exception {
        gateway = Gateway.connect(List.of(upstreams));
        front = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().build()).build()
                .serveHttp(HttpOptions.loopback(Ports.free()));
        client = McpClient.http(front.uri()).era(McpClient.Era.MODERN).requestTimeout(Duration.ofSeconds(30)).build();
    }

    String call(String tool, ObjectNode args) throws Exception {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.set("arguments", args);
        return client.request("tools/call", p).path("content").path(0).path("text").asString();
    }

    @Test
    void aSandboxedUpstreamCannotReachLoopbackUnlessTheNetworkIsGranted() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            serve(probe("a", UpstreamConfig.Sandbox.bubblewrap()),
                    probe("net", UpstreamConfig.Sandbox.bubblewrap().withNetwork()));
            ObjectNode target = Json.object().put("host", "127.0.0.1").put("port", listening.getLocalPort());

            assertThat(call("a_connect", target)).startsWith("refused: ");
            assertThat(call("net_connect", target)).isEqualTo("connected");
        }
    }

    @Test
    void aSandboxedUpstreamCannotReadTheUsersHomeNorAnotherUpstreamsFiles() throws Exception {
        home = Files.writeString(Path.of(System.getProperty("user.home"), "warden-sandbox-" + UUID.randomUUID()),
                "ssh-private-key");
        Path others = Files.createDirectories(Path.of("target", "sandbox-" + UUID.randomUUID()).toAbsolutePath());
        Files.writeString(others.resolve("notes.txt"), "b's notes");
        serve(probe("a", UpstreamConfig.Sandbox.bubblewrap()),
                probe("b", UpstreamConfig.Sandbox.bubblewrap().withPaths(List.of(), List.of(others))));

        assertThat(call("a_read", Json.object().put("path", home.toString()))).startsWith("refused: ");
        assertThat(call("a_read", Json.object().put("path", others.resolve("notes.txt").toString())))
                .startsWith("refused: ");
        assertThat(call("b_read", Json.object().put("path", others.resolve("notes.txt").toString())))
                .isEqualTo("read: b's notes");
        assertThat(Files.readString(home)).isEqualTo("ssh-private-key");
    }

    @Test
    void aForkBombStopsAtTheProcessLimitAndTheUpstreamAndGatewayStayHealthy() throws Exception {
        serve(probe("a", UpstreamConfig.Sandbox.bubblewrap().withLimits(96, 2L << 30, Duration.ZERO)));

        String started = call("a_spawn", Json.object().put("count", 400));

        assertThat(Integer.parseInt(started.substring("started ".length()))).isLessThan(96);
        assertThat(call("a_alive", Json.object())).isEqualTo("alive");
    }
}
