package dev.mcpwarden.telemetry;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * What telemetry a server sends and where (the {@code telemetry} section of {@code warden.yaml}). Anything left unset
 * here may still come from the standard {@code OTEL_*} environment variables (or {@code otel.*} system properties),
 * which win over these values: {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_TRACES_SAMPLER_ARG},
 * {@code OTEL_SERVICE_NAME}, {@code OTEL_RESOURCE_ATTRIBUTES}, headers, timeouts and the rest.
 *
 * @param serviceName  {@code service.name} of every span and metric
 * @param traces       whether spans are made and exported over OTLP
 * @param sampleRatio  the share of traces started here that are sampled (0 to 1); a request whose caller sampled it
 *                     (or not) follows its caller
 * @param metrics      whether metrics are kept (on {@code /metrics} of the admin port) and exported over OTLP
 * @param otlpMetrics  whether metrics are also pushed over OTLP (besides the Prometheus endpoint)
 * @param otlpEndpoint the OTLP/HTTP endpoint (e.g. {@code http://collector:4318}); empty: the SDK's default or
 *                     {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 */
public record TelemetryOptions(String serviceName, boolean traces, double sampleRatio, boolean metrics,
                               boolean otlpMetrics, Optional<URI> otlpEndpoint) {

    /** The default sample ratio: one trace in ten. */
    public static final double DEFAULT_SAMPLE_RATIO = 0.1;

    public TelemetryOptions {
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
        if (serviceName.isBlank()) {
            throw new IllegalArgumentException("the service name must not be blank");
        }
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("the sample ratio must be between 0 and 1, was " + sampleRatio);
        }
        if (otlpMetrics && !metrics) {
            throw new IllegalArgumentException("OTLP metrics need metrics on");
        }
        otlpEndpoint.ifPresent(u -> {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new IllegalArgumentException("the OTLP endpoint must be an http or https URL, was " + u);
            }
        });
    }

    /** No telemetry at all (the default): no SDK is built and nothing is on the request path. */
    public static TelemetryOptions off() {
        return new TelemetryOptions("warden", false, DEFAULT_SAMPLE_RATIO, false, false, Optional.empty());
    }

    /** Metrics only (for the Prometheus endpoint), no traces, nothing pushed. */
    public static TelemetryOptions metricsOnly(String serviceName) {
        return new TelemetryOptions(serviceName, false, DEFAULT_SAMPLE_RATIO, true, false, Optional.empty());
    }

    /** Whether anything is on. */
    public boolean enabled() {
        return traces || metrics;
    }

    public TelemetryOptions withTraces(boolean on, double ratio) {
        return new TelemetryOptions(serviceName, on, ratio, metrics, otlpMetrics, otlpEndpoint);
    }

    public TelemetryOptions withMetrics(boolean on) {
        return new TelemetryOptions(serviceName, traces, sampleRatio, on, on && otlpMetrics, otlpEndpoint);
    }

    public TelemetryOptions withServiceName(String name) {
        return new TelemetryOptions(name, traces, sampleRatio, metrics, otlpMetrics, otlpEndpoint);
    }
}
