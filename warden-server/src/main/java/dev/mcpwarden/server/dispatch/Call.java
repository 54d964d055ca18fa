package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.session.Session;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON-RPC request on its way through the MCP-level pipeline: the message, the era and version it arrived
 * in, the client's declared capabilities, and where its notifications go.
 */
public final class Call {

    private final JsonRpcMessage.Request request;
    private final ProtocolVersion version;
    private final Session session;
    private final ObjectNode clientCapabilities;
    private final LogLevel requestLogLevel;
    private final Target target;
    private volatile Outbound outbound;
    private volatile boolean cancelled;
    private volatile Thread worker;
    private boolean inline;
    private volatile Principal principal = Principal.ANONYMOUS;
    private volatile boolean principalSet;
    private volatile String remoteAddress;
    private volatile String correlationId;
    private volatile String presentedToken;

    /** Set by the dispatcher when a tool call's arguments fail the tool's input schema: what was wrong. */
    public static final Attribute<String> SCHEMA_VIOLATION = new Attribute<>("schema-violation", String.class);
    /** Set by a caching backend: {@code hit} when the answer was served from what it kept, else {@code miss}. */
    public static final Attribute<String> CACHE = new Attribute<>("cache", String.class);
    /** Set by a gateway's backend: the name of the upstream the request went to. */
    public static final Attribute<String> UPSTREAM = new Attribute<>("upstream", String.class);
    /**
     * The W3C trace context the HTTP request carried in its {@code traceparent}/{@code tracestate} headers; set by
     * the transport only when it carried one.
     */
    public static final Attribute<dev.mcpwarden.server.events.TraceContext> HTTP_TRACE_CONTEXT =
            new Attribute<>("http-trace-context", dev.mcpwarden.server.events.TraceContext.class);
    /**
     * The W3C trace context a backend passes on to what it calls on the call's behalf (a gateway's upstream, in
     * HTTP headers and {@code params._meta}); set by a tracer, only while tracing the call.
     */
    public static final Attribute<dev.mcpwarden.server.events.TraceContext> OUTGOING_TRACE_CONTEXT =
            new Attribute<>("outgoing-trace-context", dev.mcpwarden.server.events.TraceContext.class);
    /**
     * When verifying the request's credential began and how long it took, when it was not answered from memory (a
     * cache miss); set by the transport only while a tracer is installed.
     */
    public static final Attribute<dev.mcpwarden.server.events.StageTiming> TOKEN_VERIFICATION =
            new Attribute<>("token-verification", dev.mcpwarden.server.events.StageTiming.class);
    private final java.util.Map<Attribute<?>, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>(4);

    /**
     * A typed slot on a call, for stages that cooperate on one request (e.g. the policy stage leaves the rule that
     * allowed a call for the audit stage). Compared by identity: keep each key in a constant.
     *
     * @param name for diagnostics only
     */
    public record Attribute<T>(String name, Class<T> type) {
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    public Call(JsonRpcMessage.Request request, ProtocolVersion version, Session session,
                ObjectNode clientCapabilities, LogLevel requestLogLevel, Outbound outbound) {
        this.request = request;
        this.version = version;
        this.session = session;
        this.clientCapabilities = clientCapabilities == null ? Json.object() : clientCapabilities;
        this.requestLogLevel = requestLogLevel;
        this.outbound = outbound;
        this.target = Target.of(request.method(), request.params());
    }

    public JsonRpcMessage.Request request() {
        return request;
    }

    public String method() {
        return request.method();
    }

    /**
     * What the request reaches (a tool, prompt or resource), parsed once from the message; null for methods that
     * name none. Stages decide on this, never on their own reading of the params.
     */
    public Target target() {
        return target;
    }

    /** The params, never null. */
    public ObjectNode params() {
        return request.params() == null ? Json.object() : request.params();
    }

    public ProtocolVersion version() {
        return version;
    }

    public boolean modern() {
        return version.isModern();
    }

    /** The 2025 session, or null on the 2026 wire. */
    public Session session() {
        return session;
    }

    public ObjectNode clientCapabilities() {
        return clientCapabilities;
    }

    /** The level below which log messages are not sent, or null when none may be sent. */
    public LogLevel logLevel() {
        return session != null ? session.logLevel() : requestLogLevel;
    }

    public JsonNode progressToken() {
        JsonNode meta = params().get("_meta");
        JsonNode token = meta == null ? null : meta.get("progressToken");
        return token == null || token.isNull() ? null : token;
    }

    public Outbound outbound() {
        return outbound;
    }

    /**
     * Replaces where this request's notifications and server-to-client requests go with a decoration of it, so a
     * stage can inspect or rewrite what is streamed (output guards redact progress and log messages). The decorator
     * must forward what it lets through, including {@link Outbound#detachForPolling()}.
     */
    public void decorateOutbound(java.util.function.UnaryOperator<Outbound> decorator) {
        this.outbound = java.util.Objects.requireNonNull(decorator.apply(outbound), "decorated outbound");
    }

    /** Who made the request ({@link Principal#ANONYMOUS} where nothing authenticates). */
    public Principal principal() {
        return principal;
    }

    /** Set once, by the transport that authenticated the request; a second call is a programming error. */
    public void principal(Principal p) {
        java.util.Objects.requireNonNull(p, "principal");
        if (principalSet) {
            throw new IllegalStateException("the principal of a call is set once, by its transport");
        }
        principalSet = true;
        this.principal = p;
    }

    /** Who made the request, as a stable key; bound into sealed request state and sessions. */
    public String principalKey() {
        return principal.key();
    }

    /**
     * The bearer token the caller authenticated with (HTTP), for a backend that exchanges it for one of its own
     * upstream's (RFC 8693 token exchange); null over stdio, for an anonymous caller, or a DPoP-bound token. Never
     * logged, recorded or forwarded as it is.
     */
    public String presentedToken() {
        return presentedToken;
    }

    /** Set once, by the transport that authenticated it; a second call is a programming error. */
    public void presentedToken(String token) {
        java.util.Objects.requireNonNull(token, "token");
        if (presentedToken != null) {
            throw new IllegalStateException("the presented token of a call is set once, by its transport");
        }
        this.presentedToken = token;
    }

    /** The client's network address (HTTP), or null (stdio). */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** Set once, by the transport that read the request; a second call is a programming error. */
    public void remoteAddress(String address) {
        if (remoteAddress != null) {
            throw new IllegalStateException("the remote address of a call is set once, by its transport");
        }
        this.remoteAddress = address;
    }

    /** Ties together everything recorded about this request; transports set it, stdio calls get one on demand. */
    public String correlationId() {
        String id = correlationId;
        if (id == null) {
            id = dev.mcpwarden.server.pipeline.CorrelationIds.next();
            correlationId = id;
        }
        return id;
    }

    /**
     * Set once, by the transport, before anything asks for it: what the audit trail and the telemetry tie together
     * must not change under them.
     */
    public void correlationId(String id) {
        java.util.Objects.requireNonNull(id, "correlationId");
        if (correlationId != null) {
            throw new IllegalStateException("the correlation id of a call is set once, by its transport");
        }
        this.correlationId = id;
    }

    /** The value a stage left under {@code key}, or null. */
    public <T> T attribute(Attribute<T> key) {
        return key.type().cast(attributes.get(key));
    }

    /** Leaves a value for later stages (or, with null, removes it). */
    public <T> void attribute(Attribute<T> key, T value) {
        if (value == null) {
            attributes.remove(key);
        } else {
            attributes.put(key, key.type().cast(value));
        }
    }

    /**
     * Whether the call runs on the transport's I/O thread, because every stage and the handler promised not to
     * block ({@link dev.mcpwarden.server.McpServer#runsWithoutBlocking}). Such a call is never interrupted.
     */
    public boolean inline() {
        return inline;
    }

    /** For transports: the call runs on an I/O thread. */
    public void inline(boolean inline) {
        this.inline = inline;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Marks the call cancelled and interrupts the thread serving it. */
    public void cancel() {
        cancelled = true;
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * The thread serving the call, which {@link #cancel()} interrupts: set by whatever answers it on a thread that
     * may block (the dispatcher, a gateway's backend), never for an {@link #inline()} call.
     */
    public void worker(Thread t) {
        this.worker = t;
    }
}
