package dev.mcpwarden.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link HttpAuthorization} in the HTTP client, and the 2026 wire's retry with a supported version. */
class McpClientAuthorizationTest {

    interface Answer {
        void answer(HttpExchange ex, JsonNode msg, int n) throws IOException;
    }

    HttpServer server;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI serve(Answer a) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mcp", ex -> {
            JsonNode msg = Json.standard().parse(ex.getRequestBody().readAllBytes());
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            a.answer(ex, msg, requests.incrementAndGet());
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    private static void send(HttpExchange ex, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static String result(JsonNode msg) {
        ObjectNode r = Json.object();
        r.put("jsonrpc", "2.0");
        r.set("id", msg.get("id"));
        r.putObject("result").put("resultType", "complete").putArray("tools");
        return r.toString();
    }

    /** Gives "token-N" after the Nth refusal; {@code grant} false refuses to help. */
    static final class Counting implements HttpAuthorization {
        final List<Challenge> seen = new CopyOnWriteArrayList<>();
        volatile String token;

        @Override
        public Map<String, String> headers(String httpMethod, URI uri) {
            return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        }

        @Override
        public boolean retry(Challenge challenge) {
            seen.add(challenge);
            token = "token-" + seen.size();
            return true;
        }
    }

    @Test
    void aRefusedRequestIsSentAgainWithTheCredentialsTheAuthorizationObtained() throws Exception {
        URI endpoint = serve((ex, msg, n) -> {
            if (!"Bearer token-1".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{}", Map.of("WWW-Authenticate", "Bearer resource_metadata=\"x\""));
            } else {
                send(ex, 200, result(msg), Map.of());
            }
        });
        Counting auth = new Counting();
        try (McpClient client = McpClient.http(endpoint).era(McpClient.Era.MODERN).authorization(auth).build()) {
            assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty();
        }
        assertThat(authorizations).containsExactly("null", "Bearer token-1");
        assertThat(auth.seen).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(401);
            assertThat(c.httpMethod()).isEqualTo("POST");
            assertThat(c.uri()).isEqualTo(endpoint);
            assertThat(c.wwwAuthenticate()).isEqualTo("Bearer resource_metadata=\"x\"");
        });
    }

    @Test
    void aServerThatRefusesEveryCredentialGetsTheRequestAtMostFourTimes() throws Exception {
        URI endpoint = serve((ex, msg, n) -> send(ex, 403, "{}",
                Map.of("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"s" + n + "\"")));
        Counting auth = new Counting();
        try (McpClient client = McpClient.http(endpoint).era(McpClient.Era.MODERN).authorization(auth).build()) {
            assertThatThrownBy(() -> client.list(McpClient.Kind.TOOLS)).isInstanceOf(McpClientException.class)
                    .hasMessage(endpoint + " answered 403 Forbidden (WWW-Authenticate: Bearer"
                            + " error=\"insufficient_scope\", scope=\"s4\")")
                    .extracting(e -> ((McpClientException) e).httpStatus()).isEqualTo(403);
        }
        assertThat(requests).hasValue(1 + HttpAuthorization.MAX_RETRIES);
        assertThat(auth.seen).hasSize(HttpAuthorization.MAX_RETRIES);
    }

    @Test
    void aRequestRefusedAsUnsupportedVersionListingTheModernOneIsSentOnceMore() throws Exception {
        URI endpoint = serve((ex, msg, n) -> {
            if (n == 1 || n == 3) {
                send(ex, 400, "{\"jsonrpc\":\"2.0\",\"id\":" + msg.get("id") + ",\"error\":{\"code\":-32022,"
                        + "\"message\":\"Unsupported protocol version\",\"data\":{\"supported\":[\"2026-07-28\"]}}}",
                        Map.of());
            } else {
                send(ex, 200, result(msg), Map.of());
            }
        });
        try (McpClient client = McpClient.http(endpoint).era(McpClient.Era.MODERN).build()) {
            assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty();
            assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty();
        }
        assertThat(requests).hasValue(4);
    }

    @Test
    void anUnsupportedVersionThatDoesNotListTheModernOneIsTheCallersError() throws Exception {
        URI endpoint = serve((ex, msg, n) -> send(ex, 400, "{\"jsonrpc\":\"2.0\",\"id\":" + msg.get("id")
                + ",\"error\":{\"code\":-32022,\"message\":\"Unsupported protocol version\",\"data\":{\"supported\":"
                + "[\"2027-01-01\"]}}}", Map.of()));
        try (McpClient client = McpClient.http(endpoint).era(McpClient.Era.MODERN).build()) {
            assertThatThrownBy(() -> client.list(McpClient.Kind.TOOLS)).isInstanceOf(McpClientException.class)
                    .extracting(e -> ((McpClientException) e).errorCode().orElseThrow()).isEqualTo(-32022);
        }
        assertThat(requests).hasValue(1);
    }
}
