package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every way an upstream can fail a caller gives one documented error (docs/errors.md): its stable code, a message
 * naming the upstream, and {@code data} with the upstream, the kind and the correlation id; never the upstream's
 * internals. The upstream is Warden's runtime, behind a proxy that misbehaves for some tools as broken servers do.
 */
class UnifiedErrorsTest {

    /** What a careless upstream puts in its error: an exception, an internal address, a stack trace. */
    static final String LEAKY = "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
            + "available from db-primary.prod.internal:5432 (10.20.30.40), request timed out after 30000ms.\n"
            + "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
            + "\tat com.acme.tickets.Store.find(/opt/acme/tickets/Store.java:42)";

    final List<AutoCloseable> open = new ArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        release.countDown();
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    HttpTransport upstream() {
        McpServer.Builder b = McpServer.builder("tickets-backend", "1.0.0")
                .controls(Controls.insecureWithoutAuthentication());
        b.tool(tool("ok", ctx -> ToolResult.text("fine")));
        b.tool(tool("crash", ctx -> {
            throw new McpError(-32603, LEAKY);
        }));
        b.tool(tool("quota", ctx -> {
            throw new McpError(4001, "Quota exceeded for tenant acme on http://billing.corp:8080/v1/quota "
                    + "(see /var/log/billing/app.log)");
        }));
        b.tool(tool("invalid", ctx -> {
            throw McpError.invalidParams("Invalid params: ticket 'x' is unknown at 10.0.0.7:9000");
        }));
        b.tool(tool("capability", ctx -> {
            throw new McpError(-32021, "Missing required client capability: elicitation (asked by db-primary:5432)",
                    Json.standard().parse("""
                            {"requiredCapabilities":{"elicitation":{"form":{}},"extensions":{"io.example/tasks":{}},
                              "sampling":"see http://10.1.2.3/admin","db at 10.1.2.3":{},"roots":{"listChanged":true,
                              "where":"redis.prod:6379"}},
                             "hint":"redis.prod is down","stack":"at com.acme.Store.read(Store.java:12)"}"""), 400);
        }));
        b.tool(tool("slow", ctx -> {
            Thread.sleep(5_000);
            return ToolResult.text("late");
        }));
        b.tool(tool("block", ctx -> {
            release.await(20, TimeUnit.SECONDS);
            return ToolResult.text("released");
        }));
        for (String broken : List.of("unauthorized", "forbidden", "down", "teapot", "garbage")) {
            b.tool(tool(broken, ctx -> ToolResult.text("the proxy answers this one")));
        }
        return keep(b.build().serveHttp(HttpOptions.loopback(Ports.free())));
    }

    static Tool tool(String name, dev.mcpwarden.server.tool.ToolHandler handler) {
        return Tool.builder(name).description("A tool named " + name + ".").handler(handler).build();
    }

    /**
     * Forwards to {@code target}, except a tools/call of one of the broken tools, answered as a broken server would:
     * {@code unauthorized} 401, {@code forbidden} 403, {@code down} 503, {@code teapot} 418, {@code garbage} a body
     * that is not JSON. It cannot stream, so it refuses {@code subscriptions/listen} (the gateway then re-reads).
     */
    URI proxy(URI target) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        server.createContext("/", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                JsonNode msg = body.length == 0 ? Json.object() : Json.standard().parse(body);
                String method = msg.path("method").asString("");
                String tool = msg.path("params").path("name").asString("");
                if (method.equals("subscriptions/listen")) {
                    answer(ex, 200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":" + msg.path("id")
                            + ",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
                    return;
                }
                if (method.equals("tools/call")) {
                    switch (tool) {
                        case "unauthorized" -> {
                            answer(ex, 401, "text/plain", "token rejected by gateway-auth.internal");
                            return;
                        }
                        case "forbidden" -> {
                            answer(ex, 403, "text/plain", "forbidden");
                            return;
                        }
                        case "down" -> {
                            answer(ex, 503, "text/html", "<h1>503 upstream connect error 10.9.8.7</h1>");
                            return;
                        }
                        case "teapot" -> {
                            answer(ex, 418, "text/plain", "I'm a teapot");
                            return;
                        }
                        case "garbage" -> {
                            answer(ex, 200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":" + msg.path("id")
                                    + ",\"result\": <html>oops");
                            return;
                        }
                        default -> { }
                    }
                }
                HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().getPath()))
                        .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
                ex.getRequestHeaders().forEach((name, values) -> {
                    String n = name.toLowerCase(java.util.Locale.ROOT);
                    if (!Set.of("host", "content-length", "connection", "expect", "upgrade").contains(n)) {
                        values.forEach(v -> forward.header(name, v));
                    }
                });
                HttpResponse<byte[]> r = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                r.headers().map().forEach((name, values) -> {
                    String n = name.toLowerCase(java.util.Locale.ROOT);
                    if (!Set.of("content-length", "transfer-encoding", "connection", ":status").contains(n)) {
                        values.forEach(v -> ex.getResponseHeaders().add(name, v));
                    }
                });
                byte[] out = r.body();
                ex.sendResponseHeaders(r.statusCode(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    ex.getResponseBody().write(out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        keep(() -> server.stop(0));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    static void answer(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    McpClient gatewayClient(UpstreamConfig config, McpClient.Era era) throws Exception {
        Gateway g = keep(Gateway.connect(List.of(config)));
        McpServer front = McpServer.builder("gw", "1").backend(g.backend())
                .controls(Controls.insecureWithoutAuthentication()).build();
        URI uri = keep(front.serveHttp(HttpOptions.loopback(Ports.free()))).uri();
        return keep(McpClient.http(uri).era(era).build());
    }

    UpstreamConfig tickets(URI uri) {
        return UpstreamConfig.of("tickets", UpstreamConfig.Http.of(uri)).withEra(UpstreamConfig.Era.MODERN);
    }

    static ObjectNode call(String tool) {
        ObjectNode p = Json.object().put("name", tool);
        p.putObject("arguments");
        return p;
    }

    /** The error a call gets, which must name the upstream and the kind, with a correlation id. */
    static McpClientException failure(McpClient c, String tool, int code, String kind, String message) {
        McpClientException[] caught = new McpClientException[1];
        assertThatThrownBy(() -> c.request("tools/call", call(tool))).as(tool)
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).as(tool).contains(code);
                    assertThat(e.errorMessage().orElse("")).as(tool).contains(message);
                    JsonNode data = e.errorData().orElseThrow();
                    assertThat(data.path("upstream").asString()).as(tool).isEqualTo("tickets");
                    assertThat(data.path("kind").asString()).as(tool).isEqualTo(kind);
                    assertThat(data.path("correlationId").asString()).as(tool).isNotBlank();
                    caught[0] = e;
                });
        return caught[0];
    }

    @Test
    void eachWayAnUpstreamAnswersBadlyGivesItsDocumentedCodeToCallersOfEitherEra() throws Exception {
        URI proxied = proxy(upstream().uri());
        for (McpClient.Era era : List.of(McpClient.Era.MODERN, McpClient.Era.LEGACY)) {
            McpClient c = gatewayClient(tickets(proxied), era);
            assertThat(c.request("tools/call", call("ok")).path("content").path(0).path("text").asString())
                    .isEqualTo("fine");

            failure(c, "unauthorized", -31007, "unauthorized",
                    "Upstream tickets could not serve tools/call: it refused the gateway's credential (HTTP 401)");
            failure(c, "forbidden", -31007, "unauthorized",
                    "Upstream tickets could not serve tools/call: it refused the gateway's credential (HTTP 403)");
            failure(c, "down", -31001, "unavailable",
                    "Upstream tickets could not serve tools/call: it answered HTTP 503");
            failure(c, "teapot", -31005, "protocol_error",
                    "Upstream tickets could not serve tools/call: it answered HTTP 418");
            failure(c, "garbage", -31006, "malformed_answer",
                    "Upstream tickets could not serve tools/call: its answer was not valid MCP");
        }
    }

    @Test
    void anUpstreamsErrorCarryingAStackTraceAndInternalAddressesReachesTheCallerWithoutThem() throws Exception {
        McpClient c = gatewayClient(tickets(upstream().uri()), McpClient.Era.MODERN);

        McpClientException crash = failure(c, "crash", -31008, "upstream_error", "Upstream tickets failed: ");
        assertThat(crash.errorData().orElseThrow().path("upstreamCode").asInt()).isEqualTo(-32603);
        McpClientException quota = failure(c, "quota", -31008, "upstream_error",
                "Upstream tickets failed: Quota exceeded for tenant acme on [address]");
        assertThat(quota.errorData().orElseThrow().path("upstreamCode").asInt()).isEqualTo(4001);

        for (McpClientException e : List.of(crash, quota)) {
            String seen = e.errorMessage().orElse("") + " " + e.errorData().orElseThrow();
            assertThat(seen).doesNotContain("\tat ", "HikariPool.java", "com.zaxxer", "SQLTransient", "Exception",
                    "db-primary", "prod.internal", "10.20.30.40", "5432", "billing.corp", "8080", "/var/log",
                    "/opt/acme", "\n");
        }
        assertThat(crash.errorMessage()).hasValue("Upstream tickets failed: HikariPool-1 - Connection is not "
                + "available from [host] ([address]), request timed out after 30000ms.");

        // the upstream's own protocol error about the caller's request keeps its code, cleaned the same way
        assertThatThrownBy(() -> c.request("tools/call", call("invalid")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32602);
                    assertThat(e.errorMessage()).hasValue("Invalid params: ticket 'x' is unknown at [address]");
                });
    }

    @Test
    void anUpstreamThatIsDownTooSlowBusyOrWhoseCircuitIsOpenGivesItsDocumentedCode() throws Exception {
        HttpTransport up = upstream();
        McpClient one = gatewayClient(tickets(up.uri())
                .withResilience(new UpstreamConfig.Resilience(1, 5, Duration.ofSeconds(30))), McpClient.Era.MODERN);
        Future<JsonNode> blocked = Executors.newVirtualThreadPerTaskExecutor().submit(() ->
                one.request("tools/call", call("block")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                failure(one, "ok", -31004, "busy", "Upstream tickets is busy: 1 requests are in flight to it"));
        release.countDown();
        assertThat(blocked.get(10, TimeUnit.SECONDS).path("content").path(0).path("text").asString())
                .isEqualTo("released");

        McpClient c = gatewayClient(tickets(up.uri()).withRequestTimeout(Duration.ofSeconds(1))
                .withResilience(new UpstreamConfig.Resilience(64, 2, Duration.ofSeconds(30))), McpClient.Era.MODERN);

        failure(c, "slow", -31002, "timeout", "Upstream tickets could not serve tools/call: it did not answer "
                + "within 1 s");
        up.close();
        // refused, or broken where a kept-alive connection was closed under it: down, either way
        failure(c, "ok", -31001, "unavailable", "Upstream tickets could not serve tools/call: ");
        failure(c, "ok", -31003, "circuit_open", "Upstream tickets is unavailable: its circuit is open after 2 "
                + "failures in a row");
    }

    @Test
    void anUpstreamsMissingCapabilityErrorReachesTheCallerWithOnlyTheCapabilitiesItNamesInItsData() throws Exception {
        McpClient c = gatewayClient(tickets(upstream().uri()), McpClient.Era.MODERN);

        assertThatThrownBy(() -> c.request("tools/call", call("capability")))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32021);
                    assertThat(e.errorMessage()).hasValue("Missing required client capability: elicitation (asked "
                            + "by [host])");
                    // names and objects of capabilities only: no text, no other member, no odd name
                    assertThat(e.errorData().orElseThrow().toString()).isEqualTo("{\"requiredCapabilities\":{"
                            + "\"elicitation\":{\"form\":{}},\"extensions\":{\"io.example/tasks\":{}},"
                            + "\"roots\":{\"listChanged\":true}}}");
                });
    }

    @Test
    void missingCapabilityDataWithoutRequiredCapabilitiesIsNoDataAtAll() {
        assertThat(UpstreamFailure.requiredCapabilities(null)).isNull();
        assertThat(UpstreamFailure.requiredCapabilities(Json.standard().parse(
                "{\"requiredCapabilities\":[\"elicitation\"],\"hint\":\"db-primary:5432\"}"))).isNull();
        assertThat(UpstreamFailure.requiredCapabilities(Json.standard().parse("\"see db-primary:5432\""))).isNull();
    }

    @Test
    void theSanitizerTakesEveryHostFormForAHostWhateverItsDomainAndLeavesVersionsAndTimes() {
        assertThat(UpstreamFailure.sanitized("connect ECONNREFUSED db-primary:5432"))
                .isEqualTo("connect ECONNREFUSED [host]");
        assertThat(UpstreamFailure.sanitized("cannot reach redis.prod, api.k8s or cache-01.eu-west-2.aws-prod:6380"))
                .isEqualTo("cannot reach [host], [host] or [host]");
        assertThat(UpstreamFailure.sanitized("no endpoints for billing.payments.svc.cluster.local:8443 or "
                + "my-svc.my-ns.svc")).isEqualTo("no endpoints for [host] or [host]");
        assertThat(UpstreamFailure.sanitized("link down on fe80::1%eth0 and [fe80::a:b%25en0]:443"))
                .isEqualTo("link down on [address] and [address]");
        assertThat(UpstreamFailure.sanitized("auth failed for postgres@db-primary and admin@10.0.0.9:22"))
                .isEqualTo("auth failed for [host] and [host]");
        assertThat(UpstreamFailure.sanitized("login refused: svc:hunter2@ldap-1:389 and "
                + "redis://:s3cret@redis.prod:6379/0 and mongodb+srv://app:pw@cluster0.ab1cd.mongodb.net/db"))
                .isEqualTo("login refused: [host] and [address] and [address]");
        assertThat(UpstreamFailure.sanitized("connect ETIMEDOUT Db-Primary:5432 via LOCALHOST:80"))
                .isEqualTo("connect ETIMEDOUT [host] via [host]");
        assertThat(UpstreamFailure.sanitized("dial tcp [2001:db8::1]:443: refused, login failed for 'sa'@'db-primary' "
                + "(host=db-primary port=5432)"))
                .isEqualTo("dial tcp [address]: refused, login failed for [host] (host=[host] port=5432)");
        // versions, numbers and times are no hosts
        assertThat(UpstreamFailure.sanitized("server 1.2.3 (v2.10.0-rc.1) gave up after 2.5s at 12:30:45"))
                .isEqualTo("server 1.2.3 (v2.10.0-rc.1) gave up after 2.5s at 12:30:45");
        // at the end of a sentence, too
        for (String leak : List.of("db-primary:5432", "redis.prod", "api.k8s", "svc.cluster.local", "fe80::1%eth0",
                "postgres@db-primary", "svc:hunter2@ldap-1:389", "redis://:s3cret@redis.prod:6379/0")) {
            assertThat(UpstreamFailure.sanitized("failed near " + leak + ".")).as(leak)
                    .isIn("failed near [host].", "failed near [address].", "failed near [address]");
        }
    }

    @Test
    void theSanitizerCutsTracesAndReplacesAddressesHostsPathsAndExceptionNamesOfEveryShape() {
        assertThat(UpstreamFailure.sanitized("Error: connect ECONNREFUSED 127.0.0.1:5432\n    at "
                + "TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"))
                .isEqualTo("connect ECONNREFUSED [address]");
        assertThat(UpstreamFailure.sanitized("Traceback (most recent call last):\n  File \"/srv/app.py\", line 3"))
                .isEqualTo("");
        assertThat(UpstreamFailure.sanitized("lookup failed at ip-10-0-0-5.ec2.internal and [fd00::1]:8443 and "
                + "redis.svc.cluster.local via https://vault.internal/v1/secret?token=abc"))
                .isEqualTo("lookup failed at [host] and [address] and [host] via [address]");
        assertThat(UpstreamFailure.sanitized("cannot open C:\\Users\\svc\\secrets.txt or ~/.aws/credentials "
                + "(java.io.FileNotFoundException)")).isEqualTo("cannot open [path] or [path] ()");
        assertThat(UpstreamFailure.sanitized("Unknown tool: search")).isEqualTo("Unknown tool: search");
        assertThat(UpstreamFailure.sanitized("Invalid params: bad value at line 3: expected a number"))
                .isEqualTo("Invalid params: bad value at line 3: expected a number");
        assertThat(UpstreamFailure.sanitized("boom at Object.<anonymous> (/app/x.js:1:1)")).isEqualTo("boom");
        assertThat(UpstreamFailure.sanitized("Method not found: resources/templates/list at 12:30:45"))
                .isEqualTo("Method not found: resources/templates/list at 12:30:45");
        assertThat(UpstreamFailure.sanitized("x".repeat(400))).hasSize(303);
    }
}
