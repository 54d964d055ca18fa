package dev.mcpwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.telemetry.AdminOptions;
import dev.mcpwarden.telemetry.TelemetryConfig;
import dev.mcpwarden.telemetry.TelemetryOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code telemetry} section binds to the records the Java API takes, and refuses what makes no sense. */
class TelemetryConfigTest {

    @TempDir
    Path dir;

    WardenConfig.Result check(String telemetry) {
        return WardenConfig.check(WardenConfigTest.MINIMAL + telemetry, "warden.yaml", dir, Map.of());
    }

    List<String> problems(String telemetry) {
        return check(telemetry).problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void withoutTheSectionTelemetryIsOff() {
        TelemetryConfig t = check("").orElseThrow().telemetry();
        assertThat(t.options().enabled()).isFalse();
        assertThat(t.admin()).isEmpty();
        assertThat(t.options().serviceName()).isEqualTo("acme");
    }

    @Test
    void theSectionBindsToTheOptionsAndTheAdminPortOnLoopbackByDefault() {
        TelemetryConfig t = check("""
                telemetry:
                  traces: true
                  sample-ratio: 0.25
                  metrics: true
                  otlp-endpoint: http://collector:4318
                  admin:
                    port: 9464
                """).orElseThrow().telemetry();
        assertThat(t).isEqualTo(new TelemetryConfig(new TelemetryOptions("acme", true, 0.25, true, false,
                Optional.of(URI.create("http://collector:4318"))), Optional.of(AdminOptions.loopback(9464))));
    }

    @Test
    void aRatioAboveOneAnAdminPortWithoutMetricsAndAnUnknownKeyAreProblemsWithTheirPlace() {
        assertThat(problems("telemetry:\n  sample-ratio: 1.5\n")).containsExactly(
                "warden.yaml:10:17: 'telemetry.sample-ratio' must be a number from 0 to 1, was 1.5");
        assertThat(problems("telemetry:\n  admin:\n    port: 9464\n")).containsExactly(
                "warden.yaml:10:3: invalid 'telemetry': an admin port serves metrics: set metrics: true (or leave "
                        + "it out)");
        assertThat(problems("telemetry:\n  tracing: true\n")).containsExactly("warden.yaml:10:3: unknown key "
                + "'tracing' under 'telemetry'; expected one of: service-name, traces, sample-ratio, metrics, "
                + "otlp-metrics, otlp-endpoint, admin");
    }
}
