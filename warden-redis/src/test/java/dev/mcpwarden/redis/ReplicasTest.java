package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two replicas of one server sharing a real Redis: a 2025 client's requests, streams and answers may reach either
 * one, as behind a load balancer without stickiness.
 */
@Timeout(60)
class ReplicasTest {

    static RedisServer redis;
    static RedisStores storesA;
    static RedisStores storesB;
    static HttpTransport a;
    static HttpTransport b;
    static McpServer serverA;
    static final HttpClient jdk = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        storesA = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        storesB = RedisStores.connect(RedisStores.Settings.of(redis.url()));
        serverA = server();
        a = replica(serverA, storesA);
        b = replica(server(), storesB);
    }

    static McpServer server() {
        return McpServer.builder("replicated", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .resource(dev.mcpwarden.server.resource.Resource.text("test://counter", "counter", "text/plain", "1"))
                .tool(Tool.builder("ticker").description("Reports twenty numbered ticks, 50 ms apart")
                        .handler(ctx -> {
                            for (int i = 1; i <= 20; i++) {
                                ctx.progress(i, 20.0, "tick " + i);
                                Thread.sleep(50);
                            }
                            return ToolResult.text("ticked 20");
                        }).build())
                .tool(Tool.builder("confirm").description("Asks the user to confirm")
                        .handler(ctx -> {
                            ObjectNode schema = Json.object().put("type", "object");
                            schema.putObject("properties").putObject("ok").put("type", "boolean");
                            var answers = ctx.input(Map.of("c", dev.mcpwarden.server.input.InputRequest.elicit(
                                    "Sure?", schema)));
                            return ToolResult.text("answer: " + answers.get("c").path("action").asString());
                        }).build())
                .build();
    }

    static HttpTransport replica(McpServer server, RedisStores stores) {
        HttpOptions options = HttpOptions.loopback(0);
        return HttpTransport.builder(server, options)
                .sessions(stores.sessions(options.maxSessions(), options.sessionIdle(), Clock.systemUTC()))
                .events(stores.events(options.eventsPerSession(), options.sessionIdle()))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
        b.close();
        storesA.close();
        storesB.close();
        redis.close();
    }

    static Map<String, String> legacy(String session) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        if (session != null) {
            h.put("Mcp-Session-Id", session);
            h.put("MCP-Protocol-Version", "2025-11-25");
        }
        return h;
    }

    static String initialize(HttpTransport on) throws Exception {
        ObjectNode params = Json.object();
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities").putObject("elicitation");
        params.putObject("clientInfo").put("name", "t").put("version", "1");
        String session = new McpHttp(on.uri()).post(legacy(null), McpHttp.request(0, "initialize", params))
                .header("Mcp-Session-Id");
        McpHttp.Reply initialized = new McpHttp(on.uri()).post(legacy(session),
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertThat(initialized.status()).isEqualTo(202);
        return session;
    }

    static String call(int id, String tool) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        p.putObject("_meta").put("progressToken", "tok");
        return McpHttp.request(id, "tools/call", p);
    }

    static HttpResponse<InputStream> open(URI uri, String method, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri);
        headers.forEach(r::header);
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return jdk.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads SSE events (id, data) until {@code stop} says so or the stream ends. */
    static List<String[]> read(BufferedReader in, java.util.function.Predicate<List<String[]>> stop)
            throws Exception {
        List<String[]> out = new ArrayList<>();
        String id = null;
        String data = null;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null && !data.isEmpty()) {
                    out.add(new String[] {id, data});
                    if (stop.test(out)) {
                        return out;
                    }
                }
                id = null;
                data = null;
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("data:")) {
                data = line.substring(5).strip();
            }
        }
        return out;
    }

    @Test
    void aSessionStartedOnOneReplicaIsServedByTheOtherAndEndedThereForBoth() throws Exception {
        String session = initialize(a);

        McpHttp.Reply list = new McpHttp(b.uri()).post(legacy(session), McpHttp.request(1, "tools/list", null));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("\"ticker\"");

        McpHttp.Reply delete = new McpHttp(b.uri()).send("DELETE", legacy(session), null);
        assertThat(delete.status()).isEqualTo(200);
        McpHttp.Reply after = new McpHttp(a.uri()).post(legacy(session), McpHttp.request(2, "tools/list", null));
        assertThat(after.status()).isEqualTo(404);
        assertThat(after.json().path("error").path("message").asString()).isEqualTo("Session not found");
    }

    @Test
    void aStreamLostOnOneReplicaIsResumedOnTheOtherWithEveryEventExactlyOnceInOrder() throws Exception {
        String session = initialize(a);
        HttpResponse<InputStream> post = open(a.uri(), "POST", legacy(session), call(3, "ticker"));
        BufferedReader in = new BufferedReader(new InputStreamReader(post.body(), StandardCharsets.UTF_8));
        List<String[]> first = read(in, got -> got.size() == 5);
        post.body().close(); // the connection to the first replica is lost; the call goes on there
        String lastSeen = first.getLast()[0];

        Map<String, String> h = new LinkedHashMap<>();
        h.put("Accept", "text/event-stream");
        h.put("Mcp-Session-Id", session);
        h.put("MCP-Protocol-Version", "2025-11-25");
        h.put("Last-Event-ID", lastSeen);
        HttpResponse<InputStream> resumed = open(b.uri(), "GET", h, null);
        assertThat(resumed.statusCode()).isEqualTo(200);
        List<String[]> rest = read(new BufferedReader(new InputStreamReader(resumed.body(), StandardCharsets.UTF_8)),
                got -> got.getLast()[1].contains("\"result\""));

        List<Integer> ticks = new ArrayList<>();
        for (String[] e : first.subList(0, first.size())) {
            ticks.add(Json.standard().parse(e[1]).path("params").path("progress").asInt());
        }
        for (String[] e : rest.subList(0, rest.size() - 1)) {
            ticks.add(Json.standard().parse(e[1]).path("params").path("progress").asInt());
        }
        assertThat(ticks).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
        JsonNode result = Json.standard().parse(rest.getLast()[1]);
        assertThat(result.path("id").asInt()).isEqualTo(3);
        assertThat(result.path("result").path("content").get(0).path("text").asString()).isEqualTo("ticked 20");
    }

    @Test
    void theAnswerToAServerRequestPostedToTheOtherReplicaCompletesTheCall() throws Exception {
        String session = initialize(a);
        HttpResponse<InputStream> post = open(a.uri(), "POST", legacy(session), call(4, "confirm"));
        BufferedReader in = new BufferedReader(new InputStreamReader(post.body(), StandardCharsets.UTF_8));
        List<String[]> asked = read(in, got -> got.getLast()[1].contains("elicitation/create"));
        JsonNode request = Json.standard().parse(asked.getLast()[1]);
        CompletableFuture<List<String[]>> rest = CompletableFuture.supplyAsync(() -> {
            try {
                return read(in, got -> got.getLast()[1].contains("\"result\""));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        ObjectNode answer = Json.object();
        answer.put("jsonrpc", "2.0");
        answer.set("id", request.get("id"));
        answer.putObject("result").put("action", "accept").putObject("content").put("ok", true);
        McpHttp.Reply posted = new McpHttp(b.uri()).post(legacy(session), Json.standard().text(answer));
        assertThat(posted.status()).isEqualTo(202);

        JsonNode result = Json.standard().parse(rest.get(10, TimeUnit.SECONDS).getLast()[1]);
        assertThat(result.path("result").path("content").get(0).path("text").asString()).isEqualTo("answer: accept");
    }

    @Test
    void aSessionIdNoReplicaMintedIsNotFound() throws Exception {
        McpHttp.Reply unknown = new McpHttp(b.uri()).post(legacy("nosuchsession"),
                McpHttp.request(1, "tools/list", null));
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void aResourceChangedOnOneReplicaIsAnnouncedOnTheSubscribersStreamOnTheOther() throws Exception {
        String session = initialize(a);
        ObjectNode sub = Json.object().put("uri", "test://counter");
        assertThat(new McpHttp(a.uri()).post(legacy(session), McpHttp.request(5, "resources/subscribe", sub))
                .status()).isEqualTo(200);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Accept", "text/event-stream");
        h.put("Mcp-Session-Id", session);
        h.put("MCP-Protocol-Version", "2025-11-25");
        HttpResponse<InputStream> stream = open(b.uri(), "GET", h, null);
        BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).startsWith("id: "); // primed: the stream is open on the other replica
        Thread.sleep(100); // the other replica's subscription to updates settles

        serverA.resourceUpdated("test://counter");

        List<String[]> got = read(in, e -> e.getLast()[1].contains("resources/updated"));
        assertThat(got.getLast()[1]).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":\"test://counter\"}}");
        stream.body().close();
    }

    @Test
    void aSessionsGetStreamHandedOverByADrainingReplicaCarriesOnWhereTheClientResumes() throws Exception {
        McpServer first = server();
        McpServer second = server();
        HttpTransport draining = replica(first, storesA);
        HttpTransport taking = replica(second, storesB);
        try {
            String session = initialize(draining);
            ObjectNode sub = Json.object().put("uri", "test://counter");
            assertThat(new McpHttp(draining.uri()).post(legacy(session),
                    McpHttp.request(5, "resources/subscribe", sub)).status()).isEqualTo(200);
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Accept", "text/event-stream");
            h.put("Mcp-Session-Id", session);
            h.put("MCP-Protocol-Version", "2025-11-25");
            HttpResponse<InputStream> stream = open(draining.uri(), "GET", h, null);
            BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
            String primed = in.readLine();
            assertThat(primed).startsWith("id: g");
            String lastEventId = primed.substring(4);

            draining.drain(java.time.Duration.ofSeconds(5));
            while (in.readLine() != null) {
                // the draining replica lets go of the stream: its connection ends
            }
            stream.body().close();

            h.put("Last-Event-ID", lastEventId);
            HttpResponse<InputStream> resumed = open(taking.uri(), "GET", h, null);
            assertThat(resumed.statusCode()).isEqualTo(200);
            BufferedReader again = new BufferedReader(new InputStreamReader(resumed.body(), StandardCharsets.UTF_8));
            Thread.sleep(200); // adopted and subscribed to updates

            second.resourceUpdated("test://counter");

            List<String[]> got = read(again, e -> e.getLast()[1].contains("resources/updated"));
            assertThat(got.getLast()[0]).as("the same stream, carried on").startsWith(lastEventId.substring(0,
                    lastEventId.indexOf('_') + 1));
            resumed.body().close();
        } finally {
            taking.close();
        }
    }
}
