package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.node.ObjectNode;

/**
 * Long-lived streams over real HTTP with real tokens: a stream does not outlive the token that opened it. At the
 * token's {@code exp} the connection ends with the comment {@code : token expired; reconnect with a fresh token}.
 */
@Timeout(60)
class StreamReauthenticationTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    static final String EXPIRED = ": token expired; reconnect with a fresh token";
    static final CountDownLatch cancelled = new CountDownLatch(1);
    static final HttpClient jdk = HttpClient.newHttpClient();
    static HttpTransport http;
    static McpHttp client;
    static String resource;

    @BeforeAll
    static void start() throws Exception {
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        ResourceServerConfig strict = ResourceServerConfig.of(URI.create(resource),
                List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of());
        // A second of clock skew: a token is accepted until exp + 1 s, and its streams end exactly then.
        strict = new ResourceServerConfig(strict.resource(), strict.issuers(), strict.scopesSupported(),
                strict.algorithms(), false, java.time.Duration.ofSeconds(1), "tenant", "roles", 10_000,
                java.time.Duration.ofSeconds(30));
        ResourceServer rs = ResourceServer.builder(strict).build();
        McpServer server = McpServer.builder("streams", "1").controls(rs.controls())
                .tool(Tool.builder("forever").description("Reports progress until cancelled").handler(ctx -> {
                    try {
                        while (!ctx.isCancelled()) {
                            ctx.progress(1, null, null);
                            Thread.sleep(100);
                        }
                    } catch (InterruptedException e) {
                        // cancelled
                    }
                    cancelled.countDown();
                    return ToolResult.text("stopped");
                }).build())
                .build();
        http = HttpTransport.builder(server, HttpOptions.loopback(port)).start();
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    /** A token for alice that expires {@code seconds} from now. */
    static String token(long seconds) {
        Map<String, Object> c = ISSUER.claims("alice", resource, null);
        c.put("exp", Instant.now().getEpochSecond() + seconds);
        return ISSUER.sign(c);
    }

    static HttpResponse<InputStream> send(HttpRequest.Builder b, String token) throws Exception {
        return jdk.send(b.header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    static String readAll(InputStream in) throws Exception {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String firstEventId(InputStream in) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (!seen.toString(StandardCharsets.UTF_8).contains("\n\n")) {
            int b = in.read();
            assertThat(b).isNotEqualTo(-1);
            seen.write(b);
        }
        return seen.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("id: ")).findFirst()
                .orElseThrow().substring(4);
    }

    @Test
    void aSessionsGetStreamEndsWhenItsTokenExpiresAndResumesWithAFreshOne() throws Exception {
        String shortLived = token(2);
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "t").put("version", "1");
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        h.put("Authorization", "Bearer " + shortLived);
        String session = client.post(h, McpHttp.request(0, "initialize", params)).header("Mcp-Session-Id");
        assertThat(session).isNotNull();

        HttpRequest.Builder get = HttpRequest.newBuilder(http.uri()).GET().header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        long started = System.nanoTime();
        HttpResponse<InputStream> stream = send(get, shortLived);
        assertThat(stream.statusCode()).isEqualTo(200);
        String primed = firstEventId(stream.body());
        String rest = readAll(stream.body());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(rest).endsWith(EXPIRED + "\n\n");
        assertThat(tookMillis).as("ended at the token's expiry, exp + 1 s of skew").isBetween(1_000L, 5_000L);

        // The expired token opens nothing; a fresh one resumes the same stream.
        HttpRequest.Builder resume = HttpRequest.newBuilder(http.uri()).GET().header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25")
                .header("Last-Event-ID", primed);
        assertThat(send(resume, shortLived).statusCode()).isEqualTo(401);
        HttpResponse<InputStream> resumed = send(HttpRequest.newBuilder(http.uri()).GET()
                .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-11-25").header("Last-Event-ID", primed), token(300));
        assertThat(resumed.statusCode()).isEqualTo(200);
        resumed.body().close();
    }

    @Test
    void aLongPostStreamEndsWhenItsTokenExpiresAndItsCallIsCancelled() throws Exception {
        ObjectNode p = Json.object();
        p.put("name", "forever");
        ObjectNode meta = McpHttp.meta2026(null);
        meta.put("progressToken", "p");
        p.set("_meta", meta);
        HttpRequest.Builder post = HttpRequest.newBuilder(http.uri())
                .POST(HttpRequest.BodyPublishers.ofString(McpHttp.request(5, "tools/call", p)));
        McpHttp.headers2026("tools/call", "forever").forEach(post::header);
        long started = System.nanoTime();
        HttpResponse<InputStream> r = send(post, token(2));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        String body = readAll(r.body());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(body).contains("notifications/progress").endsWith(EXPIRED + "\n\n");
        assertThat(tookMillis).isBetween(1_000L, 5_000L);
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).as("the call was cancelled").isTrue();
    }
}
