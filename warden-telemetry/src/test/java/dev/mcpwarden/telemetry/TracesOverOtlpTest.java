package dev.mcpwarden.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Spans of real requests over Streamable HTTP, exported over OTLP/HTTP to a receiver, carry the MCP semantic
 * conventions' names and attributes; a W3C context in {@code params._meta} is the parent.
 */
class TracesOverOtlpTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CALLER_SPAN = "00f067aa0ba902b7";
    static final String HEADER_TRACE = "0af7651916cd43dd8448eb211c80319c";

    OtlpReceiver receiver;
    Telemetry telemetry;
    HttpTransport http;
    McpHttp client;
    String resource;
    final AtomicReference<Map<String, String>> logContext = new AtomicReference<>();

    @BeforeEach
    void serve() throws Exception {
        receiver = new OtlpReceiver();
        telemetry = Telemetry.create(new TelemetryOptions("helpdesk", true, 1.0, true, false,
                Optional.of(receiver.uri())));
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(URI.create(resource),
                        List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("tickets:read")))
                .policy(PolicySet.builder()
                        .allow("callers", "tool:*", "true")
                        .deny("no-deletes", "tool:delete_ticket", "true")
                        .build().asAccessPolicy())
                .build();
        McpServer server = McpServer.builder("helpdesk", "1.0.0")
                .controls(Security.builder(rs).listener(telemetry.listener())
                        .outputGuards(OutputGuardStage.builder().build()).build())
                .tool(Tool.builder("get_weather").description("weather").handler(ctx -> {
                    logContext.set(org.slf4j.MDC.getCopyOfContextMap());
                    return ToolResult.text("sunny");
                }).build())
                .tool(Tool.builder("delete_ticket").description("deletes").handler(ctx -> ToolResult.text("gone"))
                        .build())
                .build();
        http = server.serveHttp(HttpOptions.loopback(port));
        client = new McpHttp(http.uri());
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        telemetry.close();
        receiver.close();
    }

    String token() {
        Map<String, Object> c = ISSUER.claims("alice", resource, "tickets:read");
        c.put("jti", UUID.randomUUID().toString());
        return ISSUER.sign(c);
    }

    McpHttp.Reply call2026(String tool, ObjectNode meta, Map<String, String> extraHeaders) throws Exception {
        return call2026(token(), tool, meta, extraHeaders);
    }

    McpHttp.Reply call2026(String token, String tool, ObjectNode meta, Map<String, String> extraHeaders)
            throws Exception {
        Map<String, String> h = McpHttp.headers2026("tools/call", tool);
        h.put("Authorization", "Bearer " + token);
        h.putAll(extraHeaders);
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.set("arguments", Json.object());
        ObjectNode m = McpHttp.meta2026(null);
        if (meta != null) {
            m.setAll(meta);
        }
        p.set("_meta", m);
        return client.post(h, McpHttp.request(7, "tools/call", p));
    }

    List<Span> awaitSpans(int serverSpans) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            telemetry.flush(5_000);
            List<Span> server = receiver.spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                    .toList();
            if (server.size() >= serverSpans) {
                return List.copyOf(receiver.spans);
            }
            assertThat(System.nanoTime()).as("spans so far: %s", receiver.spans).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static Map<String, String> attributes(Span s) {
        Map<String, String> m = new TreeMap<>();
        for (KeyValue kv : s.getAttributesList()) {
            m.put(kv.getKey(), kv.getValue().getStringValue());
        }
        return m;
    }

    static String hex(com.google.protobuf.ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    @Test
    void aToolCallIsOneServerSpanWithTheConventionsAttributesAndTheMetaContextAsItsParent() throws Exception {
        ObjectNode meta = Json.object();
        meta.put("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
        McpHttp.Reply r = call2026("get_weather", meta,
                Map.of("traceparent", "00-" + HEADER_TRACE + "-b7ad6b7169203331-01"));
        assertThat(r.status()).isEqualTo(200);

        List<Span> spans = awaitSpans(1);
        Span server = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst()
                .orElseThrow();
        assertThat(server.getName()).isEqualTo("tools/call get_weather");
        assertThat(attributes(server)).isEqualTo(new TreeMap<>(Map.of(
                "mcp.method.name", "tools/call",
                "gen_ai.tool.name", "get_weather",
                "gen_ai.operation.name", "execute_tool",
                "jsonrpc.request.id", "7",
                "mcp.protocol.version", "2026-07-28",
                "network.transport", "tcp")));
        assertThat(hex(server.getTraceId())).isEqualTo(CALLER_TRACE);
        assertThat(hex(server.getParentSpanId())).isEqualTo(CALLER_SPAN);
        // the HTTP header's context is not the parent when _meta names one: it is linked
        assertThat(server.getLinksList()).hasSize(1);
        assertThat(hex(server.getLinks(0).getTraceId())).isEqualTo(HEADER_TRACE);
        assertThat(server.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_UNSET);

        // the stages' own work and the tool are children of the request's span
        List<String> children = spans.stream().filter(s -> s.getParentSpanId().equals(server.getSpanId()))
                .map(Span::getName).toList();
        // the token was new to the server: its verification (before the call existed) is the first child
        assertThat(children).containsExactlyInAnyOrder("token-verification", "authorization", "backend",
                "output-guards");
        Span verification = spans.stream().filter(s -> s.getName().equals("token-verification")).findFirst()
                .orElseThrow();
        assertThat(verification.getStartTimeUnixNano()).isEqualTo(server.getStartTimeUnixNano());
        assertThat(verification.getEndTimeUnixNano()).isGreaterThan(verification.getStartTimeUnixNano())
                .isLessThanOrEqualTo(server.getEndTimeUnixNano());
        assertThat(receiver.paths).contains("/v1/traces");
        // what the tool logged names the request's trace and span
        assertThat(logContext.get()).containsEntry("trace_id", CALLER_TRACE)
                .containsEntry("span_id", hex(server.getSpanId()));
    }

    @Test
    void aTokenVerifiedBeforeIsAnsweredFromMemoryAndItsNextRequestHasNoVerificationSpan() throws Exception {
        String token = token();
        assertThat(call2026(token, "get_weather", null, Map.of()).status()).isEqualTo(200);
        assertThat(call2026(token, "get_weather", null, Map.of()).status()).isEqualTo(200);
        List<Span> spans = awaitSpans(2);
        assertThat(spans.stream().filter(s -> s.getName().equals("token-verification")).count()).isEqualTo(1);
    }

    @Test
    void aCallThePolicyRefusesCarriesItsJsonRpcErrorCodeAsErrorTypeAndTheHttpContextAsParent() throws Exception {
        McpHttp.Reply r = call2026("delete_ticket", null,
                Map.of("traceparent", "00-" + HEADER_TRACE + "-b7ad6b7169203331-01"));
        assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32602);

        Span server = awaitSpans(1).stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                .findFirst().orElseThrow();
        assertThat(server.getName()).isEqualTo("tools/call delete_ticket");
        assertThat(attributes(server)).containsEntry("error.type", "-32602")
                .containsEntry("rpc.response.status_code", "-32602")
                .containsEntry("gen_ai.tool.name", "delete_ticket");
        assertThat(server.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(hex(server.getTraceId())).isEqualTo(HEADER_TRACE);
        assertThat(hex(server.getParentSpanId())).isEqualTo("b7ad6b7169203331");
        assertThat(server.getLinksList()).isEmpty();
    }

    @Test
    void aCallInA2025SessionNamesTheSessionAndItsProtocolVersion() throws Exception {
        Map<String, String> h = new java.util.LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        h.put("Authorization", "Bearer " + token());
        ObjectNode init = Json.object();
        init.put("protocolVersion", "2025-11-25");
        init.putObject("capabilities");
        init.putObject("clientInfo").put("name", "t").put("version", "1");
        McpHttp.Reply initialized = client.post(h, McpHttp.request(1, "initialize", init));
        assertThat(initialized.status()).isEqualTo(200);
        String session = initialized.header("Mcp-Session-Id");
        assertThat(session).isNotBlank();
        h.put("Mcp-Session-Id", session);
        h.put("MCP-Protocol-Version", "2025-11-25");
        assertThat(client.post(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").status())
                .isEqualTo(202);
        ObjectNode p = Json.object();
        p.put("name", "get_weather");
        p.set("arguments", Json.object());
        assertThat(client.post(h, McpHttp.request("call-2", "tools/call", p)).status()).isEqualTo(200);

        List<Span> spans = awaitSpans(1);
        Span call = spans.stream().filter(s -> s.getName().equals("tools/call get_weather")).findFirst()
                .orElseThrow();
        assertThat(attributes(call)).containsEntry("mcp.session.id", session)
                .containsEntry("mcp.protocol.version", "2025-11-25")
                .containsEntry("jsonrpc.request.id", "call-2")
                .doesNotContainKey("error.type");
        assertThat(call.getParentSpanId().isEmpty()).isTrue();
    }
}
