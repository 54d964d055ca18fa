package dev.mcpwarden.server.http;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcError;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpService;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.pipeline.Pipeline;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.session.EventStore;
import dev.mcpwarden.server.session.SessionStore;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streamable HTTP on Jetty 12 core handlers. Every request first runs the HTTP-level stages (Host/Origin, content
 * negotiation, authentication), then the MCP endpoint. One place turns any refusal into its HTTP status and JSON-RPC
 * error body.
 *
 * <p>Each request runs on its own virtual thread, except a 2026-07-28 request that nothing on its path can block:
 * its body has arrived, its token was verified before, no stage may block and the dispatcher answers from memory or
 * the tool promised {@link dev.mcpwarden.server.tool.Tool.Builder#nonBlocking()}. That one runs on the I/O thread
 * that read it, which saves two thread switches per request.
 */
public final class HttpTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

    /** Jetty's setting for how many object references share a cache line (it pads its queues by it). */
    static final String REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static {
        // Unless told, Jetty finds out whether references are compressed by starting the platform MBean server,
        // which costs a twentieth of a second of every start on one core. The answer only sizes padding against
        // false sharing: compressed (4-byte) references below a 32 GB heap, as HotSpot does by default.
        if (System.getProperty(REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(REFERENCES_PER_CACHE_LINE,
                    Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024 ? "16" : "8");
        }
    }

    private final HttpOptions options;
    private final Server jetty;
    private final ServerConnector connector;
    private final JsonRpcCodec codec;
    private final Pipeline<HttpExchange, Void> pipeline;
    private final Map<String, JsonRoute> routes;
    private final Map<String, Handler> mounts;
    private final HostOriginStage hostOrigin;
    private final McpService server;
    private final Authenticator authenticator;
    private final boolean stagesMayBlock;
    private final java.util.concurrent.ExecutorService requestThreads;
    private final McpEndpoint endpoint;
    private final Map<String, java.util.function.BooleanSupplier> readiness;
    private final Map<String, java.util.function.Supplier<String>> reports;
    private final BodyIntake intake;
    private volatile boolean draining;
    private volatile boolean refusing;
    /** How long a draining replica keeps serving after it reports "draining" (load balancers check every second or two). */
    static final java.time.Duration DRAIN_NOTICE = java.time.Duration.ofSeconds(2);

    /** Serves {@code server} with the controls it was built with ({@code McpServer.Builder.controls}). */
    public HttpTransport(McpService server, HttpOptions options) {
        this(builder(server, options));
    }

    private HttpTransport(Builder b) {
        McpService server = b.server;
        HttpOptions options = b.options;
        this.options = options;
        this.server = server;
        this.intake = new BodyIntake(b.limits);
        Controls controls = requireControls(server.controls());
        this.authenticator = controls.authenticator();
        Map<String, JsonRoute> allRoutes = new java.util.LinkedHashMap<>(controls.routes());
        allRoutes.putAll(b.routes);
        allRoutes.keySet().forEach(path -> {
            if (path.equals(options.path())) {
                throw new IllegalArgumentException("route " + path + " would hide the MCP endpoint");
            }
        });
        this.routes = Map.copyOf(allRoutes);
        this.mounts = Map.copyOf(b.mounts);
        this.codec = new JsonRpcCodec(Json.withMaxDepth(options.maxJsonDepth()));
        this.readiness = Map.copyOf(b.readiness);
        Map<String, java.util.function.Supplier<String>> allReports = new java.util.LinkedHashMap<>(controls.reports());
        allReports.putAll(b.reports);
        this.reports = Map.copyOf(allReports);
        McpEndpoint endpoint = new McpEndpoint(server, options, codec,
                b.sessions != null ? b.sessions
                        : SessionStore.inMemory(options.maxSessions(), options.sessionIdle(), server.clock()),
                b.events != null ? b.events : EventStore.inMemory(options.eventsPerSession()), b.limits);
        this.hostOrigin = new HostOriginStage(options.allowedHosts(), options.allowedOrigins());
        List<Stage<HttpExchange, Void>> stages = httpStages(options, codec, hostOrigin, controls);
        this.stagesMayBlock = stages.stream().anyMatch(Stage::mayBlock);
        this.pipeline = Pipeline.of(stages, endpoint::handle);
        this.endpoint = endpoint;
        this.requestThreads = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("warden-req-", 0).factory());
        this.jetty = new Server(jettyThreads(requestThreads));
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        // No per-connection header cache: bearer tokens (~1 KB, different per client) overflow and thrash it, and a
        // cache per connection costs memory; well-known header names still come from Jetty's static cache.
        config.setHeaderCacheSize(0);
        this.connector = new ServerConnector(jetty, new HttpConnectionFactory(config));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(Math.max(60_000, options.keepAlive().toMillis() * 4));
        jetty.addConnector(connector);
        Endpoint endpoint0 = new Endpoint();
        jetty.setHandler(endpoint0);
        for (Handler h : mounts.values()) {
            h.setServer(jetty);
            endpoint0.addBean(h, true);
        }
        warnIfExposed(options, authenticator);
    }

    /** Starts describing an HTTP transport for {@code server}. */
    public static Builder builder(McpService server, HttpOptions options) {
        return new Builder(server, options);
    }

    /** Builds an {@link HttpTransport}: authentication and extra documents served beside the endpoint. */
    public static final class Builder {
        private final McpService server;
        private final HttpOptions options;
        private final Map<String, JsonRoute> routes = new java.util.LinkedHashMap<>();
        private final Map<String, Handler> mounts = new java.util.LinkedHashMap<>();
        private SessionStore sessions;
        private EventStore events;
        private TransportLimits limits;
        private final Map<String, java.util.function.BooleanSupplier> readiness = new java.util.LinkedHashMap<>();
        private final Map<String, java.util.function.Supplier<String>> reports = new java.util.LinkedHashMap<>();

        private Builder(McpService server, HttpOptions options) {
            this.server = java.util.Objects.requireNonNull(server, "server");
            this.options = java.util.Objects.requireNonNull(options, "options");
            this.limits = options.limits();
        }

        /** Serves a JSON document with GET at {@code path} (e.g. OAuth metadata). */
        public Builder route(String path, JsonRoute route) {
            if (path.equals(options.path())) {
                throw new IllegalArgumentException("route " + path + " would hide the MCP endpoint");
            }
            routes.put(path, route);
            return this;
        }

        /**
         * Serves every path equal to {@code prefix} or below it ({@code prefix + "/..."}) with {@code handler}, beside
         * the MCP endpoint on the same port (e.g. an embedded authorization server). The handler sees the request
         * after the security headers are set and may replace them (an HTML page needs its own policy). Mounted
         * handlers do their own Host/Origin checks.
         */
        public Builder mount(String prefix, Handler handler) {
            java.util.Objects.requireNonNull(handler, "handler");
            if (!prefix.startsWith("/") || (prefix.length() > 1 && prefix.endsWith("/"))) {
                throw new IllegalArgumentException("a mount prefix starts with '/' and has no trailing '/': " + prefix);
            }
            if (options.path().equals(prefix) || options.path().startsWith(prefix + "/")) {
                throw new IllegalArgumentException("mount " + prefix + " would hide the MCP endpoint");
            }
            mounts.put(prefix, handler);
            return this;
        }

        /**
         * Adds a check to {@value #READY_PATH}: while {@code check} is false (Redis does not answer, an issuer's
         * keys cannot be had), the replica is reported not ready, so a load balancer sends its traffic elsewhere.
         * Checks should answer from what they know (a cached state), quickly.
         */
        public Builder readiness(String name, java.util.function.BooleanSupplier check) {
            if (!name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                throw new IllegalArgumentException("a readiness check is named in lower case: " + name);
            }
            readiness.put(name, java.util.Objects.requireNonNull(check, "check"));
            return this;
        }

        /**
         * Adds a line to {@value #READY_PATH} that informs without deciding readiness: the state of something every
         * replica shares alike (upstream servers), which taking one replica out of rotation would not mend. Keep it
         * to counts and states, no names: the endpoint answers without authentication.
         */
        public Builder report(String name, java.util.function.Supplier<String> state) {
            if (!name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                throw new IllegalArgumentException("a readiness report is named in lower case: " + name);
            }
            reports.put(name, java.util.Objects.requireNonNull(state, "state"));
            return this;
        }

        /** The options this transport is built with. */
        public HttpOptions options() {
            return options;
        }

        /**
         * Keeps 2025 sessions in {@code store} instead of this process's memory (bounded by
         * {@link HttpOptions#maxSessions()} and {@link HttpOptions#sessionIdle()}): with a store shared by several
         * replicas, any of them serves any session.
         */
        public Builder sessions(SessionStore store) {
            this.sessions = java.util.Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Keeps the SSE events of 2025 streams in {@code store} instead of this process's memory, so a client
         * resumes with {@code Last-Event-ID} on whichever replica it reaches.
         */
        public Builder events(EventStore store) {
            this.events = java.util.Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * What callers may hold of this transport: body bytes in flight, the slowest body, how often one principal
         * starts, streams and ends sessions (the options' {@link HttpOptions#limits} unless set).
         */
        public Builder limits(TransportLimits limits) {
            this.limits = java.util.Objects.requireNonNull(limits, "limits");
            return this;
        }

        public HttpTransport build() {
            return new HttpTransport(this);
        }

        /** Builds and starts. */
        public HttpTransport start() {
            HttpTransport t = build();
            t.start();
            return t;
        }
    }

    /** The HTTP-level stages at their positions of the recipe ({@link Position}), in the order they run. */
    private static List<Stage<HttpExchange, Void>> httpStages(HttpOptions options, JsonRpcCodec codec,
                                                              HostOriginStage hostOrigin, Controls controls) {
        Map<Position, List<Stage<HttpExchange, Void>>> at = new java.util.EnumMap<>(Position.class);
        if (!controls.events().isEmpty()) {
            at.put(Position.HTTP_EVENTS, List.of(new HttpEventsStage(controls.events())));
        }
        at.put(Position.HOST_ORIGIN, List.of(hostOrigin));
        at.put(Position.CORS, List.of(new CorsStage(options.allowedOrigins())));
        at.put(Position.MEDIA_TYPES, List.of(new MediaTypeStage()));
        if (controls.authenticator() != null) {
            at.put(Position.AUTHENTICATION, List.of(new AuthenticationStage(controls.authenticator(),
                    controls.events(), controls.stageTracer() != null)));
        }
        at.put(Position.BODY_LIMIT, List.of(new BodyLimitStage(options.maxBodyBytes())));
        at.put(Position.STRICT_JSON, List.of(new JsonStage(codec)));
        return Position.layout(at, Position.Level.HTTP);
    }

    /** Serving HTTP without authentication must be asked for by name: forgetting the controls is an error. */
    private static Controls requireControls(Controls controls) {
        if (controls == null) {
            throw new IllegalStateException("no security controls installed: build the server with "
                    + "McpServer.Builder.controls(Security.builder(resourceServer).build()) (see docs/pipeline.md), "
                    + "or, for development only, controls(Controls.insecureWithoutAuthentication())");
        }
        if (controls.authenticator() == null && !controls.isInsecureWithoutAuthentication()) {
            throw new IllegalStateException("the security controls have no authenticator: every request would be "
                    + "anonymous; install one (ResourceServer) or, for development only, ask for "
                    + "insecureWithoutAuthentication() by name");
        }
        return controls;
    }

    private static void warnIfExposed(HttpOptions options, Authenticator authenticator) {
        try {
            InetAddress address = InetAddress.getByName(options.host());
            if (!address.isLoopbackAddress() && options.allowedHosts().isEmpty()) {
                LOG.warn("Listening on {} with no allowed Host names: only loopback Host headers will be accepted; "
                        + "configure the public host name", options.host());
            }
            if (authenticator == null) {
                if (address.isLoopbackAddress()) {
                    LOG.warn("NO AUTHENTICATION (insecureWithoutAuthentication): any local process can call every "
                            + "tool on {}:{}", options.host(), options.port());
                } else {
                    LOG.warn("NO AUTHENTICATION on {}: anyone who can reach this address can call every tool; "
                            + "install an authenticator (see docs/authorization.md)", options.host());
                }
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + options.host(), e);
        }
    }

    /**
     * Starts listening.
     *
     * @throws PortInUseException when another process listens on the address and port already
     * @throws IllegalStateException when HTTP cannot start for another reason
     */
    public void start() {
        try {
            jetty.start();
        } catch (Exception e) {
            stopQuietly();
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof java.net.BindException bind) {
                    throw new PortInUseException(options.host(), options.port(), bind);
                }
            }
            throw new IllegalStateException("could not start HTTP on " + options.host() + ":" + options.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** A failed start leaves Jetty's threads running; they would keep the JVM alive. */
    private void stopQuietly() {
        try {
            jetty.stop();
        } catch (Exception ignored) {
            // already failing to start: the start's error is the one to report
        }
        requestThreads.shutdown();
    }

    /**
     * Drains this transport ({@link #drain}) when the process is told to stop (SIGTERM, Ctrl+C), so that calls in
     * flight are answered rather than cut off; {@link dev.mcpwarden.server.McpServer#serveHttp} does this with
     * {@link #DEFAULT_SHUTDOWN_GRACE}. Closing the transport first cancels it.
     */
    public HttpTransport drainOnShutdown(java.time.Duration grace) {
        java.util.Objects.requireNonNull(grace, "grace");
        synchronized (this) {
            if (shutdownHook != null) {
                shutdownHook.cancel();
            }
            shutdownHook = dev.mcpwarden.server.lifecycle.Shutdown.register(
                    dev.mcpwarden.server.lifecycle.Shutdown.Phase.DRAIN, "http " + options.port(), () -> drain(grace));
        }
        return this;
    }

    /** How long {@link dev.mcpwarden.server.McpServer#serveHttp} lets calls in flight finish when the process is told to stop. */
    public static final java.time.Duration DEFAULT_SHUTDOWN_GRACE = java.time.Duration.ofSeconds(30);

    private dev.mcpwarden.server.lifecycle.Shutdown.Registration shutdownHook;

    /**
     * Stops gracefully: reports not ready at once, refuses new requests (503, {@code Connection: close}), hands
     * every open SSE stream over (clients resume with {@code Last-Event-ID} on another replica sharing the stores),
     * waits up to {@code grace} for the calls in flight to finish, then {@linkplain #close closes}. Returns the
     * number of calls still running when the grace period ended (0: none was cut short).
     */
    public int drain(java.time.Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            // Still serving while the load balancer's next health check sees "draining" and sends traffic elsewhere:
            // a request that arrives meanwhile is served, not refused.
            Thread.sleep(Math.min(DRAIN_NOTICE.toMillis(), grace.toMillis() / 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        refusing = true;
        endpoint.drain();
        try {
            while (endpoint.callsInFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = endpoint.callsInFlight();
        if (left > 0) {
            LOG.warn("{} calls were still running after the shutdown grace period of {}", left, grace);
        }
        close();
        return left;
    }

    /** The liveness endpoint: answers 200 while the process serves HTTP at all. */
    public static final String HEALTH_PATH = "/healthz";
    /** The readiness endpoint: 200 when this replica should get traffic, 503 with the failing checks otherwise. */
    public static final String READY_PATH = "/readyz";

    private void serveHealth(HttpExchange ex, boolean ready) {
        Response response = ex.response();
        if (!"GET".equals(ex.method()) && !"HEAD".equals(ex.method())) {
            writeError(response, ex.callback(), Rejection.methodNotAllowed("Method Not Allowed", "GET, HEAD"));
            return;
        }
        Health health = health(ready);
        response.setStatus(health.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(health.body()), ex.callback());
    }

    /**
     * What a health endpoint answers.
     *
     * @param status 200, or 503 when not ready
     * @param body   the JSON document
     */
    public record Health(int status, byte[] body) {
    }

    /**
     * What {@value #HEALTH_PATH} ({@code ready} false) or {@value #READY_PATH} ({@code ready} true) answers
     * now: also served on the admin port, so checks there see exactly what the load balancer sees.
     */
    public Health health(boolean ready) {
        tools.jackson.databind.node.ObjectNode body = dev.mcpwarden.core.json.Json.object();
        int status = 200;
        if (!ready) {
            body.put("status", "ok");
        } else {
            tools.jackson.databind.node.ObjectNode checks = body.putObject("checks");
            boolean all = !draining;
            for (Map.Entry<String, java.util.function.BooleanSupplier> c : this.readiness.entrySet()) {
                boolean up;
                try {
                    up = c.getValue().getAsBoolean();
                } catch (RuntimeException e) {
                    up = false;
                }
                checks.put(c.getKey(), up ? "up" : "down");
                all &= up;
            }
            if (!reports.isEmpty()) {
                tools.jackson.databind.node.ObjectNode info = body.putObject("info");
                for (Map.Entry<String, java.util.function.Supplier<String>> r : reports.entrySet()) {
                    String state;
                    try {
                        state = r.getValue().get();
                    } catch (RuntimeException e) {
                        state = "unknown";
                    }
                    info.put(r.getKey(), state);
                }
            }
            body.put("status", draining ? "draining" : all ? "ready" : "unready");
            status = all ? 200 : 503;
        }
        return new Health(status, codec.json().bytes(body));
    }

    /** For tests: the SSE streams of 2025 sessions this transport holds now. */
    int liveStreams() {
        return endpoint.liveStreams();
    }

    /** For tests: the body bytes held now by requests whose bodies are being received. */
    long bodyBytesInFlight() {
        return intake.held();
    }

    /** The port actually bound. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The endpoint URL, e.g. {@code http://127.0.0.1:8080/mcp}. */
    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + options.path());
    }

    @Override
    public void close() {
        synchronized (this) {
            if (shutdownHook != null) {
                shutdownHook.cancel();
                shutdownHook = null;
            }
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("error stopping HTTP transport", e);
        }
        endpoint.close();
        requestThreads.shutdown();
    }

    /**
     * Jetty's own threads (acceptor, selectors). From Java 24, where a virtual thread waiting in {@code synchronized}
     * code no longer holds its carrier (JEP 491), they are virtual too: a request that waits for I/O on its virtual
     * thread (a gateway's upstream call, a tool that reads a database) then gives way to Jetty's selector on the same
     * carrier instead of waking platform threads. On one core that takes a forwarded gateway call from about 74 to
     * 44 µs of CPU; requests served on the I/O thread cost the same either way. Before Java 24, pooled platform
     * threads, with the blocking requests on virtual threads of their own.
     */
    static ThreadPool jettyThreads(Executor requestThreads) {
        if (Runtime.version().feature() >= 24) {
            VirtualThreadPool threads = new VirtualThreadPool();
            threads.setName("warden-http");
            return threads;
        }
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("warden-http");
        threads.setVirtualThreadsExecutor(requestThreads);
        return threads;
    }

    public void join() throws InterruptedException {
        jetty.join();
    }

    /**
     * Called by Jetty on its I/O thread: serves the request there when nothing can block, otherwise hands it to a
     * virtual thread.
     */
    private final class Endpoint extends Handler.Abstract {

        Endpoint() {
            super(InvocationType.NON_BLOCKING);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            HttpExchange ex = new HttpExchange(request, response, callback, intake);
            if (runsWithoutBlocking(ex) && ex.readAvailableBody(options.maxBodyBytes())) {
                ex.inline(true);
                try {
                    serve(ex);
                } finally {
                    ex.releaseBody();
                }
            } else {
                ex.holdCompletion();
                requestThreads.execute(() -> {
                    try {
                        serve(ex);
                    } finally {
                        ex.releaseBody();
                        ex.releaseCompletion();
                    }
                });
            }
            return true;
        }

        private void serve(HttpExchange ex) {
            Request request = ex.request();
            Response response = ex.response();
            Callback callback = ex.callback();
            securityHeaders(response);
            String path = Request.getPathInContext(request);
            if (HEALTH_PATH.equals(path) || READY_PATH.equals(path)) {
                serveHealth(ex, READY_PATH.equals(path));
                return;
            }
            JsonRoute route = routes.get(path);
            if (route != null) {
                serveRoute(ex, route);
                return;
            }
            if (!options.path().equals(path)) {
                Handler mounted = mounted(path);
                if (mounted != null) {
                    try {
                        if (mounted.handle(request, response, callback)) {
                            return;
                        }
                    } catch (Exception e) {
                        String errorId = java.util.UUID.randomUUID().toString();
                        LOG.error("mounted handler failed (error id {})", errorId, e);
                        writeError(response, callback, Rejection.internal(errorId));
                        return;
                    }
                }
                writeError(response, callback, Rejection.notFound("Not Found"));
                return;
            }
            if (refusing) {
                // Before any stage: nothing is spent (a DPoP proof, a rate-limit token) on a request refused here,
                // so that the load balancer may send it to another replica as it is.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                closeIfBodyUnread(ex, response);
                writeError(response, callback, Rejection.unavailable(
                        "Service unavailable: this replica is shutting down; retry", 1));
                return;
            }
            try {
                pipeline.run(ex);
            } catch (Rejection r) {
                closeIfBodyUnread(ex, response);
                writeError(response, callback, r);
            } catch (McpError e) {
                closeIfBodyUnread(ex, response);
                writeError(response, callback, Rejection.protocol(e, null, true));
            } catch (RuntimeException e) {
                String errorId = java.util.UUID.randomUUID().toString();
                LOG.error("HTTP request failed (error id {})", errorId, e);
                writeError(response, callback, Rejection.internal(errorId));
            }
        }
    }

    /**
     * Whether nothing on this request's path can block, judged from its head alone: a 2026-07-28 POST to the MCP
     * endpoint (the routing headers name the method and tool, and the endpoint refuses a body that disagrees with
     * them before dispatch), a token the authenticator has at hand, no stage that may block, and a target served
     * from memory or promised non-blocking. The body must also have arrived, which the caller checks last.
     */
    private boolean runsWithoutBlocking(HttpExchange ex) {
        if (stagesMayBlock || !"POST".equals(ex.method())
                || !options.path().equals(Request.getPathInContext(ex.request()))) {
            return false;
        }
        String version = ex.header(McpEndpoint.VERSION_HEADER);
        if (version == null || ProtocolVersion.legacyIds().contains(version)
                || ex.header(McpEndpoint.SESSION_HEADER) != null) {
            return false;
        }
        if (authenticator != null && authenticator.mayBlock(ex.head())) {
            return false;
        }
        return server.runsWithoutBlocking(ex.header(HeaderValidator.METHOD_HEADER),
                ex.header(HeaderValidator.NAME_HEADER));
    }

    /** The mounted handler serving {@code path}: the longest matching prefix. */
    private Handler mounted(String path) {
        if (mounts.isEmpty()) {
            return null;
        }
        Handler best = null;
        int bestLength = -1;
        for (Map.Entry<String, Handler> m : mounts.entrySet()) {
            String p = m.getKey();
            boolean matches = p.equals("/") || path.equals(p) || path.startsWith(p + "/");
            if (matches && p.length() > bestLength) {
                best = m.getValue();
                bestLength = p.length();
            }
        }
        return best;
    }

    /** On every response, errors included: no sniffing, no framing, no referrers, no active content. */
    private static void securityHeaders(Response response) {
        var h = response.getHeaders();
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        h.put("Cross-Origin-Resource-Policy", "same-origin");
    }

    private void serveRoute(HttpExchange ex, JsonRoute route) {
        Request request = ex.request();
        Response response = ex.response();
        Callback callback = ex.callback();
        try {
            hostOrigin.apply(ex, e -> null);
            if (!"GET".equals(request.getMethod())) {
                throw Rejection.methodNotAllowed("Method Not Allowed", "GET");
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=300");
            response.getHeaders().put("Access-Control-Allow-Origin", "*"); // public metadata, no credentials
            response.write(true, ByteBuffer.wrap(codec.json().bytes(route.document())), callback);
        } catch (Rejection r) {
            writeError(response, callback, r);
        }
    }

    /**
     * A request refused before its body was read (Host/Origin, media type, authentication, size) leaves the body on
     * the connection, and Jetty closes it after the answer: say so, so that a keep-alive client opens a new one
     * instead of writing its next request into a closed socket.
     */
    private static void closeIfBodyUnread(HttpExchange ex, Response response) {
        if (!ex.bodyRead() && (ex.request().getLength() != 0) && !response.isCommitted()) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    private void writeError(Response response, Callback callback, Rejection r) {
        if (response.isCommitted()) {
            callback.failed(r);
            return;
        }
        response.setStatus(r.status());
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            response.getHeaders().put(h.getKey(), h.getValue());
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        byte[] body = codec.encode(new JsonRpcMessage.ErrorResponse(r.id(),
                new JsonRpcError(r.code(), r.getMessage(), r.data())));
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
