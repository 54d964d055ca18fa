package dev.mcpwarden.telemetry;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code telemetry} section of {@code warden.yaml}: what is sent ({@link TelemetryOptions}) and the admin port,
 * if any ({@link AdminOptions}). Absent, everything is off and no admin port is served.
 *
 * @param options what telemetry is kept and exported
 * @param admin   the admin port ({@code /metrics}, {@code /healthz}, {@code /readyz}); empty for none
 */
public record TelemetryConfig(TelemetryOptions options, Optional<AdminOptions> admin) {

    public TelemetryConfig {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(admin, "admin");
        if (admin.isPresent() && !options.metrics()) {
            // an admin port without metrics would serve /metrics empty: say so rather than surprise
            throw new IllegalArgumentException("an admin port serves metrics: set metrics: true (or leave it out)");
        }
    }

    /** Nothing: no SDK, no admin port. */
    public static TelemetryConfig off() {
        return new TelemetryConfig(TelemetryOptions.off(), Optional.empty());
    }
}
