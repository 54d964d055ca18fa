package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.auth.Access;
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
    private final Outbound outbound;
    private volatile boolean cancelled;
    private volatile Thread worker;
    private volatile Principal principal = Principal.ANONYMOUS;
    private volatile Access access = Access.OPEN;
    private volatile String remoteAddress;

    public Call(JsonRpcMessage.Request request, ProtocolVersion version, Session session,
                ObjectNode clientCapabilities, LogLevel requestLogLevel, Outbound outbound) {
        this.request = request;
        this.version = version;
        this.session = session;
        this.clientCapabilities = clientCapabilities == null ? Json.object() : clientCapabilities;
        this.requestLogLevel = requestLogLevel;
        this.outbound = outbound;
    }

    public JsonRpcMessage.Request request() {
        return request;
    }

    public String method() {
        return request.method();
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

    /** Who made the request ({@link Principal#ANONYMOUS} where nothing authenticates). */
    public Principal principal() {
        return principal;
    }

    public void principal(Principal p) {
        this.principal = java.util.Objects.requireNonNull(p, "principal");
    }

    /** Who made the request, as a stable key; bound into sealed request state and sessions. */
    public String principalKey() {
        return principal.key();
    }

    /** The client's network address (HTTP), or null (stdio). */
    public String remoteAddress() {
        return remoteAddress;
    }

    public void remoteAddress(String address) {
        this.remoteAddress = address;
    }

    /** What this request may reach; lists are filtered by it. */
    public Access access() {
        return access;
    }

    /** Sets what this request may reach (stages that know the caller call this). */
    public void access(Access a) {
        this.access = java.util.Objects.requireNonNull(a, "access");
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

    void worker(Thread t) {
        this.worker = t;
    }
}
