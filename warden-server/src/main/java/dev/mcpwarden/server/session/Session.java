package dev.mcpwarden.server.session;

import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A 2025-era session: what {@code initialize} negotiated, the client's log level and resource subscriptions (its
 * durable {@link State}, which a shared store keeps for every replica), and what lives only in the process serving
 * it: the requests in flight in both directions and the standalone GET stream.
 */
public final class Session {

    /** The most resources one session may subscribe to; each is kept, and written through to a shared store. */
    public static final int MAX_SUBSCRIPTIONS = 1024;

    /**
     * What a session is beyond one process: enough for any replica to serve it.
     *
     * @param principalKey  the principal that created it; every later request must come from the same one
     * @param subscriptions resource URIs the client subscribed to
     */
    public record State(String id, ProtocolVersion version, ObjectNode clientCapabilities, JsonNode clientInfo,
                        String principalKey, LogLevel logLevel, boolean initialized, Set<String> subscriptions) {
        public State {
            java.util.Objects.requireNonNull(id, "id");
            java.util.Objects.requireNonNull(version, "version");
            java.util.Objects.requireNonNull(principalKey, "principalKey");
            java.util.Objects.requireNonNull(logLevel, "logLevel");
            subscriptions = Set.copyOf(subscriptions);
        }
    }

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
    /** Names this process: the replica a client's answer to a server request belongs to. */
    private static final String PROCESS = Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);
    private static final java.util.regex.Pattern REQUEST_ID =
            java.util.regex.Pattern.compile("warden-([0-9a-z]{1,13})-[0-9a-z]{1,13}-[0-9]{1,19}");
    /** Names this object's server-to-client requests apart from another copy's (an earlier one, or a replica's). */
    private final String copy = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1, 36);
    private volatile String requestIdPrefix = "warden-" + PROCESS + "-" + copy + "-";
    private volatile Object standaloneStream;
    private volatile BiConsumer<Session, Change> onChange = (s, c) -> { };

    public Session(String id, ProtocolVersion version, ObjectNode clientCapabilities, JsonNode clientInfo,
                   String principalKey, Instant now) {
        this.id = id;
        this.version = version;
        this.clientCapabilities = clientCapabilities;
        this.clientInfo = clientInfo;
        this.principalKey = principalKey;
        this.lastSeen = now;
    }

    /** One change of a session's durable state, as a shared store writes it through. */
    public sealed interface Change {
        /** The client set its log level. */
        record LevelSet(LogLevel level) implements Change {
        }

        /** The client sent {@code notifications/initialized}. */
        record Initialized() implements Change {
        }

        record Subscribed(String uri) implements Change {
        }

        record Unsubscribed(String uri) implements Change {
        }
    }

    /** A session rebuilt from its durable state, e.g. on a replica that did not create it. */
    public static Session restore(State state, Instant now) {
        Session s = new Session(state.id(), state.version(), state.clientCapabilities(), state.clientInfo(),
                state.principalKey(), now);
        s.refresh(state);
        return s;
    }

    /** The durable state now. */
    public State state() {
        return new State(id, version, clientCapabilities, clientInfo, principalKey, logLevel, initialized,
                subscriptions);
    }

    /** Takes the mutable durable fields from {@code state} (another replica may have changed them). */
    public void refresh(State state) {
        this.logLevel = state.logLevel();
        this.initialized = state.initialized();
        subscriptions.retainAll(state.subscriptions());
        subscriptions.addAll(state.subscriptions());
    }

    /**
     * Called after each change of the durable state (log level, initialization, subscriptions), so a shared store
     * can write it through. One listener; set by the store that holds the session.
     */
    public void onChange(BiConsumer<Session, Change> listener) {
        this.onChange = java.util.Objects.requireNonNull(listener, "listener");
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
        onChange.accept(this, new Change.LevelSet(level));
    }

    public boolean initialized() {
        return initialized;
    }

    public void markInitialized() {
        if (!initialized) {
            initialized = true;
            onChange.accept(this, new Change.Initialized());
        }
    }

    public Instant lastSeen() {
        return lastSeen;
    }

    public void touch(Instant now) {
        lastSeen = now;
    }

    /** The resources subscribed to, as a snapshot. */
    public Set<String> subscriptions() {
        return Set.copyOf(subscriptions);
    }

    public boolean subscribed(String uri) {
        return subscriptions.contains(uri);
    }

    /**
     * Subscribes to {@code uri}; false when the session already holds {@link #MAX_SUBSCRIPTIONS} others (nothing
     * changes then).
     */
    public boolean subscribe(String uri) {
        if (subscriptions.contains(uri)) {
            return true;
        }
        if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            return false;
        }
        if (subscriptions.add(uri)) {
            onChange.accept(this, new Change.Subscribed(uri));
        }
        return true;
    }

    public void unsubscribe(String uri) {
        if (subscriptions.remove(uri)) {
            onChange.accept(this, new Change.Unsubscribed(uri));
        }
    }

    /** This process's tag in the ids of its server-to-client requests (unless a store gives another). */
    public static String processTag() {
        return PROCESS;
    }

    /**
     * Names the replica that serves this copy in the ids of its server-to-client requests, so that a client's answer
     * reaching another replica is passed back to this one: 1 to 13 lower-case letters and digits. Set by a shared
     * store before the session is used.
     */
    public void origin(String tag) {
        if (!tag.matches("[0-9a-z]{1,13}")) {
            throw new IllegalArgumentException("an origin tag is 1 to 13 lower-case letters and digits: " + tag);
        }
        this.requestIdPrefix = "warden-" + tag + "-" + copy + "-";
    }

    /** The origin tag of whoever sent a server-to-client request, from its id; empty for an id Warden never made. */
    public static java.util.Optional<String> processOf(String requestId) {
        java.util.regex.Matcher m = requestId == null ? null : REQUEST_ID.matcher(requestId);
        return m != null && m.matches() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
    }

    /** A fresh id for a server-to-client request, unique within the session across replicas. */
    public String nextServerRequestId() {
        return requestIdPrefix + serverRequestIds.incrementAndGet();
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
