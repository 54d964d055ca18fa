package dev.mcpwarden.cli;

import dev.mcpwarden.examples.sample.SampleServer;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.telemetry.AdminOptions;
import dev.mcpwarden.telemetry.AdminServer;
import dev.mcpwarden.telemetry.Telemetry;
import dev.mcpwarden.telemetry.TelemetryConfig;
import dev.mcpwarden.telemetry.TelemetryOptions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command's telemetry is, from its admin-port flags and the standard {@code OTEL_*} variables: metrics when
 * an admin port is asked for (or {@code OTEL_METRICS_EXPORTER} names an exporter), traces when an OTLP endpoint or
 * {@code OTEL_TRACES_EXPORTER} is set; none of it otherwise, and then nothing is built (off costs nothing).
 */
final class CliTelemetry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CliTelemetry.class);

    private final Telemetry telemetry;
    private final AdminPortOptions admin;
    private AdminServer server;

    private CliTelemetry(Telemetry telemetry, AdminPortOptions admin) {
        this.telemetry = telemetry;
        this.admin = admin;
    }

    /** No telemetry and no admin port. */
    static CliTelemetry off() {
        return new CliTelemetry(null, new AdminPortOptions());
    }

    static CliTelemetry of(AdminPortOptions admin, String serviceName) {
        return of(admin, serviceName, System.getenv(), null);
    }

    /** With the configuration file's {@code telemetry} section ({@code file}, or null), the flags winning. */
    static CliTelemetry of(AdminPortOptions admin, TelemetryConfig file) {
        return of(admin, file.options().serviceName(), System.getenv(), file);
    }

    static CliTelemetry of(AdminPortOptions flags, String serviceName, Map<String, String> env, TelemetryConfig file) {
        AdminPortOptions admin = flags;
        if (flags.adminPort == null && file != null && file.admin().isPresent()) {
            admin = new AdminPortOptions();
            admin.adminPort = file.admin().get().port();
            admin.adminHost = file.admin().get().host();
        }
        TelemetryOptions options = options(admin.adminPort != null, serviceName, env);
        if (file != null && !"true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "false"))) {
            TelemetryOptions f = file.options();
            boolean metrics = options.metrics() || f.metrics();
            options = new TelemetryOptions(env.getOrDefault("OTEL_SERVICE_NAME", f.serviceName()),
                    options.traces() || f.traces() && !"none".equalsIgnoreCase(env.getOrDefault(
                            "OTEL_TRACES_EXPORTER", "")), f.sampleRatio(), metrics,
                    metrics && (options.otlpMetrics() || f.otlpMetrics()), f.otlpEndpoint());
        }
        if (!options.enabled()) {
            return new CliTelemetry(null, admin);
        }
        Telemetry t = Telemetry.create(options);
        LOG.info("telemetry: traces {}{}, metrics {}", options.traces() ? "on" : "off",
                options.traces() ? " (sampled " + options.sampleRatio() + " unless OTEL_TRACES_SAMPLER_ARG says)" : "",
                options.metrics() ? "on" : "off");
        return new CliTelemetry(t, admin);
    }

    /** The options the flags and the environment ask for. */
    static TelemetryOptions options(boolean adminPort, String serviceName, Map<String, String> env) {
        if ("true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "false"))) {
            return TelemetryOptions.off();
        }
        boolean traces = named(env.get("OTEL_TRACES_EXPORTER")) || env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
                || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        if ("none".equalsIgnoreCase(env.getOrDefault("OTEL_TRACES_EXPORTER", ""))) {
            traces = false;
        }
        boolean otlpMetrics = named(env.get("OTEL_METRICS_EXPORTER"));
        boolean metrics = adminPort || otlpMetrics;
        return new TelemetryOptions(env.getOrDefault("OTEL_SERVICE_NAME", serviceName), traces,
                TelemetryOptions.DEFAULT_SAMPLE_RATIO, metrics, otlpMetrics, Optional.empty());
    }

    private static boolean named(String exporter) {
        return exporter != null && !exporter.isBlank() && !"none".equals(exporter.toLowerCase(Locale.ROOT).trim());
    }

    /** The telemetry, or null when it is off. */
    Telemetry telemetry() {
        return telemetry;
    }

    /** {@code deployment} with the telemetry listening to its event stream and integrity gate (as is when off). */
    SampleServer.Deployment apply(SampleServer.Deployment deployment) {
        if (telemetry == null) {
            return deployment;
        }
        return deployment.withControls(c -> c.listener(telemetry.listener()), telemetry.integrityListener());
    }

    /**
     * Serves the admin port for {@code http}, if one was asked for; prints where.
     *
     * @throws IllegalStateException when the port cannot be bound
     */
    void serveAdmin(HttpTransport http, java.io.PrintStream out) {
        if (admin.adminPort == null) {
            return;
        }
        AdminServer.Builder b = AdminServer.builder(new AdminOptions(admin.adminHost, admin.adminPort));
        if (http != null) {
            b.health(http);
        }
        if (telemetry != null) {
            b.metrics(telemetry);
        }
        server = b.start();
        out.println("admin port: " + server.uri() + AdminServer.METRICS_PATH + " (and /healthz, /readyz)");
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (telemetry != null) {
            telemetry.close();
        }
    }
}
