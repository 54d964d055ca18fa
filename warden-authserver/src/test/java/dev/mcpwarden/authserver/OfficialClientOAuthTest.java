package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.UserAgent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Processes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official TypeScript SDK client ({@code @modelcontextprotocol/client} 2.4.0) completes the whole OAuth flow
 * against an MCP server protected by Warden's authorization server: discovery, client identity (a Client ID Metadata
 * Document over https, or dynamic registration), authorization with PKCE, token, protected tool call. The test is the
 * user's browser ({@link UserAgent}): it signs in and approves the consent page with plain HTTP requests.
 */
class OfficialClientOAuthTest {

    static DocumentServer documents;
    static TestAuthServer as;
    static HttpTransport mcp;

    @BeforeAll
    static void start() throws Exception {
        documents = DocumentServer.https();
        SSLContextHolder.trust = documents.trust();
        as = new TestAuthServer(c -> c.withInsecureAllowLoopbackClientMetadata(true),
                b -> b.loopbackClientMetadataTls(SSLContextHolder.trust));
        mcp = ProtectedMcpServer.start(as);
    }

    /** Keeps the trust material out of the lambda's way. */
    private static final class SSLContextHolder {
        static javax.net.ssl.SSLContext trust;
    }

    @AfterAll
    static void stop() throws Exception {
        if (mcp != null) {
            mcp.close();
        }
        as.close();
        documents.close();
    }

    private static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.node().toString(),
                Processes.repoRoot().resolve("conformance/clients/client-v2-oauth.mjs").toString(), as.resource));
        cmd.addAll(List.of(args));
        try (LiveProcess client = new LiveProcess(cmd, Map.of())) {
            String line = client.await(l -> l.startsWith("[v2-oauth] AUTHORIZE ") || l.contains("FAILED"),
                    Duration.ofMinutes(2));
            assertThat(line).as(client.output()).startsWith("[v2-oauth] AUTHORIZE ");
            String authorizeUrl = line.substring("[v2-oauth] AUTHORIZE ".length());
            UserAgent browser = new UserAgent();
            String callback = browser.authorize(authorizeUrl, "alice", TestAuthServer.ALICE_PASSWORD);
            assertThat(callback).startsWith("http://127.0.0.1:").contains("/callback?code=");
            assertThat(browser.get(callback).status()).isEqualTo(200);
            int exit = client.exit(Duration.ofMinutes(2));
            System.out.println(client.output());
            assertThat(exit).as(client.output()).isZero();
            return client.output();
        }
    }

    @Test
    void theSdkCompletesTheFlowWithAClientIdMetadataDocument() throws Exception {
        String id = documents.url("/oauth/client-metadata.json");
        documents.put("/oauth/client-metadata.json", DocumentServer.cimd(id, "Warden test client (CIMD)",
                "http://127.0.0.1/callback"));

        String out = run("cimd", id);

        assertThat(out.lines().toList())
                .contains("[v2-oauth] connect without token: UnauthorizedError, authorization started (cimd)")
                .contains("[v2-oauth] client id: " + id)
                .contains("[v2-oauth] callback: code received, state matches, iss=" + as.issuer)
                .contains("[v2-oauth] token: type=Bearer expires_in=300 scope=tickets:read refresh_token=yes")
                .contains("[v2-oauth] connect with token: era=modern protocol=2026-07-28")
                .contains("[v2-oauth] tools/list: whoami")
                .contains("[v2-oauth] tools/call whoami: subject=alice client=" + id
                        + " scopes=[tickets:read] tenant=acme")
                .last().isEqualTo("OK");
        assertThat(documents.hits("/oauth/client-metadata.json")).isEqualTo(1);
    }

    @Test
    void theSdkCompletesTheFlowWithDynamicClientRegistration() throws Exception {
        String out = run("dcr");

        assertThat(out.lines().toList())
                .anyMatch(l -> l.matches("\\[v2-oauth] client registered: client_id=dcr_[A-Za-z0-9_-]{24}"))
                .contains("[v2-oauth] callback: code received, state matches, iss=" + as.issuer)
                .contains("[v2-oauth] token: type=Bearer expires_in=300 scope=tickets:read refresh_token=yes")
                .anyMatch(l -> l.matches("\\[v2-oauth] tools/call whoami: subject=alice client=dcr_[A-Za-z0-9_-]{24}"
                        + " scopes=\\[tickets:read] tenant=acme"))
                .last().isEqualTo("OK");
    }
}
