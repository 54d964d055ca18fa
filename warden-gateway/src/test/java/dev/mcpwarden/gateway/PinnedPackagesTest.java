package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The official {@code @modelcontextprotocol/server-filesystem}, given as a pinned npm package: installed by the
 * gateway from the registry (npm) through a lockfile into its cache, started in the sandbox, served; a changed cache
 * refused at the next start; an unpinned version refused unless allowed.
 */
class PinnedPackagesTest {

    static final String NAME = "@modelcontextprotocol/server-filesystem";
    static final String VERSION = "2026.8.31";

    @TempDir
    static Path tmp;
    static Path cache;
    static Path served;
    static Gateway gateway;
    static HttpTransport front;

    static UpstreamConfig.NpmPackage pkg(String version) {
        return new UpstreamConfig.NpmPackage(NAME, version, List.of(served.toString()), Map.of(),
                UpstreamConfig.Sandbox.bubblewrap().withPaths(List.of(served), List.of()), cache, Optional.empty(),
                Optional.of(OfficialServersTest.NODE), false, Optional.empty());
    }

    static Path installed() {
        return cache.resolve("@modelcontextprotocol+server-filesystem@" + VERSION);
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getenv("CI") != null || Files.isExecutable(Path.of("/usr/bin/bwrap")),
                "bubblewrap (bwrap) is not installed");
        Processes.Outcome node = Processes.run(List.of(Processes.node().toString(), "--version"), Map.of(),
                Duration.ofMinutes(3));
        assertThat(node.output()).endsWith("v22.23.3\n");
        cache = Files.createDirectory(tmp.resolve("cache"));
        served = Files.createDirectory(tmp.resolve("served"));
        Files.writeString(served.resolve("notes.txt"), "served from a pinned package\n");
        gateway = Gateway.connect(List.of(UpstreamConfig.of("files", pkg(VERSION))));
        front = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().build()).build()
                .serveHttp(HttpOptions.loopback(Ports.free()));
    }

    @AfterAll
    static void stop() {
        if (front != null) {
            front.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void thePinnedPackageIsInstalledFromALockfileWithIntegrityHashesAndItsToolsAreServedFromTheSandbox()
            throws Exception {
        JsonNode lock = Json.standard().parse(Files.readString(installed().resolve("package-lock.json")));
        JsonNode top = lock.path("packages").path("node_modules/" + NAME);
        assertThat(top.path("version").asString()).isEqualTo(VERSION);
        // The integrity the registry publishes for 2026.8.31 (as conformance/package-lock.json pins it).
        String integrity = top.path("integrity").asString();
        assertThat(integrity).isEqualTo(Json.standard().parse(Files.readString(Processes.repoRoot()
                .resolve("conformance/package-lock.json"))).path("packages").path("node_modules/" + NAME)
                .path("integrity").asString());
        lock.path("packages").properties().forEach(e -> {
            if (!e.getKey().isEmpty()) {
                assertThat(e.getValue().path("integrity").asString()).as(e.getKey()).startsWith("sha512-");
            }
        });
        assertThat(Files.exists(installed().resolve("node_modules/" + NAME + "/dist/index.js"))).isTrue();

        assertThat(gateway.served("files").get(Target.Kind.TOOL)).contains("read_text_file", "list_directory");
        try (McpClient client = McpClient.http(front.uri()).build()) {
            ObjectNode call = Json.object();
            call.put("name", "read_text_file");
            call.putObject("arguments").put("path", served.resolve("notes.txt").toString());
            assertThat(client.request("tools/call", call).path("content").path(0).path("text").asString())
                    .isEqualTo("served from a pinned package\n");
            ObjectNode write = Json.object();
            write.put("name", "write_file");
            write.putObject("arguments").put("path", served.resolve("new.txt").toString()).put("content", "x");
            // The sandbox shows the served directory read-only: the package runs confined.
            assertThat(client.request("tools/call", write).path("content").path(0).path("text").asString())
                    .startsWith("EROFS: read-only file system");
        }

        UpstreamSupply supply = gateway.supplyChain().get("files");
        assertThat(supply.source()).isEqualTo("npm");
        assertThat(supply.subject()).contains(NAME + "@" + VERSION);
        assertThat(supply.pinned()).isTrue();
        assertThat(supply.integrity()).contains(integrity);
        assertThat(supply.tree().orElseThrow()).matches("sha256:[0-9a-f]{64}");
        // This registry may or may not sign; either way the result says which.
        assertThat(supply.signatures()).matches("verified \\(\\d+ packages; .*|unavailable: .*");
    }

    private static void assertRefused(String what) {
        assertThatThrownBy(() -> Gateway.connect(List.of(UpstreamConfig.of("files", pkg(VERSION)))))
                .isInstanceOf(GatewayException.class)
                .hasMessage("upstream files: the installed package " + NAME + "@" + VERSION + " in " + installed()
                        + " was changed since it was installed (" + what + "); it is not started. Remove "
                        + installed() + " to install it again from its lockfile");
    }

    @Test
    void aChangedAddedOrRemovedFileInTheCacheIsDetectedAtStartAndTheUpstreamIsRefused() throws Exception {
        String program = "node_modules/" + NAME + "/dist/index.js";
        Path file = installed().resolve(program);
        byte[] original = Files.readAllBytes(file);
        try {
            Files.writeString(file, "\nrequire('child_process').execSync('id');\n",
                    java.nio.file.StandardOpenOption.APPEND);
            assertRefused(program + " differs");
        } finally {
            Files.write(file, original);
        }

        Path added = installed().resolve("node_modules/" + NAME + "/dist/postinstall.js");
        Files.writeString(added, "// not from the registry\n");
        try {
            assertRefused("node_modules/" + NAME + "/dist/postinstall.js was added");
        } finally {
            Files.delete(added);
        }

        Path removed = installed().resolve("node_modules/" + NAME + "/package.json");
        byte[] manifest = Files.readAllBytes(removed);
        Files.delete(removed);
        try {
            assertRefused("node_modules/" + NAME + "/package.json was removed");
        } finally {
            Files.write(removed, manifest);
        }

        Path lockfile = installed().resolve("package-lock.json");
        byte[] lock = Files.readAllBytes(lockfile);
        Files.writeString(lockfile, new String(lock) + "\n");
        try {
            assertRefused("package-lock.json differs from the one it was installed from");
        } finally {
            Files.write(lockfile, lock);
        }

        Path record = installed().resolve(NpmInstaller.RECORD);
        byte[] recorded = Files.readAllBytes(record);
        Files.writeString(record, "{\"files\":");
        try {
            assertThatThrownBy(() -> Gateway.connect(List.of(UpstreamConfig.of("files", pkg(VERSION)))))
                    .isInstanceOf(GatewayException.class)
                    .hasMessageStartingWith("upstream files: the package " + NAME + "@" + VERSION + " in "
                            + installed() + " has a file that is not valid JSON (")
                    .hasMessageEndingWith("); it is not started. Remove " + installed() + " to install it again");
        } finally {
            Files.write(record, recorded);
        }

        // Restored, it starts again.
        try (Gateway again = Gateway.connect(List.of(UpstreamConfig.of("files", pkg(VERSION))))) {
            assertThat(again.served("files").get(Target.Kind.TOOL)).contains("read_text_file");
        }
    }

    @Test
    void anUnpinnedVersionIsRefusedWithAClearMessage() {
        for (String version : List.of("latest", "^2026.8.0", "*", "2026.x", ">=1.0.0", "next")) {
            assertThatThrownBy(() -> Gateway.connect(List.of(UpstreamConfig.of("files", pkg(version)))))
                    .as(version).isInstanceOf(GatewayException.class)
                    .hasMessage("upstream files: the package " + NAME + "@" + version + " is not pinned to one "
                            + "version (a range or a tag such as latest installs whatever is published next); name "
                            + "an exact version, such as " + NAME + "@1.2.3, or allow it unpinned (warned about)");
        }
        assertThatThrownBy(() -> UpstreamConfig.NpmPackage.of(NAME, List.of(), cache))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the package " + NAME + " names no version: name an exact one, such as " + NAME
                        + "@1.2.3");
        assertThat(cache.resolve("@modelcontextprotocol+server-filesystem@latest")).doesNotExist();
    }

    @Test
    void anUnpinnedVersionAllowedExplicitlyIsInstalledAsItResolvesAndMarkedUnpinned() throws Exception {
        try (Gateway g = Gateway.connect(List.of(UpstreamConfig.of("files", pkg("~" + VERSION).allowingUnpinned())))) {
            UpstreamSupply supply = g.supplyChain().get("files");
            assertThat(supply.pinned()).isFalse();
            assertThat(supply.subject().orElseThrow()).startsWith(NAME + "@2026.8.");
            assertThat(g.served("files").get(Target.Kind.TOOL)).contains("read_text_file");
        }
    }

    @Test
    void aLockfileWithoutAnIntegrityHashOrWithAnotherVersionIsRefusedBeforeAnythingIsInstalled() throws Exception {
        Path dir = Files.createDirectories(cache.resolve("@modelcontextprotocol+server-filesystem@9.9.9"));
        Files.writeString(dir.resolve("package.json"),
                "{\"name\":\"warden-upstream-files\",\"private\":true,\"dependencies\":{\"" + NAME + "\":\"9.9.9\"}}");
        Files.writeString(dir.resolve("package-lock.json"), "{\"lockfileVersion\":3,\"packages\":{\"\":{},"
                + "\"node_modules/" + NAME + "\":{\"version\":\"9.9.9\"}}}");
        assertThatThrownBy(() -> Gateway.connect(List.of(UpstreamConfig.of("files", pkg("9.9.9")))))
                .isInstanceOf(GatewayException.class)
                .hasMessage("upstream files: the lockfile " + dir.resolve("package-lock.json") + " of " + NAME
                        + "@9.9.9 is refused: node_modules/" + NAME + " has no SHA-512 integrity");

        Files.writeString(dir.resolve("package-lock.json"), "{\"lockfileVersion\":3,\"packages\":{\"\":{},"
                + "\"node_modules/" + NAME + "\":{\"version\":\"9.9.8\",\"integrity\":\"sha512-"
                + "A".repeat(86) + "==\"}}}");
        assertThatThrownBy(() -> Gateway.connect(List.of(UpstreamConfig.of("files", pkg("9.9.9")))))
                .isInstanceOf(GatewayException.class)
                .hasMessage("upstream files: the lockfile " + dir.resolve("package-lock.json") + " of " + NAME
                        + "@9.9.9 is refused: it holds " + NAME + "@9.9.8");
        assertThat(dir.resolve("node_modules")).doesNotExist();
    }

    @Test
    void aPinnedIntegrityOtherThanTheLockfilesIsRefused() {
        String other = "sha512-" + "B".repeat(86) + "==";
        assertThatThrownBy(() -> Gateway.connect(List.of(UpstreamConfig.of("files",
                pkg(VERSION).withIntegrity(other)))))
                .isInstanceOf(GatewayException.class)
                .hasMessageStartingWith("upstream files: the lockfile " + installed().resolve("package-lock.json")
                        + " of " + NAME + "@" + VERSION + " is refused: " + NAME + "@" + VERSION + " has the integrity "
                        + "sha512-")
                .hasMessageEndingWith(", and its pin is " + other);
    }

    @Test
    void aCommandWhoseProgramDigestIsPinnedStartsOnlyWithThatProgram() throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(OfficialServersTest.NODE)));
        UpstreamConfig.Stdio stdio = new UpstreamConfig.Stdio(List.of(OfficialServersTest.NODE.toString(),
                installed().resolve("node_modules/" + NAME + "/dist/index.js").toString(), served.toString()),
                Map.of(), Optional.empty(), UpstreamConfig.Sandbox.bubblewrap().withPaths(List.of(served), List.of()));
        try (Gateway g = Gateway.connect(List.of(UpstreamConfig.of("files", stdio.withProgramDigest(digest))))) {
            assertThat(g.supplyChain().get("files")).isEqualTo(new UpstreamSupply("file",
                    Optional.of(OfficialServersTest.NODE.toAbsolutePath().normalize().toString()), true,
                    Optional.of(digest), Optional.empty(), "not applicable"));
        }
        String other = "sha256:" + "0".repeat(64);
        assertThatThrownBy(() -> Gateway.connect(List.of(UpstreamConfig.of("files", stdio.withProgramDigest(other)))))
                .isInstanceOf(GatewayException.class)
                .hasMessage("upstream files: the program " + OfficialServersTest.NODE.toAbsolutePath().normalize()
                        + " has the digest " + digest + ", and its pin is " + other + "; it is not started");
    }
}
