package dev.mcpwarden.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mcpwarden.client.McpClientException.Reason;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.Ports;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The client against crafted HTTP answers: what a misbehaving or legacy-only server sends. */
class McpClientHttpFaultsTest {

    /** Answers one exchange; the request's JSON is parsed already (null for GET/DELETE). */
    interface Handler {
        void handle(HttpExchange ex, JsonNode msg) throws IOException;
    }

    final List<AutoCloseable> closeLater = new ArrayList<>();
    final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        release.countDown();
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    private URI fake(Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mcp", ex -> {
            try {
                byte[] body = ex.getRequestBody().readAllBytes();
                JsonNode msg = body.length == 0 ? null : Json.standard().parse(body);
                seen.add(Map.of("http", ex.getRequestMethod(),
                        "method", msg == null ? "" : msg.path("method").asString(""),
                        "auth", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")),
                        "session", String.valueOf(ex.getRequestHeaders().getFirst("Mcp-Session-Id")),
                        "name", String.valueOf(ex.getRequestHeaders().getFirst("Mcp-Name")),
                        "version", String.valueOf(ex.getRequestHeaders().getFirst("MCP-Protocol-Version")),
                        "params", ex.getRequestHeaders().entrySet().stream()
                                .filter(h -> h.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("mcp-param-"))
                                .map(h -> h.getKey().toLowerCase(java.util.Locale.ROOT) + "=" + h.getValue().getFirst())
                                .sorted().toList().toString()));
                handler.handle(ex, msg);
            } catch (IOException | RuntimeException e) {
                // the client went away
            } finally {
                ex.close();
            }
        });
        server.start();
        closeLater.add(() -> server.stop(0));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    private McpClient client(McpClient.Builder b) throws McpClientException {
        McpClient c = b.build();
        closeLater.add(c);
        return c;
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (type != null) {
            ex.getResponseHeaders().add("Content-Type", type);
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    static String result(JsonNode msg, String result) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + msg.get("id") + ",\"result\":" + result + "}";
    }

    static McpClientException failure(ThrowingCall call) {
        try {
            call.run();
        } catch (McpClientException e) {
            return e;
        }
        throw new AssertionError("no McpClientException");
    }

    interface ThrowingCall {
        void run() throws McpClientException;
    }

    @Test
    void sequentialRequestsShareOneKeptAliveConnectionWhetherTheBodyHasALengthOrIsChunked() throws Exception {
        List<Integer> ports = new CopyOnWriteArrayList<>();
        URI uri = fake((ex, msg) -> {
            ports.add(ex.getRemoteAddress().getPort());
            byte[] body = result(msg, "{\"content\":[]}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            boolean chunked = msg.path("params").path("name").asString().equals("chunked");
            ex.sendResponseHeaders(200, chunked ? 0 : body.length);
            ex.getResponseBody().write(body);
        });
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN));
        for (String name : List.of("sized", "chunked", "sized", "chunked")) {
            ObjectNode p = Json.object().put("name", name);
            p.putObject("arguments");
            assertThat(client.request("tools/call", p).has("content")).isTrue();
        }
        assertThat(ports).hasSize(4);
        assertThat(java.util.Set.copyOf(ports)).as("connections used").hasSize(1);
    }

    @Test
    void anSseAnswerIsReadEventByEventUpToTheResponseWithTheRequestsId() throws Exception {
        URI uri = fake((ex, msg) -> {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            String id = msg.get("id").toString();
            out.write((": a comment the client ignores\n\n"
                    + "id: e1\ndata:\n\n" // a priming event: no data, nothing dispatched
                    + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":"
                    + "{\"level\":\"info\",\"data\":\"first\"}}\n\n"
                    + "data: {\"jsonrpc\":\"2.0\",\"id\":999,\"result\":{\"tools\":[]}}\n\n" // someone else's
                    + "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\r\n"
                    + "data: \"result\":{\"tools\":[{\"name\":\"multi\\nline\"}]}}\r\n\r\n"
                    + "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\n")
                    .getBytes(StandardCharsets.UTF_8));
        });
        List<String> notes = new CopyOnWriteArrayList<>();
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN)
                .onNotification((m, p) -> notes.add(m + " " + p.path("data").asString())));
        JsonNode result = client.request("tools/list", null);
        assertThat(result.get("tools").get(0).get("name").asString()).isEqualTo("multi\nline");
        assertThat(notes).containsExactly("notifications/message first");
    }

    @Test
    void anSseStreamThatEndsWithoutTheResponseIsMalformed() throws Exception {
        URI uri = fake((ex, msg) -> send(ex, 200, "text/event-stream",
                "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\n\n"));
        McpClientException e = failure(() -> client(McpClient.http(uri).era(McpClient.Era.MODERN))
                .request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_RESPONSE);
        assertThat(e).hasMessage("tools/list: the event stream ended without a response");
    }

    @Test
    void aBodyThatIsNotJsonIsMalformed() throws Exception {
        URI uri = fake((ex, msg) -> send(ex, 200, "application/json", "<html>hello</html>"));
        McpClientException e = failure(() -> client(McpClient.http(uri).era(McpClient.Era.MODERN))
                .request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_RESPONSE);
        assertThat(e.getMessage()).startsWith("tools/list: the response (HTTP 200) is not JSON: ");
    }

    @Test
    void aBodyLargerThanTheBoundIsRefusedWithAndWithoutContentLength() throws Exception {
        String big = result(Json.object().put("id", 1), "{\"pad\":\"" + "x".repeat(10_000) + "\"}");
        for (boolean chunked : List.of(false, true)) {
            URI uri = fake((ex, msg) -> {
                ex.getResponseHeaders().add("Content-Type", "application/json");
                byte[] bytes = big.replace("\"id\":1", "\"id\":" + msg.get("id")).getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, chunked ? 0 : bytes.length);
                ex.getResponseBody().write(bytes);
            });
            McpClientException e = failure(() -> client(McpClient.http(uri).era(McpClient.Era.MODERN)
                    .maxResponseBytes(4096)).request("tools/list", null));
            assertThat(e.reason()).as("chunked " + chunked).isEqualTo(Reason.RESPONSE_TOO_LARGE);
            assertThat(e).hasMessage("tools/list: the response is larger than 4096 bytes");
            // the same body within a larger bound is fine
            assertThat(client(McpClient.http(uri).era(McpClient.Era.MODERN).maxResponseBytes(20_000))
                    .request("tools/list", null).get("pad").asString()).hasSize(10_000);
        }
    }

    @Test
    void anSseEventLargerThanTheBoundIsRefused() throws Exception {
        URI uri = fake((ex, msg) -> send(ex, 200, "text/event-stream",
                "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"data\":\""
                        + "y".repeat(3000) + "\"}}\ndata: \"" + "z".repeat(3000) + "\"\n\n"));
        McpClientException e = failure(() -> client(McpClient.http(uri).era(McpClient.Era.MODERN)
                .maxResponseBytes(4096)).request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.RESPONSE_TOO_LARGE);
    }

    @Test
    void aServerThatSendsHeadersButNoResponseTimesOut() throws Exception {
        URI uri = fake((ex, msg) -> {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(": still thinking\n\n".getBytes(StandardCharsets.UTF_8));
            ex.getResponseBody().flush();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN)
                .requestTimeout(Duration.ofMillis(1500)));
        long start = System.nanoTime();
        McpClientException e = failure(() -> client.request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(e).hasMessage(uri + " did not answer tools/list within 1500ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void interruptingTheWaitingThreadClosesTheStreamWhichCancelsTheRequest() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        CountDownLatch clientGone = new CountDownLatch(1);
        URI uri = fake((ex, msg) -> {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            streaming.countDown();
            try {
                for (int i = 0; i < 600; i++) { // keep-alive comments until the client closes the stream
                    ex.getResponseBody().write(": working\n\n".getBytes(StandardCharsets.UTF_8));
                    ex.getResponseBody().flush();
                    Thread.sleep(50);
                }
            } catch (IOException e) {
                clientGone.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN));
        AtomicReference<McpClientException> failed = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                client.request("tools/call", Json.object().put("name", "slow"));
            } catch (McpClientException e) {
                failed.set(e);
            }
        });
        assertThat(streaming.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        caller.interrupt();
        caller.join(Duration.ofSeconds(10));
        assertThat(failed.get()).isNotNull();
        assertThat(failed.get().reason()).isEqualTo(Reason.INTERRUPTED);
        assertThat(clientGone.await(10, TimeUnit.SECONDS)).as("the server saw the stream closed").isTrue();
    }

    @Test
    void aServerThatSendsNothingTimesOut() throws Exception {
        URI uri = fake((ex, msg) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        McpClientException e = failure(() -> client(McpClient.http(uri).era(McpClient.Era.MODERN)
                .requestTimeout(Duration.ofMillis(300))).request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(e).hasMessage(uri + " did not answer tools/list within 300ms");
    }

    @Test
    void refusalsThatAreNotMcpAnswersCarryTheirStatusAndHeaders() throws Exception {
        AtomicInteger status = new AtomicInteger();
        URI uri = fake((ex, msg) -> {
            int s = status.get();
            if (s == 401) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer resource_metadata=\"https://r/x\"");
            }
            if (s == 307) {
                ex.getResponseHeaders().add("Location", "https://elsewhere/mcp");
            }
            send(ex, s, null, "");
        });
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN));
        status.set(401);
        McpClientException e = failure(() -> client.request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.HTTP_STATUS);
        assertThat(e.httpStatus()).isEqualTo(401);
        assertThat(e.header("www-authenticate")).contains("Bearer resource_metadata=\"https://r/x\"");
        assertThat(e).hasMessage(uri + " answered 401 Unauthorized (WWW-Authenticate: Bearer"
                + " resource_metadata=\"https://r/x\")");
        status.set(307);
        e = failure(() -> client.request("tools/list", null));
        assertThat(e.httpStatus()).isEqualTo(307);
        assertThat(e).hasMessage(uri + " redirected (HTTP 307 to https://elsewhere/mcp)");
        status.set(503);
        e = failure(() -> client.request("tools/list", null));
        assertThat(e).hasMessage(uri + " failed with HTTP 503");
        status.set(429);
        e = failure(() -> client.request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.HTTP_STATUS);
        assertThat(e).hasMessage("tools/list was refused with HTTP 429");
    }

    @Test
    void nothingListeningIsConnectionRefused() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + Ports.free() + "/mcp");
        McpClientException e = failure(() -> client(McpClient.http(uri)).request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.CONNECTION_REFUSED);
        assertThat(e).hasMessage("cannot connect to " + uri + " (connection refused)");
    }

    @Test
    void theBearerTokenIsAskedForOnEveryRequestSoItCanBeRefreshed() throws Exception {
        URI uri = fake((ex, msg) -> send(ex, 200, "application/json", result(msg, "{\"tools\":[]}")));
        AtomicInteger n = new AtomicInteger();
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN)
                .bearerToken(() -> Optional.of("t" + n.incrementAndGet())).header("X-Tenant", "acme"));
        client.request("tools/list", null);
        client.request("tools/list", null);
        assertThat(seen).extracting(h -> h.get("auth")).containsExactly("Bearer t1", "Bearer t2");
    }

    @Test
    void theModernWireMirrorsTheNameInMcpNameEncodedWhenItIsNotPlainAscii() throws Exception {
        URI uri = fake((ex, msg) -> send(ex, 200, "application/json", result(msg, "{\"content\":[]}")));
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN));
        for (String name : List.of("echo", "héllo", " padded")) {
            ObjectNode p = Json.object();
            p.put("name", name);
            client.request("tools/call", p);
        }
        ObjectNode read = Json.object();
        read.put("uri", "file:///a b");
        client.request("resources/read", read);
        client.request("tools/list", null);
        assertThat(seen).extracting(h -> h.get("name")).containsExactly("echo", "=?base64?aMOpbGxv?=",
                "=?base64?IHBhZGRlZA==?=", "file:///a b", "null");
        assertThat(seen).extracting(h -> h.get("version")).containsOnly("2026-07-28");
    }

    @Test
    void toolsWithInvalidHeaderAnnotationsAreDroppedAndValidOnesMirroredInMcpParamHeaders() throws Exception {
        String tools = "{\"tools\":["
                + "{\"name\":\"route\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                + "\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
                + "\"n\":{\"type\":\"integer\",\"x-mcp-header\":\"N\"},"
                + "\"flag\":{\"type\":\"boolean\",\"x-mcp-header\":\"Flag\"},"
                + "\"note\":{\"type\":\"string\"}}}},"
                + "{\"name\":\"on_a_number\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                + "\"x\":{\"type\":\"number\",\"x-mcp-header\":\"X\"}}}},"
                + "{\"name\":\"nested\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                + "\"xs\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"x-mcp-header\":\"X\"}}}}},"
                + "{\"name\":\"twice\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                + "\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Same\"},"
                + "\"b\":{\"type\":\"string\",\"x-mcp-header\":\"SAME\"}}}},"
                + "{\"name\":\"not_a_token\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                + "\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Two words\"}}}},"
                + "{\"name\":\"plain\",\"inputSchema\":{\"type\":\"object\"}}]}";
        URI uri = fake((ex, msg) -> send(ex, 200, "application/json", result(msg,
                msg.path("method").asString().equals("tools/list") ? tools : "{\"content\":[]}")));
        McpClient client = client(McpClient.http(uri).era(McpClient.Era.MODERN));
        assertThat(client.list(McpClient.Kind.TOOLS)).extracting(t -> t.get("name").asString())
                .containsExactly("route", "plain");
        ObjectNode call = Json.object();
        call.put("name", "route");
        call.putObject("arguments").put("region", "Zürich").put("n", 42).put("flag", true).put("note", "x");
        client.request("tools/call", call);
        ((ObjectNode) call.get("arguments")).remove("region");
        ((ObjectNode) call.get("arguments")).putNull("n");
        client.request("tools/call", call);
        assertThat(seen).extracting(h -> h.get("params")).containsExactly("[]",
                "[mcp-param-flag=true, mcp-param-n=42, mcp-param-region==?base64?WsO8cmljaA==?=]",
                "[mcp-param-flag=true]");
        assertThat(client(McpClient.http(uri).era(McpClient.Era.MODERN).dropInvalidTools(false))
                .list(McpClient.Kind.TOOLS)).hasSize(6);
    }

    @Test
    void aCallRefusedForAMissingParamHeaderIsSentAgainAfterListingTheTools() throws Exception {
        URI uri = fake((ex, msg) -> {
            String method = msg.path("method").asString();
            if (method.equals("tools/list")) {
                send(ex, 200, "application/json", result(msg, "{\"tools\":[{\"name\":\"route\",\"inputSchema\":"
                        + "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\","
                        + "\"x-mcp-header\":\"Region\"}}}}]}"));
            } else if (ex.getRequestHeaders().getFirst("Mcp-Param-Region") == null) {
                send(ex, 400, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":" + msg.get("id") + ",\"error\":"
                        + "{\"code\":-32020,\"message\":\"Mcp-Param-Region header is required\"}}");
            } else {
                send(ex, 200, "application/json", result(msg, "{\"content\":[{\"type\":\"text\",\"text\":\""
                        + ex.getRequestHeaders().getFirst("Mcp-Param-Region") + "\"}]}"));
            }
        });
        ObjectNode call = Json.object();
        call.put("name", "route");
        call.putObject("arguments").put("region", "eu-west");
        JsonNode result = client(McpClient.http(uri)).request("tools/call", call);
        assertThat(result.get("content").get(0).get("text").asString()).isEqualTo("eu-west");
        assertThat(seen).extracting(h -> h.get("method")).containsExactly("tools/call", "tools/list", "tools/call");
    }

    /** A 2025-only server: a session is required, it forgets it when told to, and it answers lists in SSE. */
    private URI legacyServer(AtomicInteger sessions, AtomicInteger forget) throws IOException {
        return fake((ex, msg) -> {
            String session = ex.getRequestHeaders().getFirst("Mcp-Session-Id");
            String current = "s-" + sessions.get();
            if (ex.getRequestMethod().equals("DELETE")) {
                send(ex, 204, null, "");
                return;
            }
            String method = msg.path("method").asString("");
            if (method.equals("initialize")) {
                ex.getResponseHeaders().add("Mcp-Session-Id", "s-" + sessions.incrementAndGet());
                send(ex, 200, "application/json", result(msg, "{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"old\",\"version\":\"1\"}}"));
            } else if (session == null) {
                send(ex, 400, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,"
                        + "\"message\":\"Bad Request: No valid session ID provided\"}}");
            } else if (!session.equals(current) || forget.getAndSet(0) == 1) {
                send(ex, 404, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,"
                        + "\"message\":\"Session not found\"}}");
            } else if (method.equals("notifications/initialized")) {
                send(ex, 202, null, "");
            } else {
                send(ex, 200, "text/event-stream", "event: message\ndata: " + result(msg, "{\"tools\":[],"
                        + "\"content\":[]}") + "\n\n");
            }
        });
    }

    @Test
    void aLegacyOnlyServerIsDetectedFromItsAnswerToTheModernRequestAndGetsASession() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        McpClient client = client(McpClient.http(legacyServer(sessions, new AtomicInteger()))
                .bearerToken(() -> Optional.of("tok")));
        assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty();
        assertThat(client.protocolVersion()).isEqualTo("2025-06-18");
        assertThat(client.serverInfo().get("name").asString()).isEqualTo("old");
        client.close();
        assertThat(seen).extracting(h -> h.get("http") + " " + h.get("method") + " " + h.get("session") + " "
                + h.get("version")).containsExactly(
                "POST tools/list null 2026-07-28",
                "POST initialize null null",
                "POST notifications/initialized s-1 2025-06-18",
                "POST tools/list s-1 2025-06-18",
                "DELETE  s-1 2025-06-18");
        assertThat(seen).extracting(h -> h.get("auth")).containsOnly("Bearer tok");
    }

    @Test
    void anExpiredSessionIsInitializedAgainForAListButReportedForACall() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        AtomicInteger forget = new AtomicInteger();
        McpClient client = client(McpClient.http(legacyServer(sessions, forget)).era(McpClient.Era.LEGACY));
        client.list(McpClient.Kind.TOOLS);
        forget.set(1);
        assertThat(client.list(McpClient.Kind.TOOLS)).isEmpty(); // sent again in a new session
        assertThat(sessions.get()).isEqualTo(2);

        forget.set(1);
        ObjectNode call = Json.object();
        call.put("name", "book_flight");
        McpClientException e = failure(() -> client.request("tools/call", call));
        assertThat(e.reason()).isEqualTo(Reason.SESSION_EXPIRED);
        assertThat(e.getMessage()).endsWith("expired (HTTP 404); the next request initializes a new one");
        assertThat(sessions.get()).isEqualTo(2); // a call is not repeated behind the caller's back
        client.request("tools/call", call);
        assertThat(sessions.get()).isEqualTo(3);
        assertThat(seen.stream().filter(h -> h.get("method").equals("tools/call")).count()).isEqualTo(2);
    }

    @Test
    void aModernErrorToTheFirstRequestIsTheAnswerAndNoFallback() throws Exception {
        URI uri = fake((ex, msg) -> send(ex, 400, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":"
                + msg.get("id") + ",\"error\":{\"code\":-32020,\"message\":\"Mcp-Name does not match\"}}"));
        McpClientException e = failure(() -> client(McpClient.http(uri)).request("tools/list", null));
        assertThat(e.reason()).isEqualTo(Reason.JSON_RPC_ERROR);
        assertThat(e.errorCode()).contains(-32020);
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(seen).extracting(h -> h.get("method")).containsExactly("tools/list");
    }

    @Test
    void theEraRuleIsTheOneScanHasAlwaysUsed() {
        for (int code = -32029; code <= -32020; code++) {
            assertThat(BaseClient.modernError(code)).as("code " + code).isEqualTo(code != -32022);
        }
        assertThat(BaseClient.modernError(-32601)).isTrue();
        assertThat(BaseClient.modernError(-32000)).isFalse();
        assertThat(BaseClient.modernError(-32600)).isFalse();
        assertThat(BaseClient.modernError(-32602)).isFalse();
        assertThat(BaseClient.modernError(0)).isFalse();
    }
}
