package dev.mcpwarden.telemetry;

import dev.mcpwarden.security.integrity.IntegrityEvent;
import dev.mcpwarden.server.events.SecurityEventListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * OpenTelemetry traces and metrics of a Warden server or gateway, as a listener of its security event stream, and
 * the text the admin port's {@code /metrics} serves. Built with the OpenTelemetry SDK (no agent) from
 * {@link TelemetryOptions} and the standard {@code OTEL_*} variables; when telemetry is off, do not build one at all:
 * nothing then runs on the request path.
 *
 * <pre>{@code
 * Telemetry telemetry = Telemetry.create(new TelemetryOptions("helpdesk", true, 0.1, true, false, Optional.empty()));
 * Controls controls = Security.from(config, clock).listener(telemetry.listener()).build();
 * AdminServer admin = AdminServer.builder(AdminOptions.loopback(9464)).metrics(telemetry).health(http).start();
 * }</pre>
 *
 * <p>Spans follow the MCP semantic conventions (semantic-conventions-genai v0.1.0); metric names and labels are in
 * {@code docs/observability.md}.
 */
public final class Telemetry implements AutoCloseable {

    /** The instrumentation scope of every span and metric. */
    static final String SCOPE = "dev.mcpwarden";

    private final OpenTelemetrySdk sdk;
    private final PrometheusMetricReader prometheus;
    private final TelemetryListener listener;
    private final McpMetrics metrics;
    private final Meter meter;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private Telemetry(OpenTelemetrySdk sdk, PrometheusMetricReader prometheus, boolean traces, boolean metricsOn) {
        this.sdk = sdk;
        this.prometheus = prometheus;
        OpenTelemetry otel = sdk;
        this.meter = otel.getMeter(SCOPE);
        this.metrics = metricsOn ? new McpMetrics(meter) : null;
        McpTracing tracing = traces ? new McpTracing(otel.getTracer(SCOPE)) : null;
        this.listener = tracing != null ? new TelemetryListener.Traced(tracing, metrics)
                : new TelemetryListener(null, metrics);
    }

    /**
     * Builds the SDK for {@code options}; the standard {@code OTEL_*} environment variables and {@code otel.*} system
     * properties override what the options say (endpoint, sampler, headers, resource).
     *
     * @throws IllegalArgumentException when telemetry is off ({@link TelemetryOptions#enabled()}): build none then
     */
    public static Telemetry create(TelemetryOptions options) {
        Objects.requireNonNull(options, "options");
        if (!options.enabled()) {
            throw new IllegalArgumentException("telemetry is off: build no Telemetry at all");
        }
        PrometheusMetricReader prometheus = options.metrics()
                ? PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build() : null;
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", options.serviceName());
        defaults.put("otel.traces.exporter", options.traces() ? "otlp" : "none");
        defaults.put("otel.metrics.exporter", options.otlpMetrics() ? "otlp" : "none");
        defaults.put("otel.logs.exporter", "none");
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        defaults.put("otel.traces.sampler", "parentbased_traceidratio");
        defaults.put("otel.traces.sampler.arg", Double.toString(options.sampleRatio()));
        options.otlpEndpoint().ifPresent(u -> defaults.put("otel.exporter.otlp.endpoint", u.toString()));
        AutoConfiguredOpenTelemetrySdk auto = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addMeterProviderCustomizer((b, config) -> prometheus == null ? b : b.registerMetricReader(prometheus))
                .disableShutdownHook()
                .build();
        return new Telemetry(auto.getOpenTelemetrySdk(), prometheus, options.traces(), options.metrics());
    }

    /**
     * Telemetry over an SDK built by the caller (its own exporters, readers and sampler). {@code prometheus} is the
     * reader {@code /metrics} serves, registered on the SDK's meter provider, or null for none.
     */
    public static Telemetry of(OpenTelemetrySdk sdk, PrometheusMetricReader prometheus, boolean traces,
                               boolean metrics) {
        return new Telemetry(Objects.requireNonNull(sdk, "sdk"), prometheus, traces, metrics);
    }

    /** The listener to install on the event stream ({@code Security.Builder#listener}); it never blocks. */
    public SecurityEventListener listener() {
        return listener;
    }

    /** What the integrity gate decided (withheld definitions: rug pulls, unpinned, colliding, poisoned). */
    public Consumer<IntegrityEvent> integrityListener() {
        return e -> {
            if (metrics != null) {
                metrics.integrity(e);
            }
        };
    }

    /** Observes the audit log's queue depth ({@code warden.audit.queue.depth}) with {@code depth}. */
    public Telemetry auditQueue(LongSupplier depth) {
        if (metrics != null) {
            metrics.auditQueue(meter, Objects.requireNonNull(depth, "depth"));
        }
        return this;
    }

    /** Observes the gateway's upstream circuits: name to {@code CLOSED}, {@code HALF_OPEN} or {@code OPEN}. */
    public Telemetry upstreamCircuits(Supplier<Map<String, String>> circuits) {
        if (metrics != null) {
            metrics.upstreamCircuits(meter, Objects.requireNonNull(circuits, "circuits"));
        }
        return this;
    }

    /** Whether {@link #writePrometheus} has anything to write. */
    public boolean servesPrometheus() {
        return prometheus != null;
    }

    /** The Prometheus text format's content type. */
    public String prometheusContentType() {
        return writer.getContentType();
    }

    /** Writes the current metrics in the Prometheus text format (what {@code /metrics} serves). */
    public void writePrometheus(OutputStream out) throws IOException {
        if (prometheus == null) {
            return;
        }
        writer.write(out, prometheus.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    /** Exports what is buffered now (spans, pushed metrics), waiting up to {@code timeoutMillis}. */
    public void flush(long timeoutMillis) {
        sdk.getSdkTracerProvider().forceFlush().join(timeoutMillis, TimeUnit.MILLISECONDS);
        sdk.getSdkMeterProvider().forceFlush().join(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Exports what is buffered and stops the SDK. */
    @Override
    public void close() {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
}
