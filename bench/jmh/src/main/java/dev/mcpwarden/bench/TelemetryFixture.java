package dev.mcpwarden.bench;

import dev.mcpwarden.telemetry.Telemetry;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Collection;

/** Telemetry as an operator runs it (10% of traces, batched; metrics for Prometheus), exporting nowhere. */
final class TelemetryFixture {

    private TelemetryFixture() {
    }

    static Telemetry telemetry() {
        SpanExporter discard = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        PrometheusMetricReader prometheus = PrometheusMetricReader.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(0.1)))
                        .addSpanProcessor(BatchSpanProcessor.builder(discard).build()).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(prometheus).build())
                .build();
        return Telemetry.of(sdk, prometheus, true, true);
    }
}
