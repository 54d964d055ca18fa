package dev.mcpwarden.gateway;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.security.Secret;
import dev.mcpwarden.server.pipeline.Target;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One connected upstream: its client, and the definitions it listed last, renamed as the gateway serves them. The
 * client is built with the upstream's own credential only; nothing of a caller's request but its params reaches it.
 */
final class Upstream implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    /** More definitions of one kind than any real server lists; a server listing more is refused, not buffered. */
    static final int MAX_DEFINITIONS = 10_000;
    /** The client capabilities whose requests the gateway relays to its callers. */
    private static final ObjectNode RELAYED_CAPABILITIES = dev.mcpwarden.core.json.Json.object();

    static {
        RELAYED_CAPABILITIES.putObject("sampling");
        RELAYED_CAPABILITIES.putObject("elicitation").putObject("form");
        RELAYED_CAPABILITIES.putObject("roots").put("listChanged", true);
    }

    /** A definition as the upstream names it and as the gateway serves it. */
    record Item(String original, String exposed, ObjectNode json) {
    }

    private final UpstreamConfig config;
    private volatile McpClient client;
    private volatile Map<Target.Kind, List<Item>> items = Map.of();
    /** Until when (System.nanoTime) each kind's list is fresh; a kind absent is stale. */
    private volatile Map<Target.Kind, Long> freshUntil = Map.of();
    /** When the last attempt to read each kind ended, answered or not (System.nanoTime). */
    private final Map<Target.Kind, Long> readAt = new java.util.concurrent.ConcurrentHashMap<>();
    /** One reader of the lists at a time. */
    private final java.util.concurrent.locks.ReentrantLock lists = new java.util.concurrent.locks.ReentrantLock();
    private volatile long generation;
    private final java.util.concurrent.atomic.AtomicLong cacheHits = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong cacheMisses = new java.util.concurrent.atomic.AtomicLong();
    private final AnswerCache answers = new AnswerCache(cacheHits, cacheMisses);
    private volatile boolean closed;
    /** Per-principal isolation: the principals' own processes (this one only lists); null when shared. */
    private volatile PrincipalProcesses processes;

    private final List<java.nio.file.Path> cgroups;

    private final McpClient.Builder builder;
    private final Consumer<Target.Kind> onListChanged;
    private final UpstreamGuard guard;
    private final AtomicBoolean restarting = new AtomicBoolean();
    /** What the poisoning scanner keeps from clients, for the audit log. */
    final WithheldDefinitions withheld;
    /** The calls in flight to a stdio upstream that can answer its requests; see {@link #relayToSoleAsker}. */
    private final java.util.Set<McpClient.ServerRequestHandler> askers =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The calls in flight to a stdio upstream that take its log messages; see {@link #relayToSoleListener}. */
    private final java.util.Set<McpClient.NotificationListener> listeners =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * The caller whose request the current thread is sending (null: the gateway's own, such as reading lists), and
     * the token it presented (null: none), for an upstream that exchanges it.
     */
    record Caller(String presentedToken, boolean gateway) {
        /** The gateway's own requests: its lists, its list-change subscriptions, its log level. */
        static final Caller GATEWAY = new Caller(null, true);

        /** A caller's request, with the token it presented (null: none). */
        static Caller of(String presentedToken) {
            return new Caller(presentedToken, false);
        }

        @Override
        public String toString() {
            return "Caller[" + (gateway ? "gateway" : presentedToken == null ? "no token" : "token") + "]";
        }
    }

    /**
     * Whose request the current thread sends. With token exchange it must be said: a request that is neither a
     * caller's nor marked as the gateway's own is refused, never sent with the gateway's credential.
     */
    static final ThreadLocal<Caller> CALLER = new ThreadLocal<>();

    @FunctionalInterface
    interface OwnRequest<T> {
        T run() throws McpClientException;
    }

    /** Runs one of the gateway's own requests (not a caller's) with the gateway's own credential. */
    static <T> T asGateway(OwnRequest<T> request) throws McpClientException {
        Caller outer = CALLER.get();
        CALLER.set(Caller.GATEWAY);
        try {
            return request.run();
        } finally {
            if (outer == null) {
                CALLER.remove();
            } else {
                CALLER.set(outer);
            }
        }
    }

    /** Callers' tokens exchanged for this upstream's, or null (no token exchange). */
    private volatile ExchangedTokens exchanged;

    /** The upstream's token from its client credentials, or null (no credential, or a static one). */
    private volatile UpstreamTokens tokens;
    /** Callers' requests in flight to a stdio upstream: what it sends unasked is relayed only while there is one. */
    private final java.util.concurrent.atomic.AtomicInteger stdioInFlight =
            new java.util.concurrent.atomic.AtomicInteger();

    /** Where the progress of a request in flight goes, by the progress token the gateway gave it upstream. */
    private final java.util.Map<String, Consumer<ObjectNode>> progressRelays;
    private static final AtomicLong PROGRESS_TOKENS = new AtomicLong();
    /** Told of each resource the upstream says was updated (a subscription of the gateway's). */
    private final java.util.concurrent.atomic.AtomicReference<Consumer<String>> resourceUpdates;

    private Upstream(UpstreamConfig config, McpClient.Builder builder, McpClient client,
                     List<java.nio.file.Path> cgroups, Consumer<Target.Kind> onListChanged,
                     java.util.Map<String, Consumer<ObjectNode>> progressRelays,
                     java.util.concurrent.atomic.AtomicReference<Consumer<String>> resourceUpdates) {
        this.progressRelays = progressRelays;
        this.resourceUpdates = resourceUpdates;
        this.config = config;
        this.withheld = new WithheldDefinitions(config.name());
        this.builder = builder;
        this.client = client;
        this.cgroups = List.copyOf(cgroups);
        this.onListChanged = onListChanged;
        this.guard = new UpstreamGuard(config);
    }

    /** The upstream could not be tried: too many requests in flight to it, or its circuit is open. */
    static final class Unavailable extends RuntimeException {
        private final UpstreamFailure.Kind kind;

        Unavailable(UpstreamFailure.Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        /** Why it was not tried: busy, circuit open, or down (its process on its way back, or stopping). */
        UpstreamFailure.Kind kind() {
            return kind;
        }
    }

    /**
     * Sends one request through the upstream's concurrency limit and circuit breaker. A safe method whose connection
     * broke before an answer is sent once more.
     *
     * @throws Unavailable         when the upstream is busy or its circuit open (it was not tried)
     * @throws McpClientException  the upstream's error, or why it did not answer
     */
    JsonNode call(String method, ObjectNode params) throws McpClientException {
        return call(method, params, null);
    }

    /**
     * As {@link #call(String, ObjectNode)}, relaying the upstream's progress of this request to {@code progress} as it
     * comes (null: the caller asked for none). The upstream sees a progress token of the gateway's, never the
     * caller's.
     */
    JsonNode call(String method, ObjectNode params, Consumer<ObjectNode> progress) throws McpClientException {
        return call(method, params, progress, null, null);
    }

    /**
     * As {@link #call(String, ObjectNode, Consumer)}, with the other notifications on this request's stream (log
     * messages) going to {@code notifications} and the upstream's requests during it (a 2025 session) to
     * {@code serverRequests}; null for the client-wide ones.
     */
    JsonNode call(String method, ObjectNode params, Consumer<ObjectNode> progress,
                  McpClient.NotificationListener notifications, McpClient.ServerRequestHandler serverRequests)
            throws McpClientException {
        McpClient.NotificationListener scoped = notifications == null ? null : (m, p) -> {
            if ("notifications/progress".equals(m)) {
                Consumer<ObjectNode> relay = progressRelays.get(p.path("progressToken").asString(""));
                if (relay != null && p instanceof ObjectNode o) {
                    relay.accept(o);
                }
            } else {
                notifications.onNotification(m, p);
            }
        };
        Request send = () -> limited(method, params, scoped, serverRequests);
        if (progress == null) {
            return send.run();
        }
        String token = "warden-gateway-" + PROGRESS_TOKENS.incrementAndGet();
        ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
        meta.put("progressToken", token);
        progressRelays.put(token, progress);
        try {
            return send.run();
        } finally {
            progressRelays.remove(token);
        }
    }

    /**
     * As {@link #call(String, ObjectNode, Consumer, McpClient.NotificationListener, McpClient.ServerRequestHandler)},
     * for the principal {@code principal} ({@link PrincipalProcesses#key}): with isolation per principal, sent to
     * that principal's own process (started now if it has none), never to this one, whose lists alone are served.
     */
    JsonNode call(String principal, String method, ObjectNode params, Consumer<ObjectNode> progress,
                  McpClient.NotificationListener notifications, McpClient.ServerRequestHandler serverRequests)
            throws McpClientException {
        PrincipalProcesses own = processes;
        if (own == null) {
            return call(method, params, progress, notifications, serverRequests);
        }
        try (PrincipalProcesses.Lease lease = own.lease(principal)) {
            return lease.upstream().call(method, params, progress, notifications, serverRequests);
        }
    }

    /** Per-principal isolation: how many principals' processes run now; 0 when shared. */
    int principalProcesses() {
        PrincipalProcesses own = processes;
        return own == null ? 0 : own.size();
    }

    @FunctionalInterface
    private interface Request {
        JsonNode run() throws McpClientException;
    }

    /** Whether the upstream speaks the stateless 2026-07-28 wire (false: a 2025 session). */
    boolean modern() {
        try {
            return McpClient.MODERN_VERSION.equals(client.protocolVersion());
        } catch (McpClientException e) {
            return config.era() != UpstreamConfig.Era.LEGACY;
        }
    }

    private JsonNode limited(String method, ObjectNode params, McpClient.NotificationListener notifications,
                             McpClient.ServerRequestHandler serverRequests) throws McpClientException {
        if (restarting.get()) { // not a failure of the upstream's: its process is on its way back
            throw new Unavailable(UpstreamFailure.Kind.UNAVAILABLE, "Upstream " + name() + " is starting again after its process ended; try again "
                    + "shortly");
        }
        if (!(config.transport() instanceof UpstreamConfig.Stdio)) {
            try {
                return guard.run(method, () -> client.request(method, params, notifications, serverRequests),
                        this::afterFailure);
            } catch (McpClientException e) {
                UpstreamTokens t = tokens;
                ExchangedTokens x = exchanged;
                Caller caller = CALLER.get();
                boolean callersToken = x != null && caller != null && caller.presentedToken() != null;
                if (!callersToken && t == null || e.reason() != McpClientException.Reason.HTTP_STATUS
                        || e.httpStatus() != 401) {
                    throw e;
                }
                // Refused before it was served (revoked, or expired early): once more with a new token.
                if (callersToken) {
                    x.refused(caller.presentedToken());
                } else {
                    t.refused(t.peek());
                }
                return guard.run(method, () -> client.request(method, params, notifications, serverRequests),
                        this::afterFailure);
            }
        }
        // stdio has no stream per request: the upstream's requests and log messages reach the client-wide handlers,
        // which give them to the one call in flight (askers, listeners)
        stdioInFlight.incrementAndGet();
        if (serverRequests != null) {
            askers.add(serverRequests);
        }
        if (notifications != null) {
            listeners.add(notifications);
        }
        try {
            return guard.run(method, () -> client.request(method, params, notifications, serverRequests),
                    this::afterFailure);
        } finally {
            if (serverRequests != null) {
                askers.remove(serverRequests);
            }
            if (notifications != null) {
                listeners.remove(notifications);
            }
            stdioInFlight.decrementAndGet();
        }
    }

    /**
     * A stdio upstream's log message, relayed to the one call in flight to it (whose listener filters it by the
     * caller's level). Its message names no request, so while several callers' requests are in flight (or none) it
     * goes to the gateway's debug log only: one caller's log lines are never shown to another.
     */
    private void relayToSoleListener(String method, JsonNode params) {
        List<McpClient.NotificationListener> now = List.copyOf(listeners);
        if (now.size() == 1 && stdioInFlight.get() == 1) {
            now.getFirst().onNotification(method, params);
            return;
        }
        LOG.debug("upstream {}: a log message not relayed ({} requests in flight, it does not say whose it is): {}",
                name(), stdioInFlight.get(), params);
    }

    /**
     * A stdio upstream's request (sampling, elicitation, roots), answered by the one call in flight that can; its
     * message names no request of ours, so while more than one caller's request is in flight it is refused, never
     * guessed.
     */
    private JsonNode relayToSoleAsker(String method, JsonNode params) throws McpClientException {
        List<McpClient.ServerRequestHandler> now = List.copyOf(askers);
        if (now.isEmpty()) {
            throw McpClientException.error(-32603, "No call through the gateway is waiting for this " + method,
                    null);
        }
        int inFlight = stdioInFlight.get();
        if (now.size() > 1 || inFlight > 1) { // another caller's request may be the one it is part of
            LOG.warn("upstream {}: its {} is refused: {} requests are in flight, and its request does not say whose "
                    + "it is", name(), method, Math.max(inFlight, now.size()));
            throw McpClientException.error(-32603, "The gateway cannot tell which of its callers this " + method
                    + " is for", null);
        }
        return now.getFirst().handle(method, params);
    }

    /** The circuit's state, for operators: CLOSED, OPEN or HALF_OPEN. */
    String circuit() {
        return guard.circuit();
    }

    private void afterFailure(McpClientException e) {
        if (config.transport() instanceof UpstreamConfig.Stdio
                && (e.reason() == McpClientException.Reason.PROCESS_FAILED
                || e.reason() == McpClientException.Reason.CLOSED)) {
            restart();
        }
    }

    /**
     * Starts a stdio upstream's process again, with back-off (1 s, doubling, at most 60 s), reads its lists, and
     * tells the federation; one restart at a time.
     */
    private void restart() {
        if (closed || !restarting.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon().name("warden-gateway-restart-" + name()).start(() -> {
            java.time.Duration delay = java.time.Duration.ofSeconds(1);
            try {
                while (!closed) {
                    LOG.warn("upstream {}: its process ended; starting it again in {} s", name(), delay.toSeconds());
                    sleep(delay);
                    if (closed) {
                        return;
                    }
                    McpClient old = client;
                    try {
                        client = builder.build();
                        old.close();
                        refreshAll();
                        guard.restarted();
                        LOG.info("upstream {} started again ({})", name(), client.protocolVersion());
                        for (Target.Kind kind : List.of(Target.Kind.TOOL, Target.Kind.PROMPT, Target.Kind.RESOURCE)) {
                            onListChanged.accept(kind);
                        }
                        return;
                    } catch (McpClientException | IllegalStateException e) {
                        LOG.warn("upstream {} did not start again: {}", name(), e.getMessage());
                        delay = delay.multipliedBy(2).compareTo(java.time.Duration.ofSeconds(60)) > 0
                                ? java.time.Duration.ofSeconds(60) : delay.multipliedBy(2);
                    }
                }
            } finally {
                restarting.set(false);
            }
        });
    }

    /**
     * Connects to the upstream (a stdio upstream's process is started) and reads its definitions.
     *
     * @param onListChanged told, on the client's reader thread, which kind of list the upstream says changed
     */
    static Upstream connect(UpstreamConfig config, Consumer<Target.Kind> onListChanged) throws GatewayException {
        List<java.nio.file.Path> cgroups = new ArrayList<>();
        java.util.Map<String, Consumer<ObjectNode>> relays = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            return connect(config, onListChanged, cgroups, relays,
                    new java.util.concurrent.atomic.AtomicReference<>(uri -> { }));
        } catch (GatewayException | RuntimeException e) {
            BubblewrapSandbox.remove(cgroups);
            throw e;
        }
    }

    private static Upstream connect(UpstreamConfig config, Consumer<Target.Kind> onListChanged,
                                    List<java.nio.file.Path> cgroups,
                                    java.util.Map<String, Consumer<ObjectNode>> progressRelays,
                                    java.util.concurrent.atomic.AtomicReference<Consumer<String>> updates)
            throws GatewayException {
        java.util.concurrent.atomic.AtomicReference<Upstream> built = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<UpstreamTokens> tokens =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<ExchangedTokens> exchangedRef =
                new java.util.concurrent.atomic.AtomicReference<>();
        McpClient.Builder b = switch (config.transport()) {
            case UpstreamConfig.Http h -> {
                McpClient.Builder hb = McpClient.http(h.url());
                java.util.function.Supplier<Optional<String>> own;
                if (h.clientCredentials().isPresent()) {
                    UpstreamTokens t = new UpstreamTokens(config.name(), h.clientCredentials().get(), h.url(),
                            java.time.InstantSource.system());
                    tokens.set(t);
                    own = () -> Optional.of(t.current());
                } else {
                    own = () -> h.bearer().map(Secret::reveal);
                }
                ExchangedTokens x = h.tokenExchange().map(te -> new ExchangedTokens(config.name(), te, h.url(),
                        java.time.InstantSource.system())).orElse(null);
                exchangedRef.set(x);
                hb.bearerToken(x == null ? own : () -> {
                    Caller caller = CALLER.get();
                    if (caller != null && caller.gateway()) {
                        return own.get(); // the gateway's own request: its lists, its subscriptions
                    }
                    if (caller == null) {
                        throw new UpstreamTokens.NoToken("the gateway cannot tell whose request this is");
                    }
                    if (caller.presentedToken() == null) {
                        throw new UpstreamTokens.NoToken("it takes each caller's own token (token exchange), and "
                                + "this caller presented none");
                    }
                    return Optional.of(x.tokenFor(caller.presentedToken()));
                });
                h.headers().forEach((name, value) -> hb.header(name, value.reveal()));
                yield hb;
            }
            case UpstreamConfig.NpmPackage p -> throw new IllegalStateException("the package " + p.spec()
                    + " of upstream " + config.name() + " was not installed before it was connected");
            case UpstreamConfig.Stdio s -> {
                Map<String, String> env = new HashMap<>(s.environment());
                // Only what the configuration lists, plus PATH so that "npx" or "uvx" can be found.
                env.putIfAbsent("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
                List<String> command = s.command();
                if (s.sandbox() instanceof UpstreamConfig.Sandbox.Bubblewrap policy) {
                    BubblewrapSandbox.Wrapped w = BubblewrapSandbox.wrap(config.name(), command,
                            s.workingDirectory(), policy);
                    command = w.command();
                    cgroups.addAll(w.cgroups());
                }
                McpClient.Builder sb = McpClient.stdio(command).environment(env)
                        .stderr(line -> LOG.info("[upstream {}] {}", config.name(), line));
                s.workingDirectory().ifPresent(sb::workingDirectory);
                yield sb;
            }
        };
        b.era(switch (config.era()) {
            case AUTO -> McpClient.Era.AUTO;
            case MODERN -> McpClient.Era.MODERN;
            case LEGACY -> McpClient.Era.LEGACY;
        }).requestTimeout(config.requestTimeout()).clientInfo("warden-gateway", version())
                // What a 2025 session declares once for every caller; each call checks its own caller's
                // capabilities before relaying a request (a 2026 upstream is told each caller's on the request).
                .capabilities(RELAYED_CAPABILITIES)
                .onServerRequest((method, params) -> {
                    Upstream u = built.get(); // the handler is made before the upstream it serves
                    if (u == null) {
                        throw McpClientException.error(-32603, "No call through the gateway is waiting for this "
                                + method, null);
                    }
                    return u.relayToSoleAsker(method, params);
                })
                .onNotification((method, params) -> {
                    if ("notifications/progress".equals(method)) {
                        Consumer<ObjectNode> relay = progressRelays.get(params.path("progressToken").asString(""));
                        if (relay != null && params instanceof ObjectNode o) {
                            relay.accept(o);
                        }
                        return;
                    }
                    if ("notifications/message".equals(method)) {
                        Upstream u = built.get();
                        if (u != null && u.config.transport() instanceof UpstreamConfig.Stdio) {
                            u.relayToSoleListener(method, params);
                        }
                        return;
                    }
                    if ("notifications/resources/updated".equals(method)) {
                        String uri = params.path("uri").asString("");
                        if (!uri.isEmpty()) {
                            updates.get().accept(uri);
                        }
                        return;
                    }
                    Target.Kind kind = switch (method) {
                        case "notifications/tools/list_changed" -> Target.Kind.TOOL;
                        case "notifications/prompts/list_changed" -> Target.Kind.PROMPT;
                        case "notifications/resources/list_changed" -> Target.Kind.RESOURCE;
                        default -> null;
                    };
                    if (kind != null) {
                        onListChanged.accept(kind);
                    }
                });
        McpClient client;
        try {
            client = b.build();
        } catch (McpClientException e) {
            throw new GatewayException("upstream " + config.name() + " cannot be started: " + e.getMessage(), e);
        }
        Upstream up = new Upstream(config, b, client, cgroups, onListChanged, progressRelays, updates);
        up.tokens = tokens.get();
        up.exchanged = exchangedRef.get();
        built.set(up);
        try {
            up.refreshAll();
            if (up.exchanged != null && !asGateway(up::modern)) {
                client.close();
                throw new GatewayException("upstream " + config.name() + ": token exchange needs a 2026-07-28 "
                        + "upstream, and it speaks " + client.protocolVersion() + " (a 2025 session would carry every "
                        + "caller's token)");
            }
            up.logEverything();
            if (config.isolation().perPrincipal()) {
                // Each principal's process: the same command in a sandbox and cgroup of its own. Its lists and list
                // changes are not heeded (this template's are served), nor its resource updates (whose they are
                // the gateway cannot tell the other callers).
                UpstreamConfig own = config.withIsolation(UpstreamConfig.Isolation.SHARED);
                up.processes = new PrincipalProcesses(config.name(), config.isolation(),
                        () -> connect(own, kind -> { }));
            }
            LOG.info("upstream {} connected ({}): {} tools, {} prompts, {} resources, {} templates", config.name(),
                    client.protocolVersion(), up.items(Target.Kind.TOOL).size(), up.items(Target.Kind.PROMPT).size(),
                    up.items(Target.Kind.RESOURCE).size(), up.items(Target.Kind.RESOURCE_TEMPLATE).size());
        } catch (McpClientException | IllegalStateException e) {
            client.close();
            throw new GatewayException("upstream " + config.name() + " did not list its definitions: "
                    + e.getMessage(), e);
        }
        return up;
    }

    /**
     * A 2025 session has one log level for all the gateway's callers: it is set to the lowest, and each caller gets
     * what its own level lets through (a 2026 upstream is told each caller's level on the request).
     */
    private void logEverything() {
        try {
            if (!modern() && client.capabilities().has("logging")) {
                asGateway(() -> client.request("logging/setLevel",
                        dev.mcpwarden.core.json.Json.object().put("level", "debug")));
            }
        } catch (McpClientException e) {
            LOG.info("upstream {} did not take a log level ({}); its log messages may not reach callers", name(),
                    e.getMessage());
        }
    }

    private static String version() {
        return Optional.ofNullable(Upstream.class.getPackage().getImplementationVersion()).orElse("dev");
    }

    /** Where the resource updates the upstream announces go from now on (the federation, once it exists). */
    void onResourceUpdated(Consumer<String> uris) {
        resourceUpdates.set(java.util.Objects.requireNonNull(uris, "uris"));
    }

    UpstreamConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    McpClient client() {
        return client;
    }

    List<Item> items(Target.Kind kind) {
        return items.getOrDefault(kind, List.of());
    }

    void refreshAll() throws McpClientException {
        lists.lock();
        try {
            Map<Target.Kind, List<Item>> all = new EnumMap<>(Target.Kind.class);
            Map<Target.Kind, Long> until = new EnumMap<>(Target.Kind.class);
            for (Target.Kind kind : Target.Kind.values()) {
                fetch(kind, all, until);
            }
            items = Map.copyOf(all);
            freshUntil = Map.copyOf(until);
            generation++;
        } finally {
            lists.unlock();
        }
    }

    /** Reads one kind again (after the upstream said it changed); resources and templates go together. */
    void refresh(Target.Kind kind) throws McpClientException {
        lists.lock();
        try {
            readKind(kind);
        } finally {
            lists.unlock();
        }
    }

    /**
     * Reads {@code kind} again if it is no longer fresh (its TTL passed, or a change dropped it), one reader at a
     * time: callers arriving while it is read wait for that read and take its list.
     *
     * @return whether it was read (the federation is then rebuilt); false: the kept list is fresh
     * @throws McpClientException when reading it failed (the last list stays, stale)
     */
    boolean refreshIfStale(Target.Kind kind) throws McpClientException {
        if (fresh(kind)) {
            return false;
        }
        Long before = readAt.get(kind);
        lists.lock();
        try {
            if (fresh(kind) || !java.util.Objects.equals(before, readAt.get(kind))) {
                // read (or tried and failed, leaving the last list) by another caller after this one asked: one
                // read for all who waited, never one after another each waiting for a failing upstream
                return false;
            }
            readKind(kind);
            return true;
        } finally {
            lists.unlock();
        }
    }

    /** Whether the kept list of {@code kind} may be served without reading it again. */
    boolean fresh(Target.Kind kind) {
        Long until = freshUntil.get(kind);
        return until != null && System.nanoTime() - until < 0;
    }

    /** How much longer the kept list of {@code kind} is fresh; zero when it is not. */
    java.time.Duration remaining(Target.Kind kind) {
        Long until = freshUntil.get(kind);
        long left = until == null ? 0 : until - System.nanoTime();
        return left > 0 ? java.time.Duration.ofNanos(left) : java.time.Duration.ZERO;
    }

    /** Makes the kept list of {@code kind} stale at once (a list change the upstream announced). */
    void invalidate(Target.Kind kind) {
        Map<Target.Kind, Long> until = new EnumMap<>(Target.Kind.class);
        until.putAll(freshUntil);
        until.remove(kind);
        if (kind == Target.Kind.RESOURCE) {
            until.remove(Target.Kind.RESOURCE_TEMPLATE);
        }
        freshUntil = Map.copyOf(until);
    }

    private void readKind(Target.Kind kind) throws McpClientException {
        Map<Target.Kind, List<Item>> all = new EnumMap<>(Target.Kind.class);
        all.putAll(items);
        Map<Target.Kind, Long> until = new EnumMap<>(Target.Kind.class);
        until.putAll(freshUntil);
        fetch(kind, all, until);
        if (kind == Target.Kind.RESOURCE) {
            fetch(Target.Kind.RESOURCE_TEMPLATE, all, until);
        }
        items = Map.copyOf(all);
        freshUntil = Map.copyOf(until);
        generation++;
    }

    /** How many times the lists were read: the federation is rebuilt when it changed. */
    long generation() {
        return generation;
    }

    /** What is kept of this upstream's answers to callers. */
    AnswerCache answers() {
        return answers;
    }

    /** Requests served from what was kept (lists, reads, tool results), and those that reached the upstream. */
    long cacheHits() {
        return cacheHits.get();
    }

    long cacheMisses() {
        return cacheMisses.get();
    }

    /** Counts one list request served from the kept list ({@code hit}) or read from the upstream. */
    void countList(boolean hit) {
        (hit ? cacheHits : cacheMisses).incrementAndGet();
    }

    private void fetch(Target.Kind kind, Map<Target.Kind, List<Item>> all, Map<Target.Kind, Long> until)
            throws McpClientException {
        long started = System.nanoTime();
        DefinitionReader.Listed listed;
        try {
            listed = asGateway(() -> DefinitionReader.read(client, config, kind,
                    all.getOrDefault(Target.Kind.TOOL, items(Target.Kind.TOOL)), withheld));
        } finally {
            readAt.put(kind, System.nanoTime()); // an attempt ended, answered or not: those who waited take it
        }
        all.put(kind, listed.items());
        // freshness counts from when it was asked for (the spec's t_received, on the safe side)
        until.put(kind, started + listed.ttl().toNanos());
    }

    static String identityKey(Target.Kind kind) {
        return switch (kind) {
            case TOOL, PROMPT -> "name";
            case RESOURCE -> "uri";
            case RESOURCE_TEMPLATE -> "uriTemplate";
        };
    }

    /**
     * Follows the upstream's list changes: a 2026-07-28 upstream is asked to {@code subscriptions/listen}, again each
     * time a listen ends, and every list is read again then, so a change between two listens is not missed; an
     * upstream that cannot listen (a 2025 session over HTTP, a server without the method) has its lists read again
     * every {@code period}. Either way a definition that changes without notice is seen within a period, where the
     * pins judge it.
     */
    void watch(Consumer<Target.Kind> onChange, java.time.Duration period) {
        Thread t = Thread.ofPlatform().daemon().name("warden-gateway-watch-" + name()).unstarted(() -> {
            boolean listens = true;
            while (!closed) {
                if (listens) {
                    try {
                        ObjectNode filter = dev.mcpwarden.core.json.Json.object();
                        filter.putObject("notifications").put("toolsListChanged", true)
                                .put("promptsListChanged", true).put("resourcesListChanged", true);
                        if (!client.protocolVersion().equals(McpClient.MODERN_VERSION)) {
                            listens = false;
                            continue;
                        }
                        asGateway(() -> client.request("subscriptions/listen", filter));
                    } catch (McpClientException e) {
                        if (closed) {
                            return;
                        }
                        afterFailure(e);
                        if (e.reason() == McpClientException.Reason.JSON_RPC_ERROR) {
                            LOG.info("upstream {} cannot listen for list changes ({}); its lists are read every {}",
                                    name(), e.getMessage(), period);
                            listens = false;
                        } else if (e.reason() != McpClientException.Reason.TIMEOUT) {
                            sleep(period); // unreachable for now: try again later, not in a tight loop
                        }
                    }
                } else {
                    sleep(period);
                }
                if (!closed) {
                    for (Target.Kind kind : List.of(Target.Kind.TOOL, Target.Kind.PROMPT, Target.Kind.RESOURCE)) {
                        onChange.accept(kind);
                    }
                }
            }
        });
        t.start();
    }

    private void sleep(java.time.Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        PrincipalProcesses own = processes;
        if (own != null) {
            own.close();
        }
        client.close();
        BubblewrapSandbox.remove(cgroups);
    }
}
