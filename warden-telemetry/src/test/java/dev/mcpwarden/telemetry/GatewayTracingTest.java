package dev.mcpwarden.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.gateway.Gateway;
import dev.mcpwarden.gateway.UpstreamConfig;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.events.TraceContext;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.Ports;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * A gateway passes the trace on to its upstream, in {@code params._meta} and (over HTTP) in the {@code traceparent}
 * header: the upstream's server span is a child of the gateway's backend span, in the caller's trace.
 */
class GatewayTracingTest {

    static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
    final Telemetry telemetry = Telemetry.of(sdk, null, true, false);
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        sdk.close();
    }

    <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    @Test
    void theUpstreamsSpanIsAChildOfTheGatewaysBackendSpanThroughMetaAndHeader() throws Exception {
        AtomicReference<TraceContext> header = new AtomicReference<>();
        AtomicReference<String> meta = new AtomicReference<>();
        McpServer upstream = McpServer.builder("upstream", "1")
                .controls(Controls.builder().insecureWithoutAuthentication().listener(telemetry.listener()).build())
                .stage(Position.Slot.BEFORE_BACKEND, (call, chain) -> {
                    header.set(call.attribute(Call.HTTP_TRACE_CONTEXT));
                    meta.set(call.params().path("_meta").path("traceparent").asString(null));
                    return chain.proceed(call);
                })
                .tool(Tool.builder("echo").description("echoes").handler(ctx -> ToolResult.text("hi")).build())
                .build();
        HttpTransport up = keep(upstream.serveHttp(HttpOptions.loopback(Ports.free())));
        Gateway gateway = keep(Gateway.connect(List.of(UpstreamConfig.of("a", UpstreamConfig.Http.of(up.uri())))));
        McpServer front = McpServer.builder("gw", "1").backend(gateway.backend())
                .controls(Controls.builder().insecureWithoutAuthentication().listener(telemetry.listener()).build())
                .build();
        HttpTransport gw = keep(front.serveHttp(HttpOptions.loopback(Ports.free())));
        McpClient client = keep(McpClient.http(gw.uri()).era(McpClient.Era.MODERN).build());
        spans.reset(); // what connecting listed

        ObjectNode p = Json.object();
        p.put("name", "echo");
        p.putObject("arguments");
        p.putObject("_meta").put("traceparent", "00-" + CALLER_TRACE + "-00f067aa0ba902b7-01");
        assertThat(client.request("tools/call", p).path("content").path(0).path("text").asString()).isEqualTo("hi");

        List<SpanData> all = spans.getFinishedSpanItems();
        List<SpanData> servers = all.stream().filter(s -> s.getKind() == SpanKind.SERVER
                && s.getName().equals("tools/call echo")).toList();
        assertThat(servers).hasSize(2);
        SpanData gatewaySpan = servers.stream().filter(s -> s.getParentSpanId().equals("00f067aa0ba902b7"))
                .findFirst().orElseThrow();
        SpanData backend = all.stream().filter(s -> s.getName().equals("backend")
                && s.getParentSpanId().equals(gatewaySpan.getSpanId())).findFirst().orElseThrow();
        SpanData upstreamSpan = servers.stream().filter(s -> s != gatewaySpan).findFirst().orElseThrow();
        assertThat(upstreamSpan.getTraceId()).isEqualTo(CALLER_TRACE);
        assertThat(upstreamSpan.getParentSpanId()).isEqualTo(backend.getSpanId());
        String expected = "00-" + CALLER_TRACE + "-" + backend.getSpanId() + "-01";
        assertThat(meta.get()).isEqualTo(expected);
        assertThat(header.get()).isEqualTo(new TraceContext(expected, null));
    }
}
