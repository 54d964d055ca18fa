package dev.mcpwarden.server.session;

import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A 2025-era session: what {@code initialize} negotiated, the client's log level and resource subscriptions, the
 * requests in flight in both directions, and the standalone GET stream.
 */
public final class Session {

    private final String id;
    private final ProtocolVersion version;
    private final ObjectNode clientCapabilities;
    private final JsonNode clientInfo;
    private final String principalKey;
    private volatile LogLevel logLevel = LogLevel.INFO;
    private volatile boolean initialized;
    private volatile Instant lastSeen;
    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<JsonNode>> pendingClientRequests = new ConcurrentHashMap<>();
    private final Map<JsonNode, Runnable> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong serverRequestIds = new AtomicLong();
    private volatile Object standaloneStream;

    public Session(String id, ProtocolVersion version, ObjectNode clientCapabilities, JsonNode clientInfo,
                   String principalKey, Instant now) {
        this.id = id;
        this.version = version;
        this.clientCapabilities = clientCapabilities;
        this.clientInfo = clientInfo;
        this.principalKey = principalKey;
        this.lastSeen = now;
    }

    public String id() {
        return id;
    }

    public ProtocolVersion version() {
        return version;
    }

    public ObjectNode clientCapabilities() {
        return clientCapabilities;
    }

    public JsonNode clientInfo() {
        return clientInfo;
    }

    /** The principal that created the session; every later request must come from the same one. */
    public String principalKey() {
        return principalKey;
    }

    public LogLevel logLevel() {
        return logLevel;
    }

    public void logLevel(LogLevel level) {
        this.logLevel = level;
    }

    public boolean initialized() {
        return initialized;
    }

    public void markInitialized() {
        initialized = true;
    }

    public Instant lastSeen() {
        return lastSeen;
    }

    public void touch(Instant now) {
        lastSeen = now;
    }

    public Set<String> subscriptions() {
        return subscriptions;
    }

    /** A fresh id for a server-to-client request, unique within the session. */
    public String nextServerRequestId() {
        return "warden-" + serverRequestIds.incrementAndGet();
    }

    public Map<String, CompletableFuture<JsonNode>> pendingClientRequests() {
        return pendingClientRequests;
    }

    /** Cancellers of the client's requests in flight, by JSON-RPC id. */
    public Map<JsonNode, Runnable> inFlight() {
        return inFlight;
    }

    /** The transport's standalone (GET) stream, if one is open. */
    public Object standaloneStream() {
        return standaloneStream;
    }

    public void standaloneStream(Object stream) {
        this.standaloneStream = stream;
    }

    /** Fails everything still waiting on the client; called when the session ends. */
    public void close() {
        pendingClientRequests.values().forEach(f -> f.cancel(true));
        pendingClientRequests.clear();
        inFlight.values().forEach(Runnable::run);
        inFlight.clear();
    }
}
