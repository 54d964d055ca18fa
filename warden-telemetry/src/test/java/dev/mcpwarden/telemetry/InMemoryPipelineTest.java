package dev.mcpwarden.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.tool.Tool;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import tools.jackson.databind.node.ObjectNode;

/** Telemetry of requests run through the pipeline in memory: labels stay bounded, sampling is honoured. */
class InMemoryPipelineTest {

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    OpenTelemetrySdk sdk;

    @AfterEach
    void close() {
        if (sdk != null) {
            sdk.close();
        }
    }

    McpServer server(Sampler sampler) {
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().setSampler(sampler)
                        .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
        Telemetry telemetry = Telemetry.of(sdk, null, true, true);
        return McpServer.builder("s", "1")
                .controls(Controls.builder().insecureWithoutAuthentication().listener(telemetry.listener()).build())
                .tool(Tool.builder("search").description("searches").handler(ctx -> ToolResult.text("found")).build())
                .build();
    }

    static Call call(String method, String tool, String traceparent) {
        ObjectNode p = Json.object();
        if (tool != null) {
            p.put("name", tool);
            p.putObject("arguments");
        }
        ObjectNode meta = p.putObject("_meta");
        if (traceparent != null) {
            meta.put("traceparent", traceparent);
        }
        return new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(1), method, p),
                ProtocolVersion.V2026_07_28, null, Json.object(), null, Outbound.NONE);
    }

    List<HistogramPointData> durations() {
        return metrics.collectAllMetrics().stream().filter(m -> m.getName().equals("mcp.server.operation.duration"))
                .map(MetricData::getHistogramData).flatMap(h -> h.getPoints().stream()).toList();
    }

    @Test
    void toolNamesAClientMakesUpNeverBecomeLabelsOnlyAnsweredOnesDo() {
        McpServer server = server(Sampler.alwaysOn());
        for (int i = 0; i < 1_000; i++) {
            Call c = call("tools/call", "no_such_tool_" + i, null);
            assertThat(catchThrowable(() -> server.handle(c))).hasMessage("Unknown tool: no_such_tool_" + i);
        }
        server.handle(call("tools/call", "search", null));
        List<HistogramPointData> points = durations();
        Set<String> tools = points.stream().map(p -> String.valueOf(p.getAttributes()
                .get(AttributeKey.stringKey("gen_ai.tool.name")))).collect(Collectors.toSet());
        assertThat(tools).containsExactlyInAnyOrder("null", "search");
        assertThat(points).hasSize(2);
        assertThat(points.stream().mapToLong(HistogramPointData::getCount).sum()).isEqualTo(1_001);
    }

    @Test
    void aMethodOutsideTheProtocolIsNamedOtherAndNeverEchoed() {
        McpServer server = server(Sampler.alwaysOn());
        for (int i = 0; i < 50; i++) {
            Call c = call("x/made-up-" + i, null, null);
            catchThrowable(() -> server.handle(c));
        }
        assertThat(durations()).extracting(p -> p.getAttributes().get(AttributeKey.stringKey("mcp.method.name")))
                .containsOnly("_OTHER");
        assertThat(spans.getFinishedSpanItems()).extracting(s -> s.getName()).containsOnly("_OTHER", "backend")
                .noneMatch(name -> name.contains("made-up"));
    }

    @Test
    void aCallerThatDidNotSampleItsTraceGetsNoSpansAndTheLogContextIsClearedAfterwards() {
        McpServer server = server(Sampler.parentBased(Sampler.alwaysOn()));
        server.handle(call("tools/call", "search", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
        assertThat(spans.getFinishedSpanItems()).isEmpty();
        server.handle(call("tools/call", "search", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assertThat(spans.getFinishedSpanItems()).extracting(s -> s.getName())
                .containsExactlyInAnyOrder("tools/call search", "backend");
        assertThat(MDC.get("trace_id")).isNull();
        assertThat(MDC.get("span_id")).isNull();
    }

    @Test
    void aMalformedOrOversizedTraceparentInMetaIsIgnoredAndANewTraceStarts() {
        McpServer server = server(Sampler.alwaysOn());
        server.handle(call("tools/call", "search", "00-zzzz-00f067aa0ba902b7-01"));
        server.handle(call("tools/call", "search", "00-" + "a".repeat(600) + "-00f067aa0ba902b7-01"));
        assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getName().equals("tools/call search"))
                .hasSize(2).allSatisfy(s -> assertThat(s.getParentSpanContext().isValid()).isFalse());
    }

    @Test
    void telemetryNeverMakesARequestThatCouldRunOnTheIoThreadMoveToAnother() {
        sdk = OpenTelemetrySdk.builder().build();
        McpServer server = McpServer.builder("s", "1")
                .controls(Controls.builder().insecureWithoutAuthentication()
                        .listener(Telemetry.of(sdk, null, true, true).listener()).build())
                .tool(Tool.builder("fast").description("f").nonBlocking().handler(ctx -> ToolResult.text("ok"))
                        .build())
                .build();
        assertThat(server.runsWithoutBlocking("tools/call", "fast")).isTrue();
    }

    @Test
    void labelValuesAreCappedWhateverTheirSource() {
        BoundedLabels labels = new BoundedLabels(3);
        assertThat(List.of(labels.of("a"), labels.of("b"), labels.of("c"), labels.of("d"), labels.of("a"),
                labels.of("x".repeat(129)), labels.of(null)))
                .containsExactly("a", "b", "c", "_OTHER", "a", "_OTHER", "_OTHER");
    }
}
