package dev.mcpwarden.examples.sample;

import dev.mcpwarden.testkit.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.Processes;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official TypeScript SDK client ({@code @modelcontextprotocol/client} 2.4.0, 2026-07-28 wire) against the
 * protected sample server: with a pre-obtained token it lists tools and calls {@code get_ticket}; without one it
 * receives the 401 and finds the protected resource metadata with the SDK's own discovery
 * ({@code conformance/clients/client-v2-auth.mjs}).
 */
class OfficialClientAuthTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.sample.test");
    static HttpTransport http;
    static int port;
    static String resource;

    @BeforeAll
    static void start() throws Exception {
        port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        http = SampleServer.start(new SampleServer.Options(port, ISSUER.issuer(), ISSUER.publicJwks(),
                URI.create(resource), null));
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
    }

    private static Processes.Outcome client(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Processes.node().toString(),
                Processes.repoRoot().resolve("conformance/clients/client-v2-auth.mjs").toString()));
        command.addAll(List.of(args));
        Processes.Outcome o = Processes.run(command, Map.of(), Duration.ofMinutes(3));
        System.out.println("client-v2-auth.mjs exited " + o.exitCode() + ":\n" + o.output());
        return o;
    }

    private static List<String> lines(Processes.Outcome o) {
        return o.output().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void withAPreObtainedTokenTheSdkCallsTheProtectedServer() throws Exception {
        String token = ISSUER.sign(AttackCorpus.claims(ISSUER, "alice", resource));
        Processes.Outcome o = client(resource, token);

        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(lines(o)).as(o.output())
                .contains("[v2-auth] mode: with token (" + token.length() + " chars)")
                // the title is third-party text: it arrives datamarked, the id (a machine value) exact
                .contains("[v2-auth] tools/call get_ticket: id=T-100 title=\"Printer\u02c6on\u02c6fire\u02c6in\u02c6room"
                        + "\u02c6101\"")
                .anyMatch(l -> l.startsWith("[v2-auth] connect: authorized with bearer token, era=modern,"
                        + " protocol=2026-07-28,"))
                .anyMatch(l -> l.startsWith("[v2-auth] tools/list: ") && l.contains("get_ticket"))
                .last().isEqualTo("OK");
        assertThat(o.output()).as("the token is never echoed").doesNotContain(token);
    }

    @Test
    void withoutATokenTheSdkGets401AndFindsTheMetadata() throws Exception {
        Processes.Outcome o = client(resource);
        String metadataUrl = "http://127.0.0.1:" + port + "/.well-known/oauth-protected-resource/mcp";

        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(lines(o)).as(o.output())
                .contains("[v2-auth] mode: without token")
                .contains("[v2-auth] connect without authProvider: rejected, SdkHttpError"
                        + " code=CLIENT_HTTP_AUTHENTICATION status=401"
                        + " \"Version negotiation failed: the server requires authorization (HTTP 401)\"")
                .contains("[v2-auth] connect with tokenless AuthProvider: HTTP 401, UnauthorizedError"
                        + " \"no access token available (pre-obtained token not given)\"")
                .contains("[v2-auth] WWW-Authenticate: Bearer resource_metadata=\"" + metadataUrl
                        + "\", scope=\"tickets:read\"")
                .contains("[v2-auth] WWW-Authenticate: resource_metadata=" + metadataUrl
                        + " scope=tickets:read error=(none)")
                .contains("[v2-auth] metadata via resource_metadata: resource=" + resource)
                .contains("[v2-auth] metadata via resource_metadata: authorization_servers=[\""
                        + ISSUER.issuer() + "\"]")
                .contains("[v2-auth] metadata via well-known fallback: resource=" + resource)
                .contains("[v2-auth] metadata via well-known fallback: authorization_servers=[\""
                        + ISSUER.issuer() + "\"]")
                .contains("[v2-auth] metadata via well-known fallback: scopes_supported=[\"tickets:read\"]"
                        + " bearer_methods_supported=[\"header\"]")
                .last().isEqualTo("OK");
        assertThat(ISSUER.issuer()).isEqualTo("https://issuer.sample.test");
    }
}
