package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.audit.AuditVerifier;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

class BenchServerCommandTest {

    @TempDir
    Path dir;

    private String errorOf(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchServerCommand());
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute(args)).isEqualTo(2);
        return err.toString().strip();
    }

    @Test
    void theFullPipelineNeedsEitherATrustedIssuerOrATokenFile() {
        assertThat(errorOf("--pipeline", "full")).isEqualTo(
                "warden bench-server: --pipeline full needs --issuer and --jwks-file, or --token-file");
        assertThat(errorOf("--pipeline", "full", "--issuer", "https://i.example")).isEqualTo(
                "warden bench-server: give --issuer and --jwks-file together, or neither (then --token-file "
                        + "receives a token for an ephemeral key)");
        assertThat(errorOf("--token-file", "t.txt")).isEqualTo("warden bench-server: --issuer, --jwks-file, "
                + "--token-file and --audit-file only apply to --pipeline full");
    }

    @Test
    void theFullPipelineServesTheTokenItMintedAndAuditsEveryCallWithThePolicyRule() throws Exception {
        int port = Ports.free();
        Path token = dir.resolve("token.txt");
        Path audit = dir.resolve("audit.jsonl");
        BenchPipeline.Running running = BenchPipeline.start(port, null, null, token, audit);
        try {
            McpHttp client = new McpHttp(running.http().uri());
            ObjectNode p = Json.object();
            p.put("name", "echo");
            p.putObject("arguments").put("text", "hello");
            p.set("_meta", McpHttp.meta2026(null));
            String body = McpHttp.request(1, "tools/call", p);

            McpHttp.Reply anonymous = client.post(McpHttp.headers2026("tools/call", "echo"), body);
            assertThat(anonymous.status()).isEqualTo(401);

            Map<String, String> h = McpHttp.headers2026("tools/call", "echo");
            h.put("Authorization", "Bearer " + Files.readString(token));
            McpHttp.Reply ok = client.post(h, body);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.json().at("/result/content/0/text").asString()).isEqualTo("hello");
        } finally {
            running.http().close();
            running.audit().close();
        }
        String log = Files.readString(audit);
        assertThat(log).contains("\"type\":\"TOOL_CALL\"").contains("\"rule\":\"bench-callers\"")
                .contains("\"outcome\":\"unauthorized\"");
        assertThat(AuditVerifier.unkeyed().verify(audit).intact()).isTrue();
    }

    @Test
    void replicasGivenOneKeyFileAndThePublicPortAcceptEachOthersTokensAndWriteOneChainEach() throws Exception {
        int publicPort = Ports.free();
        Path key = dir.resolve("signing-key.jwk");
        Path audit = dir.resolve("audit.jsonl");
        BenchPipeline.Running r1 = BenchPipeline.start(Ports.free(), null, null, dir.resolve("t1.txt"), audit,
                dev.mcpwarden.security.audit.FsyncPolicy.never(),
                new BenchPipeline.Replica(publicPort, key, SharedState.of(null, "r1")));
        BenchPipeline.Running r2 = BenchPipeline.start(Ports.free(), null, null, dir.resolve("t2.txt"), audit,
                dev.mcpwarden.security.audit.FsyncPolicy.never(),
                new BenchPipeline.Replica(publicPort, key, SharedState.of(null, "r2")));
        try {
            assertThat(java.nio.file.Files.getPosixFilePermissions(key)).isEqualTo(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            ObjectNode p = Json.object();
            p.put("name", "echo");
            p.putObject("arguments").put("text", "hello");
            p.set("_meta", McpHttp.meta2026(null));
            String body = McpHttp.request(1, "tools/call", p);
            // The token r1 minted, presented to r2 (as a load balancer would forward it), with the public port's Host
            Map<String, String> h = McpHttp.headers2026("tools/call", "echo");
            h.put("Authorization", "Bearer " + Files.readString(dir.resolve("t1.txt")));
            for (BenchPipeline.Running r : java.util.List.of(r1, r2)) {
                McpHttp.Reply ok = new McpHttp(r.http().uri()).rawPost("127.0.0.1:" + publicPort, h, body);
                assertThat(ok.status()).isEqualTo(200);
                assertThat(ok.body()).contains("\"text\":\"hello\"");
            }
        } finally {
            r1.close();
            r2.close();
        }
        assertThat(audit).doesNotExist();
        for (String id : new String[] {"r1", "r2"}) {
            Path chain = dir.resolve("audit-" + id + ".jsonl");
            assertThat(Files.readString(chain)).contains("\"replica\":\"" + id + "\"").contains("\"type\":\"TOOL_CALL\"");
            assertThat(AuditVerifier.unkeyed().verify(chain).intact()).isTrue();
        }
    }

    @Test
    void theWholePipelineServesTheNonBlockingEchoOnTheIoThread() throws Exception {
        var log = dev.mcpwarden.security.audit.AuditLog.open(dev.mcpwarden.security.audit.AuditSink.file(
                dir.resolve("a.jsonl")), dev.mcpwarden.security.audit.AuditLogOptions.defaults(),
                java.time.InstantSource.system());
        try {
            var secured = BenchPipeline.secure(dev.mcpwarden.security.oauth.ResourceServerConfig.of(
                    java.net.URI.create("http://127.0.0.1:1/mcp"), java.util.List.of(
                            dev.mcpwarden.security.oauth.TrustedIssuer.withKeys("https://i.example",
                                    dev.mcpwarden.testkit.TestTokens.issuer("https://i.example").publicJwks())),
                    java.util.Set.of("bench")), log);
            assertThat(secured.server().runsWithoutBlocking("tools/call", "echo")).isTrue();
        } finally {
            log.close();
        }
    }
}
