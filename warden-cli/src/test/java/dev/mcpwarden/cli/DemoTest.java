package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.LiveProcess;
import dev.mcpwarden.testkit.UserAgent;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Processes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code warden demo} is secured out of the box: the guarded sample behind the embedded authorization server on
 * the same origin. The official TypeScript client completes discovery, dynamic registration, PKCE authorization
 * (the test signs in as the demo user and approves consent), token and a protected tool call against it; scripts
 * get a token from {@code warden token}.
 */
class DemoTest {

    @TempDir
    static Path state;
    static DemoCommand.Running demo;

    @BeforeAll
    static void start() throws Exception {
        demo = DemoCommand.start(0, state, null);
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    private static String toolsList() {
        ObjectNode p = Json.object();
        p.set("_meta", McpHttp.meta2026(null));
        return McpHttp.request(1, "tools/list", p);
    }

    @Test
    void aRequestWithoutATokenIsRefusedWithAChallengeNamingTheMetadata() throws Exception {
        McpHttp.Reply r = new McpHttp(demo.http().uri()).post(McpHttp.headers2026("tools/list", null), toolsList());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).contains("resource_metadata=\"http://127.0.0.1:"
                + demo.http().port() + "/.well-known/oauth-protected-resource/mcp\"");
    }

    @Test
    void theAuthorizationServerIsServedOnTheSameOriginAndNamedByTheResourceMetadata() throws Exception {
        McpHttp.Reply prm = new McpHttp(demo.http().uri().resolve("/.well-known/oauth-protected-resource/mcp"))
                .send("GET", Map.of(), null);
        assertThat(prm.json().get("authorization_servers").get(0).asString())
                .isEqualTo("http://127.0.0.1:" + demo.http().port());
        McpHttp.Reply meta = new McpHttp(demo.http().uri().resolve("/.well-known/oauth-authorization-server"))
                .send("GET", Map.of(), null);
        assertThat(meta.status()).isEqualTo(200);
        assertThat(meta.json().get("issuer").asString()).isEqualTo("http://127.0.0.1:" + demo.http().port());
        assertThat(meta.json().get("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
    }

    @Test
    void theMountedAuthorizationServerChecksHostAndOriginItself() throws Exception {
        int port = demo.http().port();
        McpHttp.Reply token = new McpHttp(demo.http().uri().resolve("/token")).rawPost("rebound.example:" + port,
                Map.of("Content-Type", "application/x-www-form-urlencoded"), "grant_type=client_credentials");
        assertThat(token.status()).isEqualTo(403);
        assertThat(token.body()).isEqualTo("{\"error\":\"invalid_request\",\"error_description\":\"The Host header "
                + "does not name this authorization server.\"}");

        McpHttp.Reply login = new McpHttp(demo.http().uri().resolve("/login")).rawPost("127.0.0.1:" + port,
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Origin", "http://127.0.0.1:"
                        + (port + 1)), "request=x&username=demo&password=x");
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.body()).contains("The form was not sent from a page of this authorization server (Origin "
                + "http://127.0.0.1:" + (port + 1) + ").");
    }

    @Test
    void wardenTokenMintsATokenTheRunningDemoAccepts() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new TokenCommand());
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("--url", demo.http().uri().toString(), "--state-dir", state.toString())).isZero();
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Authorization", "Bearer " + out.toString().strip());
        McpHttp.Reply r = new McpHttp(demo.http().uri()).post(h, toolsList());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"get_ticket\"").doesNotContain("\"delete_ticket\"")
                .as("least privilege: a read token lists no tool that writes").doesNotContain("\"create_ticket\"");
    }

    private static String token(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new TokenCommand());
        cli.setOut(new PrintWriter(out, true));
        List<String> all = new java.util.ArrayList<>(List.of("--url", demo.http().uri().toString(), "--state-dir",
                state.toString()));
        all.addAll(List.of(args));
        assertThat(cli.execute(all.toArray(String[]::new))).isZero();
        return out.toString().strip();
    }

    @Test
    void warden_tokenWithoutUrlMintsForThePortTheDemoIsOnNotTheDefaultOne() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TokenCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("--state-dir", state.toString())).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Authorization", "Bearer " + out.toString().strip());
        McpHttp.Reply r = new McpHttp(demo.http().uri()).post(h, toolsList());
        assertThat(demo.http().port()).isNotEqualTo(8765);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void loopbackClientMetadataDocumentsAreRefusedUnlessTheDevelopmentOptionAsksForThem(@TempDir Path other)
            throws Exception {
        assertThat(demo.as().config().insecureAllowLoopbackClientMetadata()).isFalse();
        DemoCommand cmd = new DemoCommand();
        new CommandLine(cmd).parseArgs("--insecure-allow-loopback-client-metadata");
        assertThat(cmd.loopbackClientMetadata).isTrue();
        try (DemoCommand.Running dev = DemoCommand.start(0, null, other, null, SharedState.of(null, null), true,
                CliTelemetry.off())) {
            assertThat(dev.as().config().insecureAllowLoopbackClientMetadata()).isTrue();
        }
    }

    private static McpHttp.Reply deleteTicket(String token, String id) throws Exception {
        ObjectNode p = Json.object();
        p.put("name", "delete_ticket");
        p.putObject("arguments").put("ticket_id", id);
        p.set("_meta", McpHttp.meta2026(null));
        Map<String, String> h = McpHttp.headers2026("tools/call", "delete_ticket");
        h.put("Authorization", "Bearer " + token);
        return new McpHttp(demo.http().uri()).post(h, McpHttp.request(7, "tools/call", p));
    }

    @Test
    void anAdminsReadOnlyTokenCannotDeleteAndIsToldWhichScopeToStepUpTo() throws Exception {
        McpHttp.Reply r = deleteTicket(token(), "T-101");

        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer ").contains("error=\"insufficient_scope\"")
                .contains("scope=\"tickets:write\"").contains("resource_metadata=\"http://127.0.0.1:"
                        + demo.http().port() + "/.well-known/oauth-protected-resource/mcp\"");
    }

    @Test
    void anAdminsTokenWithTheWriteScopeDeletes() throws Exception {
        McpHttp.Reply r = deleteTicket(token("--scope", "tickets:read tickets:write"), "T-101");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("Deleted T-101");
    }

    /** Registers a public client, signs the demo user in, approves and redeems the code: the token response. */
    private static tools.jackson.databind.JsonNode signedInTokens() throws Exception {
        String issuer = "http://127.0.0.1:" + demo.http().port();
        String redirect = "https://client.example/cb";
        UserAgent ua = new UserAgent();
        UserAgent.Page reg = ua.postJson(issuer + "/register", "{\"redirect_uris\":[\"" + redirect + "\"],"
                + "\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\","
                + "\"refresh_token\"]}");
        String clientId = Json.standard().parse(reg.body()).get("client_id").asString();
        dev.mcpwarden.testkit.Pkce pkce = dev.mcpwarden.testkit.Pkce.fresh();
        String back = ua.authorize(issuer + "/authorize?" + UserAgent.form(Map.of("response_type", "code",
                "client_id", clientId, "redirect_uri", redirect, "code_challenge", pkce.challenge(),
                "code_challenge_method", "S256", "resource", demo.http().uri().toString())), DemoAuth.USER,
                demo.password());
        UserAgent.Page token = ua.post(issuer + "/token", Map.of("grant_type", "authorization_code",
                "client_id", clientId, "redirect_uri", redirect, "code", UserAgent.query(back).get("code"),
                "code_verifier", pkce.verifier()));
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        tools.jackson.databind.JsonNode t = Json.standard().parse(token.body());
        return ((ObjectNode) t).put("client_id", clientId);
    }

    private static McpHttp.Reply listTools(String token) throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/list", null);
        h.put("Authorization", "Bearer " + token);
        return new McpHttp(demo.http().uri()).post(h, toolsList());
    }

    @Test
    void aRevokedTokenStopsWorkingAtTheDemoBeforeItExpires() throws Exception {
        tools.jackson.databind.JsonNode live = signedInTokens();
        assertThat(listTools(live.get("access_token").asString()).status()).isEqualTo(200);

        tools.jackson.databind.JsonNode revoked = signedInTokens();
        UserAgent.Page r = new UserAgent().post("http://127.0.0.1:" + demo.http().port() + "/revoke", Map.of(
                "client_id", revoked.get("client_id").asString(), "token", revoked.get("refresh_token").asString()));
        assertThat(r.status()).isEqualTo(200);

        McpHttp.Reply refused = listTools(revoked.get("access_token").asString());
        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
    }

    @Test
    void aClientAskingForNoScopeIsOfferedReadingOnlyOnTheConsentPage() throws Exception {
        String issuer = "http://127.0.0.1:" + demo.http().port();
        String redirect = "http://127.0.0.1:50123/callback";
        UserAgent ua = new UserAgent();
        UserAgent.Page reg = ua.postJson(issuer + "/register", "{\"redirect_uris\":[\"" + redirect + "\"],"
                + "\"token_endpoint_auth_method\":\"none\",\"client_name\":\"Least privilege\"}");
        assertThat(reg.status()).as(reg.body()).isEqualTo(201);
        String clientId = Json.standard().parse(reg.body()).get("client_id").asString();
        String url = issuer + "/authorize?" + UserAgent.form(Map.of("response_type", "code", "client_id", clientId,
                "redirect_uri", redirect, "code_challenge", dev.mcpwarden.testkit.Pkce.fresh().challenge(),
                "code_challenge_method", "S256", "resource", demo.http().uri().toString()));
        UserAgent.Page login = ua.get(ua.get(url).location());
        UserAgent.Page signedIn = ua.post(issuer + "/login", Map.of("request", login.hidden("request"),
                "username", DemoAuth.USER, "password", demo.password()));
        UserAgent.Page consent = ua.get(signedIn.location());

        assertThat(consent.status()).isEqualTo(200);
        assertThat(consent.body()).contains("<ul id=\"scopes\"><li><code>tickets:read</code></li></ul>");
    }

    @Test
    void wardenTokenWithoutADemoKeySaysToStartTheDemo(@TempDir Path empty) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TokenCommand());
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("--state-dir", empty.toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("warden token: no demo signing key in " + empty
                + "; start 'warden demo' first");
    }

    @Test
    void theOfficialClientRegistersSignsInAndCallsAProtectedTool() throws Exception {
        List<String> cmd = List.of(Processes.node().toString(),
                Processes.repoRoot().resolve("conformance/clients/client-v2-oauth.mjs").toString(),
                demo.http().uri().toString(), "dcr");
        try (LiveProcess client = new LiveProcess(cmd, Map.of("TOOL", "get_ticket",
                "TOOL_ARGS", "{\"ticket_id\":\"T-100\"}"))) {
            String line = client.await(l -> l.startsWith("[v2-oauth] AUTHORIZE ") || l.contains("FAILED"),
                    Duration.ofMinutes(2));
            assertThat(line).as(client.output()).startsWith("[v2-oauth] AUTHORIZE ");
            UserAgent browser = new UserAgent();
            String callback = browser.authorize(line.substring("[v2-oauth] AUTHORIZE ".length()), DemoAuth.USER,
                    demo.password());
            assertThat(browser.get(callback).status()).isEqualTo(200);
            assertThat(client.exit(Duration.ofMinutes(2))).as(client.output()).isZero();
            assertThat(client.output().lines().toList())
                    .anyMatch(l -> l.matches("\\[v2-oauth] client registered: client_id=dcr_[A-Za-z0-9_-]{24}"))
                    .contains("[v2-oauth] callback: code received, state matches, iss=http://127.0.0.1:"
                            + demo.http().port())
                    .anyMatch(l -> l.startsWith("[v2-oauth] tools/call get_ticket: <<untrusted-content "))
                    .contains("{\"id\":\"T-100\",\"title\":\"Printer on fire in room 101\",\"body\":\"The printer in "
                            + "room 101 smells of smoke. Customer: [REDACTED-EMAIL]\"}")
                    .last().isEqualTo("OK");
        }
    }
}
