package dev.mcpwarden.cli;

import dev.mcpwarden.telemetry.AdminOptions;
import dev.mcpwarden.telemetry.AdminServer;
import dev.mcpwarden.telemetry.Telemetry;
import dev.mcpwarden.telemetry.TelemetryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Optional;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Telemetry for {@code warden bench-server --telemetry}: traces sampled at 10% and metrics, with the admin port
 * serving {@code /metrics} and an OTLP/HTTP sink that reads and discards what is exported, so the benchmark pays
 * for making, batching, encoding and sending spans as it would to a collector (and for receiving them, on the same
 * CPU: an overestimate).
 */
record BenchTelemetry(Telemetry telemetry, AdminServer admin) implements AutoCloseable {

    /** Reads an OTLP export and answers 200 with an empty (default) response message. */
    private static final Handler SINK = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Content.Source.consumeAll(request, Callback.from(() -> {
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/x-protobuf");
                response.write(true, null, callback);
            }, callback::failed));
            return true;
        }
    };

    static BenchTelemetry start(int adminPort) {
        int port = adminPort != 0 ? adminPort : freePort();
        String collector = System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
        Telemetry t = Telemetry.create(new TelemetryOptions("warden-bench", true,
                TelemetryOptions.DEFAULT_SAMPLE_RATIO, true, false,
                Optional.of(URI.create(collector != null ? collector : "http://127.0.0.1:" + port))));
        try {
            return new BenchTelemetry(t, AdminServer.builder(AdminOptions.loopback(port)).metrics(t)
                    .route("/v1/*", SINK).start());
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        telemetry.close();
        admin.close();
    }
}
