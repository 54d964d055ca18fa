package dev.mcpwarden.cli;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.examples.everything.EverythingServer;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Ports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import dev.mcpwarden.server.tool.Tool;
import tools.jackson.databind.node.ObjectNode;

class GatewayCommandTest {

    @TempDir
    Path dir;
    final StringWriter err = new StringWriter();
    HttpTransport upstream;
    GatewayCommand.Started started;

    @AfterEach
    void stop() {
        if (started != null) {
            started.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Parses {@code args} as {@code warden gateway ...} and starts it, as the command does before it waits. */
    GatewayCommand.Started start(String... args) throws Exception {
        GatewayCommand command = new GatewayCommand();
        CommandLine cli = new CommandLine(command);
        cli.setErr(new PrintWriter(err, true));
        cli.parseArgs(args);
        command.spec = cli.getCommandSpec();
        started = command.start(new PrintWriter(err, true));
        return started;
    }

    String everything() {
        upstream = EverythingServer.create().serveHttp(HttpOptions.loopback(Ports.free()));
        return upstream.uri().toString();
    }

    @Test
    void aConfigurationFileGivesTheUpstreamsTheServerAndTheWholePipelineWhoseTokensItChecks() throws Exception {
        dev.mcpwarden.testkit.TestTokens tokens = dev.mcpwarden.testkit.TestTokens.issuer("https://login.example");
        java.nio.file.Files.writeString(dir.resolve("jwks.json"), tokens.publicJwksJson());
        int port = Ports.free();
        String resource = "http://127.0.0.1:" + port + "/mcp";
        java.nio.file.Files.writeString(dir.resolve("warden.yaml"), """
                server:
                  name: acme-gateway
                  version: 2.0.0
                http:
                  port: %d
                security:
                  authentication:
                    resource: %s
                    issuers:
                      - issuer: https://login.example
                        jwks-file: jwks.json
                  audit:
                    file: audit.jsonl
                gateway:
                  upstreams:
                    - name: everything
                      transport:
                        kind: http
                        url: %s
                      prefix: e_
                """.formatted(port, resource, everything()));

        assertThat(start("--config", dir.resolve("warden.yaml").toString()).exitCode()).isZero();

        assertThat(err.toString()).contains("warden gateway listening on " + resource);
        try (McpClient anonymous = McpClient.http(java.net.URI.create(resource)).build()) {
            assertThatThrownBy(() -> anonymous.request("tools/list", null))
                    .isInstanceOfSatisfying(McpClientException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        }
        String token = tokens.sign(tokens.claims("alice", resource, "mcp:tools"));
        try (McpClient alice = McpClient.http(java.net.URI.create(resource)).bearerToken(
                () -> Optional.of(token)).build()) {
            assertThat(alice.serverInfo().path("name").asString()).isEqualTo("acme-gateway");
            assertThat(alice.list(McpClient.Kind.TOOLS)).extracting(t -> t.path("name").asString())
                    .contains("e_test_simple_text");
            assertThat(alice.request("tools/call", dev.mcpwarden.core.json.Json.object().put("name",
                    "e_test_simple_text")).path("content").path(0).path("text").asString())
                    .isEqualTo("This is a simple text response for testing.");
        }
        started.close(); // the audit log is drained and closed
        started = null;
        assertThat(java.nio.file.Files.readString(dir.resolve("audit.jsonl"))).contains("\"e_test_simple_text\"")
                .contains("alice");
    }

    @Test
    void anUntrustedUpstreamsOutputIsSpotlightedAndAnUnknownNameIsRefused() throws Exception {
        String e = everything();
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "e=" + e, "--untrusted-upstream", "nope")
                .exitCode()).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("warden gateway: --untrusted-upstream nope names no upstream");

        started = null;
        GatewayCommand.Started s = start("--port", String.valueOf(Ports.free()), "--allow-anonymous", "--upstream",
                "e=" + e, "--untrusted-upstream", "e");
        assertThat(s.exitCode()).isZero();
        try (McpClient c = McpClient.http(s.http().uri()).build()) {
            String text = c.request("tools/call", dev.mcpwarden.core.json.Json.object().put("name",
                    "test_simple_text")).path("content").path(0).path("text").asString();
            assertThat(text).startsWith("<<untrusted-content ").contains("This is a simple text response for testing.");
        }
    }

    @Test
    void withAConfigurationFileTheFlagsOfAuthenticationPinsAndAuditAreRefused() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("warden.yaml"), """
                server: {name: g, version: "1"}
                security:
                  authentication:
                    resource: https://mcp.example/mcp
                    issuers: [{issuer: https://login.example}]
                gateway:
                  upstreams: [{name: a, transport: {kind: stdio, command: [x]}}]
                """);
        assertThat(start("--config", dir.resolve("warden.yaml").toString(), "--allow-anonymous").exitCode())
                .isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("warden gateway: with --config, authentication, pins and the "
                + "audit log come from the file; leave out --issuer, --jwks-file, --resource, --allow-anonymous, "
                + "--pins and --audit-file");
    }

    @Test
    void aConfigurationFileWithoutAGatewaySectionOrWithMistakesDoesNotStart() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("warden.yaml"), """
                server: {name: g, version: "1"}
                security:
                  authentication:
                    resource: https://mcp.example/mcp
                    issuers: [{issuer: https://login.example}]
                """);
        assertThat(start("--config", dir.resolve("warden.yaml").toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("warden gateway: " + dir.resolve("warden.yaml")
                + " has no gateway: section (its upstreams)");
    }

    @Test
    void withoutAnIssuerOrAllowAnonymousTheGatewayDoesNotStartAndSaysWhatToGive() throws Exception {
        assertThat(start("--port", "0", "--upstream", "e=" + everything()).exitCode()).isEqualTo(2);

        assertThat(err.toString().strip()).isEqualTo(
                "warden gateway: give --issuer, --jwks-file and --resource, or --allow-anonymous");
    }

    @Test
    void anUnpinnedNpmPackageIsRefusedWithAClearMessageBeforeAnythingIsInstalled() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream",
                "fs=npm:@modelcontextprotocol/server-filesystem@latest /srv").exitCode()).isEqualTo(1);

        assertThat(err.toString().strip()).isEqualTo("warden gateway: upstream fs: the package "
                + "@modelcontextprotocol/server-filesystem@latest is not pinned to one version (a range or a tag such "
                + "as latest installs whatever is published next); name an exact version, such as "
                + "@modelcontextprotocol/server-filesystem@1.2.3, or allow it unpinned (warned about)");
    }

    @Test
    void aPackageVersionOtherThanThePinnedOneIsRefusedBeforeItIsInstalled() throws Exception {
        Path pins = dir.resolve("pins.json");
        dev.mcpwarden.security.integrity.PinFile.empty().withPackage("@modelcontextprotocol/server-filesystem",
                new dev.mcpwarden.security.integrity.PinFile.PackagePin("2026.8.30", "sha512-" + "k".repeat(86) + "=="))
                .write(pins);

        assertThat(start("--port", "0", "--allow-anonymous", "--pins", pins.toString(), "--upstream",
                "fs=npm:@modelcontextprotocol/server-filesystem@2026.8.31 /srv").exitCode()).isEqualTo(1);

        assertThat(err.toString().strip()).isEqualTo("warden gateway: upstream fs: the package "
                + "@modelcontextprotocol/server-filesystem is pinned at 2026.8.30 in " + pins + ", and the "
                + "configuration names 2026.8.31; review the new version (warden scan --write-pins) before running it");
    }

    @Test
    void anNpmPackageWithoutAVersionIsAnErrorInTheFlags() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream",
                "fs=npm:@modelcontextprotocol/server-filesystem /srv").exitCode()).isEqualTo(2);

        assertThat(err.toString().strip()).isEqualTo("warden gateway: the package "
                + "@modelcontextprotocol/server-filesystem names no version: name an exact one, such as "
                + "@modelcontextprotocol/server-filesystem@1.2.3");
    }

    /** A YAML stdio upstream running Warden's own everything server with {@code java}, its digest pinned. */
    private Path pinnedJavaUpstream(String digest) throws Exception {
        dev.mcpwarden.testkit.TestTokens tokens = dev.mcpwarden.testkit.TestTokens.issuer("https://login.example");
        Files.writeString(dir.resolve("jwks.json"), tokens.publicJwksJson());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path config = dir.resolve("warden.yaml");
        Files.writeString(config, """
                server: {name: gw, version: 1.0.0}
                http: {port: 0}
                security:
                  authentication:
                    resource: http://127.0.0.1/mcp
                    issuers: [{issuer: https://login.example, jwks-file: jwks.json}]
                  audit: {file: audit.jsonl}
                gateway:
                  upstreams:
                    - name: everything
                      transport:
                        kind: stdio
                        command: [%s, -cp, "%s", dev.mcpwarden.cli.Main, everything-server, --stdio]
                        sandbox: {kind: none}
                        program-digest: %s
                """.formatted(java, System.getProperty("java.class.path"), digest));
        return config;
    }

    @Test
    void aCommandWithAPinnedProgramDigestIsCheckedShownInTheStatusAndAudited() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath().normalize();
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(java)));

        assertThat(start("--config", pinnedJavaUpstream(digest).toString()).exitCode()).isZero();

        ObjectNode doc = GatewayStatus.document(started.gateway(), Optional.empty());
        assertThat(doc.path("upstreams").path(0).path("supplyChain").toString()).isEqualTo("{\"source\":\"file\","
                + "\"subject\":\"" + java + "\",\"pinned\":true,\"integrity\":\"" + digest + "\","
                + "\"signatures\":\"not applicable\"}");
        assertThat(GatewayStatus.table(doc)).endsWith(" file " + java + "\n");
        started.close();
        started = null;
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).filteredOn(l -> l.contains("SUPPLY_CHAIN"))
                .singleElement().asString().contains("\"target\":\"upstream/everything\"")
                .contains("\"outcome\":\"verified\"").contains("\"integrity\":\"" + digest + "\"");
    }

    @Test
    void aCommandWhoseProgramIsNotThePinnedOneDoesNotStart() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath().normalize();
        String pin = "sha256:" + "0".repeat(64);

        assertThat(start("--config", pinnedJavaUpstream(pin).toString()).exitCode()).isEqualTo(1);

        assertThat(err.toString()).contains("warden gateway: upstream everything: the program " + java
                + " has the digest sha256:").contains(", and its pin is " + pin + "; it is not started");
    }

    @Test
    void aStdioUpstreamStartsInTheSandboxByDefaultWhichLooksItsProgramUpFirst() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "fs=stdio:no-such-program-4711 /srv")
                .exitCode()).isEqualTo(1);

        assertThat(err.toString().strip()).isEqualTo("warden gateway: upstream fs: no-such-program-4711 is not on "
                + "the PATH");
    }

    @Test
    void anEraFlagForAnUpstreamThatIsNotThereIsRefused() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "e=http://127.0.0.1:1/mcp",
                "--upstream-era", "x=2025").exitCode()).isEqualTo(2);

        assertThat(err.toString().strip()).isEqualTo("warden gateway: --upstream-era names no upstream: x");
    }

    @Test
    void aMissingPinFileIsRefusedUnlessTrustOnFirstUseIsAskedFor() throws Exception {
        Path pins = dir.resolve("pins.json");
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "e=" + everything(), "--pins",
                pins.toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("warden gateway: the pin file " + pins + " does not exist "
                + "(write it with warden scan --write-pins, or add --trust-on-first-use)");
    }

    @Test
    void theGatewayServesItsUpstreamPinsItOnFirstUseAndAuditsTheCallNamingTheTool() throws Exception {
        Path pins = dir.resolve("pins.json");
        Path audit = dir.resolve("audit.jsonl");
        int port = Ports.free();
        GatewayCommand.Started s = start("--port", String.valueOf(port), "--allow-anonymous", "--upstream",
                "everything=" + everything(), "--upstream-era", "everything=2025", "--pins", pins.toString(),
                "--trust-on-first-use", "--audit-file", audit.toString());
        assertThat(s.exitCode()).isZero();
        assertThat(err.toString()).contains("warden gateway: upstream everything (2025-11-25): ")
                .contains("warden gateway listening on http://127.0.0.1:" + port + "/mcp");
        assertThat(PinFile.read(pins).pins(DefinitionKind.TOOL)).containsKey("test_simple_text");

        try (McpClient c = McpClient.http(s.http().uri()).era(McpClient.Era.MODERN).build()) {
            ObjectNode p = Json.object();
            p.put("name", "test_simple_text");
            p.putObject("arguments");
            assertThat(c.request("tools/call", p).path("content").path(0).path("text").asString())
                    .isEqualTo("This is a simple text response for testing.");
        }
        s.audit().flush();
        assertThat(Files.readString(audit)).contains("\"target\":\"test_simple_text\"").contains("\"outcome\":\"ok\"");
    }

    @Test
    void aRugPulledToolIsWithheldLikeAnUnknownOneAndServedAgainOnceApprovedWithoutARestart()
            throws Exception {
        Path pins = rugPulledWeather();
        Path audit = dir.resolve("audit.jsonl");
        GatewayCommand.Started s = start("--port", String.valueOf(Ports.free()), "--allow-anonymous", "--upstream",
                "w=" + upstream.uri(), "--pins", pins.toString(), "--audit-file", audit.toString());
        assertThat(s.exitCode()).isZero();

        Definition live = GatewayCommand.listed(s.gateway()).getFirst();
        try (McpClient c = McpClient.http(s.http().uri()).era(McpClient.Era.MODERN).build()) {
            ObjectNode p = Json.object();
            p.put("name", "weather");
            p.putObject("arguments");
            assertThatThrownBy(() -> c.request("tools/call", p)).isInstanceOfSatisfying(McpClientException.class,
                    e -> assertThat(e.errorCode()).contains(-32602));

            String old = PinFile.read(pins).digest(DefinitionKind.TOOL, "weather").orElseThrow();
            StringWriter out = new StringWriter();
            assertThat(new CommandLine(new PinsCommand()).setOut(new PrintWriter(out, true))
                    .execute("approve", "--pins", pins.toString(), "weather")).isZero();
            assertThat(out.toString()).isEqualTo("tools/weather: " + old + " -> " + live.digest() + "\n"
                    + "  was:         Reports the weather.\n"
                    + "  description: Reports the weather, with a forecast for three days.\n"
                    + "approved 1 in " + pins + "\n");
            assertThat(PinFile.read(pins).digest(DefinitionKind.TOOL, "weather")).contains(live.digest());

            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(3).toNanos();
            tools.jackson.databind.JsonNode result = null;
            while (result == null) {
                try {
                    result = c.request("tools/call", p);
                } catch (McpClientException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
            assertThat(result.path("content").path(0).path("text").asString()).isEqualTo("sunny");
        }
        s.audit().flush();
        List<String> definitionRecords = Files.readAllLines(audit).stream()
                .filter(l -> l.contains("\"target\":\"tools/weather\"")).toList();
        assertThat(definitionRecords).hasSize(2);
        assertThat(definitionRecords.get(0)).contains("\"outcome\":\"changed_withheld\"");
        assertThat(definitionRecords.get(1)).contains("\"outcome\":\"approved\"")
                .contains(live.digest()).contains("pin file " + pins);
    }

    @Test
    void approvingWithNothingPendingUnderThatNameSaysSo() throws Exception {
        Path pins = dir.resolve("pins.json");
        PinFile.empty().write(pins);
        StringWriter out = new StringWriter();
        assertThat(new CommandLine(new PinsCommand()).setErr(new PrintWriter(err, true))
                .setOut(new PrintWriter(out, true)).execute("approve", "--pins", pins.toString(), "weather"))
                .isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("warden pins approve: nothing pending is named weather");
    }

    /** A weather upstream whose pin is of the definition it served before (a rug pull since), and its pin file. */
    Path rugPulledWeather() throws Exception {
        upstream = McpServer.builder("weather", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("weather").description("Reports the weather, with a forecast for three days.")
                        .handler(ctx -> ToolResult.text("sunny")).build())
                .build().serveHttp(HttpOptions.loopback(Ports.free()));
        Path pins = dir.resolve("pins.json");
        Definition old = Definition.of(Tool.builder("weather").description("Reports the weather.")
                .handler(ctx -> ToolResult.text("sunny")).build());
        PinFile.of(List.of(old)).write(pins);
        PinnedDefinitions archive = PinnedDefinitions.read(pins); // as warden scan --write-pins keeps it
        archive.putAll(List.of(old));
        archive.write();
        return pins;
    }

    @Test
    void upstreamCacheFlagsSetALegacyTtlByNameAndRefuseABadValueOrAnUnknownUpstream() {
        List<dev.mcpwarden.gateway.UpstreamConfig> configs = GatewayCommand.upstreams(
                List.of("a=http://127.0.0.1:1/mcp", "b=http://127.0.0.1:2/mcp"), List.of(), false);

        List<dev.mcpwarden.gateway.UpstreamConfig> cached = GatewayCommand.cached(configs, List.of("b=90"));

        assertThat(cached.get(0).cache()).isEqualTo(dev.mcpwarden.gateway.UpstreamConfig.Cache.hinted());
        assertThat(cached.get(1).cache().legacyTtl()).isEqualTo(java.time.Duration.ofSeconds(90));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayCommand.cached(configs, List.of("a=soon")))
                .hasMessage("--upstream-cache is NAME=SECONDS (0 to 86400), was a=soon");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayCommand.cached(configs, List.of("c=5")))
                .hasMessage("--upstream-cache names no upstream: c");
    }

    String status(String... args) {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new GatewayStatusCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
        return code + "\n" + out;
    }

    @Test
    void statusPrintsEachUpstreamWithItsHealthCircuitDefinitionsAndPins() throws Exception {
        Path pins = rugPulledWeather();
        int port = Ports.free();
        assertThat(start("--port", String.valueOf(port), "--allow-anonymous", "--upstream", "w=" + upstream.uri(),
                "--pins", pins.toString()).exitCode()).isZero();

        assertThat(status("--url", "http://127.0.0.1:" + port)).isEqualTo("0\n"
                + "UPSTREAM         KIND   PROTOCOL    HEALTH     CIRCUIT   TOOLS PROMPTS RESOURCES TEMPLATES PINNED "
                + "WITHHELD PENDING SUPPLY\n"
                + "w                http   2026-07-28  up         CLOSED        1       0         0         0      0 "
                + "       1       1 -\n");
        assertThat(status("--url", "http://127.0.0.1:" + port, "--json")).isEqualTo("""
                0
                {
                  "upstreams" : [ {
                    "name" : "w",
                    "transport" : "http",
                    "protocolVersion" : "2026-07-28",
                    "health" : "up",
                    "circuit" : "CLOSED",
                    "isolation" : "shared",
                    "definitions" : {
                      "tools" : 1,
                      "prompts" : 0,
                      "resources" : 0,
                      "resourceTemplates" : 0
                    },
                    "cache" : {
                      "hits" : 0,
                      "misses" : 0,
                      "kept" : 0
                    },
                    "pins" : {
                      "pinned" : 0,
                      "withheld" : 1,
                      "pendingApproval" : 1
                    }
                  } ]
                }
                """);
    }

    @Test
    void withAnAdminTokenStatusNeedsIt() throws Exception {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "0123456789abcdef0123\n");
        int port = Ports.free();
        assertThat(start("--port", String.valueOf(port), "--allow-anonymous", "--upstream", "e=" + everything(),
                "--admin-token-file", token.toString()).exitCode()).isZero();

        assertThat(status("--url", "http://127.0.0.1:" + port)).isEqualTo("1\n");
        assertThat(err.toString()).endsWith("warden gateway status: http://127.0.0.1:" + port
                + " refused: give the gateway's --admin-token-file\n");
        assertThat(status("--url", "http://127.0.0.1:" + port, "--admin-token-file", token.toString()))
                .startsWith("0\nUPSTREAM ").contains("\ne                http   2026-07-28  up ");
    }

    @Test
    void anUpstreamThatIsNotThereExitsOneNamingIt() throws Exception {
        assertThat(start("--port", "0", "--allow-anonymous", "--upstream", "gone=http://127.0.0.1:" + Ports.free()
                + "/mcp").exitCode()).isEqualTo(1);

        assertThat(err.toString()).startsWith("warden gateway: upstream gone did not list its definitions: ");
    }

    @Test
    void twoGatewayReplicasSharingARedisServeOneSessionAndEachWritesItsOwnAuditChain() throws Exception {
        try (dev.mcpwarden.testkit.RedisServer redis = dev.mcpwarden.testkit.RedisServer.start()) {
            String e = everything();
            GatewayCommand.Started a = start("--port", String.valueOf(Ports.free()), "--allow-anonymous",
                    "--upstream", "e=" + e, "--redis", redis.url(), "--replica-id", "g1",
                    "--audit-file", dir.resolve("audit.jsonl").toString());
            assertThat(a.exitCode()).as(err.toString()).isZero();
            started = null;
            GatewayCommand.Started b = start("--port", String.valueOf(Ports.free()), "--allow-anonymous",
                    "--upstream", "e=" + e, "--redis", redis.url(), "--replica-id", "g2",
                    "--audit-file", dir.resolve("audit.jsonl").toString());
            try {
                assertThat(b.exitCode()).as(err.toString()).isZero();
                dev.mcpwarden.testkit.McpHttp onA = new dev.mcpwarden.testkit.McpHttp(a.http().uri());
                tools.jackson.databind.node.ObjectNode init = dev.mcpwarden.core.json.Json.object();
                init.put("protocolVersion", "2025-06-18");
                init.putObject("capabilities");
                init.putObject("clientInfo").put("name", "t").put("version", "1");
                java.util.Map<String, String> h = new java.util.LinkedHashMap<>();
                h.put("Content-Type", "application/json");
                h.put("Accept", "application/json, text/event-stream");
                String session = onA.post(h, dev.mcpwarden.testkit.McpHttp.request(0, "initialize", init))
                        .header("Mcp-Session-Id");
                h.put("Mcp-Session-Id", session);
                h.put("MCP-Protocol-Version", "2025-06-18");
                tools.jackson.databind.node.ObjectNode call = dev.mcpwarden.core.json.Json.object()
                        .put("name", "test_simple_text");
                call.putObject("arguments");
                dev.mcpwarden.testkit.McpHttp.Reply onB = new dev.mcpwarden.testkit.McpHttp(b.http().uri())
                        .post(h, dev.mcpwarden.testkit.McpHttp.request(1, "tools/call", call));
                assertThat(onB.status()).isEqualTo(200);
                assertThat(onB.body()).contains("This is a simple text response for testing.");
                java.net.http.HttpResponse<String> ready = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(b.http().uri().resolve("/readyz")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).isEqualTo(
                        "{\"checks\":{\"redis\":\"up\"},\"info\":{\"upstreams\":\"1 of 1 available\"},"
                                + "\"status\":\"ready\"}");
            } finally {
                a.close();
                b.close();
            }
            assertThat(dir.resolve("audit-g1.jsonl")).exists();
            assertThat(dir.resolve("audit-g2.jsonl")).exists();
            assertThat(dir.resolve("audit.jsonl")).doesNotExist();
        }
    }
}
