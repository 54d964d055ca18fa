package dev.mcpwarden.telemetry;

import dev.mcpwarden.server.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port: a Jetty server of its own, on loopback by default, apart from the MCP endpoint so that what it
 * serves is never reachable where clients are. It serves {@code /metrics} (Prometheus text format), {@code /healthz}
 * and {@code /readyz} (what the MCP port's endpoints answer), and any further handler mounted with
 * {@link Builder#route} (the console). Everything else is 404; only GET and HEAD are answered.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** The Prometheus endpoint. */
    public static final String METRICS_PATH = "/metrics";

    /** Threads serving the admin port (acceptor and selector included). */
    static final int MAX_THREADS = 8;
    /** Connections open at once; more wait to be accepted. */
    static final int MAX_CONNECTIONS = 32;
    /** Connections idle longer than this are closed. */
    static final long IDLE_TIMEOUT_MILLIS = 30_000;

    private final Server jetty;
    private final ServerConnector connector;
    private final AdminOptions options;

    private AdminServer(Builder b) {
        this.options = b.options;
        // A few threads and a few connections: scrapes and health checks, never a crowd.
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 1);
        threads.setName("warden-admin");
        this.jetty = new Server(threads);
        org.eclipse.jetty.server.HttpConfiguration http = new org.eclipse.jetty.server.HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        this.connector = new ServerConnector(jetty, 1, 1, new org.eclipse.jetty.server.HttpConnectionFactory(http));
        connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        jetty.addBean(new org.eclipse.jetty.server.NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        connector.setHost(options.host());
        connector.setPort(options.port());
        jetty.addConnector(connector);
        PathMappingsHandler paths = new PathMappingsHandler();
        if (b.telemetry != null && b.telemetry.servesPrometheus()) {
            Telemetry t = b.telemetry;
            paths.addMapping(PathSpec.from(METRICS_PATH), new Get(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
                try {
                    t.writePrometheus(out);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return new Body(200, t.prometheusContentType(), out.toByteArray());
            }));
        }
        if (b.health != null) {
            HttpTransport h = b.health;
            paths.addMapping(PathSpec.from(HttpTransport.HEALTH_PATH), new Get(() -> json(h.health(false))));
            paths.addMapping(PathSpec.from(HttpTransport.READY_PATH), new Get(() -> json(h.health(true))));
        }
        b.routes.forEach((spec, handler) -> paths.addMapping(PathSpec.from(spec), handler));
        jetty.setHandler(paths);
        jetty.setErrorHandler((request, response, callback) -> {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.write(true, ByteBuffer.wrap((response.getStatus() + "\n").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), callback);
            return true;
        });
    }

    public static Builder builder(AdminOptions options) {
        return new Builder(options);
    }

    /** The port bound (useful when 0 was asked for). */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port}, without a path. */
    public java.net.URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return java.net.URI.create("http://" + host + ":" + port());
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("error stopping the admin port", e);
        }
    }

    private static Body json(HttpTransport.Health h) {
        return new Body(h.status(), "application/json", h.body());
    }

    private record Body(int status, String contentType, byte[] bytes) {
    }

    /** Answers GET and HEAD with a body computed per request; other methods 405. */
    private static final class Get extends Handler.Abstract {
        private final Supplier<Body> body;

        Get(Supplier<Body> body) {
            this.body = body;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String method = request.getMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                response.setStatus(405);
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                response.write(true, null, callback);
                return true;
            }
            Body b;
            try {
                b = body.get();
            } catch (RuntimeException e) {
                LOG.warn("admin endpoint {} failed", request.getHttpURI().getPath(), e);
                response.setStatus(500);
                response.write(true, null, callback);
                return true;
            }
            response.setStatus(b.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, b.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            response.write(true, "HEAD".equals(method) ? null : ByteBuffer.wrap(b.bytes()), callback);
            return true;
        }
    }

    /** Builds and starts the admin port. */
    public static final class Builder {
        private final AdminOptions options;
        private Telemetry telemetry;
        private HttpTransport health;
        private final Map<String, Handler> routes = new LinkedHashMap<>();

        private Builder(AdminOptions options) {
            this.options = Objects.requireNonNull(options, "options");
        }

        /** Serves {@code telemetry}'s metrics on {@value #METRICS_PATH}. */
        public Builder metrics(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /** Serves {@code /healthz} and {@code /readyz} as {@code transport} answers them on the MCP port. */
        public Builder health(HttpTransport transport) {
            this.health = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Mounts {@code handler} at {@code pathSpec} (a Jetty path spec, e.g. {@code /console/*}): how the console
         * joins the admin port. The handler answers for itself (authentication, CSRF, headers).
         */
        public Builder route(String pathSpec, Handler handler) {
            if (routes.putIfAbsent(Objects.requireNonNull(pathSpec, "pathSpec"),
                    Objects.requireNonNull(handler, "handler")) != null) {
                throw new IllegalStateException("the admin port already serves " + pathSpec);
            }
            return this;
        }

        /**
         * Starts the admin port.
         *
         * @throws IllegalStateException when the port cannot be bound
         */
        public AdminServer start() {
            AdminServer s = new AdminServer(this);
            try {
                s.jetty.start();
            } catch (Exception e) {
                s.close();
                throw new IllegalStateException("cannot serve the admin port on " + options.host() + ":"
                        + options.port() + ": " + e.getMessage(), e);
            }
            if (!options.isLoopback()) {
                LOG.warn("ADMIN PORT ON {}:{}, NOT LOOPBACK: metrics and health are open to whoever reaches it",
                        options.host(), s.port());
            }
            return s;
        }
    }
}
