package dev.mcpwarden.gateway;

import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.ServerOptions;
import dev.mcpwarden.server.backend.Backend;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.backend.Envelope;
import dev.mcpwarden.server.backend.Missing;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.ChangeListener;
import dev.mcpwarden.server.input.StateSealer;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.resource.ResourceTemplate;
import dev.mcpwarden.server.session.Session;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The upstreams' definitions as one backend: each tool and prompt under its exposed name, each resource under its
 * URI, routed to the upstream that defines it. The pipeline in front decides who may call what on these definitions
 * and on what comes back, exactly as for the runtime's own tools; this class only forwards.
 */
final class FederatedBackend implements Backend, Definitions {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedBackend.class);
    private static final Set<String> SHARED = Set.of("tools/list", "tools/call", "resources/list",
            "resources/templates/list", "resources/read", "prompts/list", "prompts/get", "completion/complete");
    private static final Set<String> MODERN_OWN = Set.of("server/discover", "subscriptions/listen");
    private static final Set<String> LEGACY_OWN = Set.of("initialize", "ping", "logging/setLevel",
            "resources/subscribe", "resources/unsubscribe");
    /** The 2026 envelope members, which a 2025 client is not sent. */
    private static final List<String> MODERN_ENVELOPE = List.of("resultType", "ttlMs", "cacheScope");

    /** Where a definition the gateway serves lives upstream. */
    record Route(Upstream upstream, String original, Entry entry) {
    }

    private record TemplateRoute(ResourceTemplate matcher, Route route) {
    }

    /** The federated definitions at one moment; replaced whole when an upstream's lists change. */
    private record Snapshot(Map<Target.Kind, Map<String, Route>> routes, List<TemplateRoute> templates,
                            List<Long> generations) {
    }

    private final List<Upstream> upstreams;
    private final ObjectNode serverInfo;
    private final ServerOptions options;
    private final ObjectNode capabilities;
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final GatewayState state;
    private final ParkedCalls parked;
    private volatile Snapshot snapshot;

    private FederatedBackend(List<Upstream> upstreams, ObjectNode serverInfo, ServerOptions options,
                             Snapshot snapshot, StateSealer sealer) {
        this.upstreams = List.copyOf(upstreams);
        this.state = new GatewayState(sealer);
        java.time.Duration round = upstreams.stream().map(u -> u.config().requestTimeout())
                .max(java.util.Comparator.naturalOrder()).orElse(java.time.Duration.ofSeconds(30));
        this.parked = new ParkedCalls(state, round);
        this.serverInfo = serverInfo;
        this.options = options;
        this.snapshot = snapshot;
        this.capabilities = Json.object();
        capabilities.putObject("tools").put("listChanged", true);
        capabilities.putObject("prompts").put("listChanged", true);
        capabilities.putObject("resources").put("listChanged", true).put("subscribe", true);
        capabilities.putObject("completions");
        capabilities.putObject("logging");
        // tasks of 2026 upstreams are relayed as the gateway's own (UpstreamTasks)
        capabilities.putObject("extensions").putObject(dev.mcpwarden.server.task.TaskStage.EXTENSION);
    }

    /**
     * Federates what the upstreams listed.
     *
     * @throws GatewayException when two upstreams serve a tool or prompt under one name, or one resource URI or
     *                          template: every such clash, each naming both upstreams
     */
    static FederatedBackend of(List<Upstream> upstreams, ObjectNode serverInfo, ServerOptions options)
            throws GatewayException {
        return of(upstreams, serverInfo, options, StateSealer.random(options.requestStateTtl(),
                java.time.InstantSource.system()));
    }

    /** As {@link #of(List, ObjectNode, ServerOptions)}, sealing request state with {@code sealer}. */
    static FederatedBackend of(List<Upstream> upstreams, ObjectNode serverInfo, ServerOptions options,
                               StateSealer sealer) throws GatewayException {
        List<String> clashes = new ArrayList<>();
        Snapshot s = federate(upstreams, clashes);
        if (!clashes.isEmpty()) {
            throw new GatewayException("upstream definitions clash (give one of each pair a prefix, or exclude the "
                    + "name): " + String.join("; ", clashes));
        }
        return new FederatedBackend(upstreams, serverInfo, options, s, sealer);
    }

    private static Snapshot federate(List<Upstream> upstreams, List<String> clashes) {
        List<Long> generations = upstreams.stream().map(Upstream::generation).toList();
        Map<Target.Kind, Map<String, Route>> routes = new EnumMap<>(Target.Kind.class);
        List<TemplateRoute> templates = new ArrayList<>();
        for (Target.Kind kind : Target.Kind.values()) {
            Map<String, Route> byName = new LinkedHashMap<>();
            for (Upstream up : upstreams) {
                for (Upstream.Item item : up.items(kind)) {
                    Route earlier = byName.get(item.exposed());
                    if (earlier != null) {
                        clashes.add(kind.word() + " '" + item.exposed() + "' is served by " + earlier.upstream().name()
                                + " and " + up.name());
                        continue;
                    }
                    Route r = new Route(up, item.original(), new Entry(kind, item.exposed(), item.json(), Set.of()));
                    byName.put(item.exposed(), r);
                    if (kind == Target.Kind.RESOURCE_TEMPLATE) {
                        matcher(up, item.exposed()).ifPresent(m -> templates.add(new TemplateRoute(m, r)));
                    }
                }
            }
            routes.put(kind, Collections.unmodifiableMap(byName));
        }
        return new Snapshot(Collections.unmodifiableMap(routes), List.copyOf(templates), generations);
    }

    /** A matcher of the URIs a template serves; empty (listed, but no URI routed to it) for forms it cannot match. */
    private static Optional<ResourceTemplate> matcher(Upstream up, String template) {
        try {
            return Optional.of(new ResourceTemplate(template, template, null, null, (uri, vars, context) -> {
                throw new IllegalStateException("a gateway's template is read upstream");
            }));
        } catch (IllegalArgumentException e) {
            LOG.warn("upstream {} lists the resource template {}, whose form the gateway cannot match yet; reads of "
                    + "its URIs are answered as unknown resources", up.name(), template);
            return Optional.empty();
        }
    }

    /** Reads {@code kind} of {@code upstream} again and tells listeners; a clash that appears now is withheld. */
    void refresh(Upstream upstream, Target.Kind kind) {
        // what the change may have made wrong is dropped at once, before the list is read again
        upstream.invalidate(kind);
        switch (kind) {
            case TOOL -> upstream.answers().dropMethod("tools/call");
            case RESOURCE, RESOURCE_TEMPLATE -> upstream.answers().dropMethod("resources/read");
            default -> { }
        }
        try {
            upstream.refresh(kind);
        } catch (McpClientException | IllegalStateException e) {
            LOG.warn("upstream {} said its {} list changed, but reading it failed ({}); the last list stays",
                    upstream.name(), kind.word(), e.getMessage());
            return;
        }
        refederate();
        ChangeListener.Kind change = switch (kind) {
            case TOOL -> ChangeListener.Kind.TOOLS;
            case PROMPT -> ChangeListener.Kind.PROMPTS;
            case RESOURCE, RESOURCE_TEMPLATE -> ChangeListener.Kind.RESOURCES;
        };
        for (ChangeListener l : listeners) {
            try {
                l.changed(change, null);
            } catch (RuntimeException e) {
                LOG.warn("a list-change listener failed", e);
            }
        }
    }

    /** Federates the upstreams' lists as they are now; one rebuild at a time, so the newest is the one kept. */
    private synchronized Snapshot refederate() {
        List<String> clashes = new ArrayList<>();
        Snapshot s = federate(upstreams, clashes);
        clashes.forEach(c -> LOG.warn("upstream definitions clash; the later one is not served: {}", c));
        snapshot = s;
        return s;
    }

    /** The federation, rebuilt first when an upstream's lists were read since it was built. */
    private Snapshot current() {
        Snapshot s = snapshot;
        for (int i = 0; i < upstreams.size(); i++) {
            if (upstreams.get(i).generation() != s.generations().get(i)) {
                return refederate();
            }
        }
        return s;
    }

    // ---- Backend

    @Override
    public ObjectNode capabilities() {
        return capabilities;
    }

    @Override
    public Definitions definitions() {
        return this;
    }

    @Override
    public boolean knows(String method, boolean modern) {
        if (SHARED.contains(method)) {
            return true;
        }
        return modern ? MODERN_OWN.contains(method) : LEGACY_OWN.contains(method);
    }

    /**
     * A tool of a 2026 upstream may answer with a task: the call runs behind the task stage, which answers the caller
     * directly unless the upstream made a task ({@link UpstreamTasks} then starts the gateway's own).
     */
    @Override
    public dev.mcpwarden.server.task.TaskSupport taskSupport(String name) {
        Route route = snapshot.routes().get(Target.Kind.TOOL).get(name);
        if (route == null) {
            return null;
        }
        return runAsTask(route) || route.upstream().modern() ? dev.mcpwarden.server.task.TaskSupport.OPTIONAL : null;
    }

    /**
     * A tool configured to run as a gateway task starts as one at once; any other (of a 2026 upstream) only when the
     * upstream's answer is a task.
     */
    @Override
    public boolean tasksAfterInput(String name) {
        Route route = snapshot.routes().get(Target.Kind.TOOL).get(name);
        return route == null || !runAsTask(route);
    }

    private static boolean runAsTask(Route route) {
        return route.upstream().config().taskTools().contains(route.original());
    }

    @Override
    public ObjectNode initializeResult(ProtocolVersion version) {
        ObjectNode r = Json.object();
        r.put("protocolVersion", version.id());
        ObjectNode legacy = capabilities.deepCopy();
        legacy.remove("extensions"); // the 2025 wire has no extensions
        r.set("capabilities", legacy);
        r.set("serverInfo", serverInfo);
        return r;
    }

    @Override
    public JsonNode handle(Call call) {
        String method = call.method();
        if (!knows(method, call.modern())) {
            throw McpError.methodNotFound(method);
        }
        if (!call.inline()) {
            // a cancelled call interrupts this thread, which makes the upstream client cancel the upstream request
            call.worker(Thread.currentThread());
        }
        // whose requests these are, for an upstream that exchanges the caller's token for its own
        Upstream.Caller outer = Upstream.CALLER.get();
        Upstream.CALLER.set(Upstream.Caller.of(call.presentedToken()));
        ObjectNode result;
        try {
            result = serve(call, method);
        } catch (UpstreamFailure e) {
            throw e.correlated(call.correlationId());
        } finally {
            if (outer == null) {
                Upstream.CALLER.remove();
            } else {
                Upstream.CALLER.set(outer);
            }
        }
        return envelope(call, method, result);
    }

    private ObjectNode serve(Call call, String method) {
        return switch (method) {
            case "ping" -> Json.object();
            case "server/discover" -> discover();
            case "tools/list" -> listing(call, "tools", Target.Kind.TOOL);
            case "prompts/list" -> listing(call, "prompts", Target.Kind.PROMPT);
            case "resources/list" -> listing(call, "resources", Target.Kind.RESOURCE);
            case "resources/templates/list" -> listing(call, "resourceTemplates", Target.Kind.RESOURCE_TEMPLATE);
            case "tools/call", "prompts/get" -> forwardNamed(call);
            case "resources/read" -> forwardResource(call);
            case "completion/complete" -> forwardCompletion(call);
            case "logging/setLevel" -> setLevel(call);
            case "resources/subscribe" -> subscribe(call, true);
            case "resources/unsubscribe" -> subscribe(call, false);
            case "subscriptions/listen" -> dev.mcpwarden.server.backend.Subscriptions.listen(call, capabilities,
                    listeners::add, listeners::remove);
            default -> throw McpError.methodNotFound(method);
        };
    }

    /**
     * A 2025 caller's log level, kept in its session: the upstream's messages are filtered by it on the way (a 2025
     * upstream session logs everything to the gateway; a 2026 upstream is told the level per request).
     */
    private static ObjectNode setLevel(Call call) {
        String level = call.params().path("level").asString("");
        dev.mcpwarden.server.LogLevel parsed = dev.mcpwarden.server.LogLevel.parse(level)
                .orElseThrow(() -> McpError.invalidParams("Invalid log level: " + level));
        if (call.session() != null) {
            call.session().logLevel(parsed);
        }
        return Json.object();
    }

    /**
     * A 2025 caller's subscription to a resource, kept in its session: the gateway tells it of the updates its
     * upstreams announce. A 2025 upstream is subscribed too (the gateway's one session for all callers).
     */
    private ObjectNode subscribe(Call call, boolean on) {
        JsonNode uriNode = call.params().get("uri");
        if (uriNode == null || !uriNode.isString()) {
            throw McpError.invalidParams("Missing uri");
        }
        String uri = uriNode.asString();
        Route route = routeOfUri(uri);
        if (route == null) {
            throw Missing.resource(uri, call.modern());
        }
        if (call.session() != null) {
            if (!on) {
                call.session().unsubscribe(uri);
            } else if (!call.session().subscribe(uri)) {
                throw McpError.invalidParams("Invalid params: a session may subscribe to at most "
                        + Session.MAX_SUBSCRIPTIONS + " resources");
            }
        }
        Upstream up = route.upstream();
        // A 2025 upstream has one session for all callers: it is subscribed on the first subscription and stays
        // so (the gateway filters per session), since another caller may still want the updates.
        if (on && !up.modern()) {
            try {
                up.call(call.method(), Json.object().put("uri", uri));
            } catch (McpClientException | Upstream.Unavailable e) {
                LOG.info("upstream {} did not take the subscription to {}: {}", up.name(), uri, e.getMessage());
            }
        }
        return Json.object();
    }

    /** Tells the 2025 sessions subscribed to {@code uri} that the upstream says it changed. */
    void resourceUpdated(String uri) {
        upstreams.forEach(up -> up.answers().drop("resources/read", uri));
        for (ChangeListener l : listeners) {
            try {
                l.changed(ChangeListener.Kind.RESOURCE_UPDATED, uri);
            } catch (RuntimeException e) {
                LOG.warn("a resource-update listener failed", e);
            }
        }
    }

    private ObjectNode discover() {
        return Envelope.discover(capabilities, null, serverInfo);
    }

    /**
     * The whole list in one page: the upstreams' lists are bounded, and a gateway's cursor would outlive them. Each
     * upstream's list is served as kept while it is fresh, and read again when not (a read that fails leaves the
     * last list, stale, and is logged). The pipeline filters and pins what this returns on every request: the list
     * is per principal, so it is {@code private}, fresh for as long as the least fresh upstream's.
     */
    private ObjectNode listing(Call call, String field, Target.Kind kind) {
        boolean allKept = true;
        for (Upstream up : upstreams) {
            boolean read;
            try {
                read = up.refreshIfStale(kind);
            } catch (McpClientException | IllegalStateException | Upstream.Unavailable e) {
                LOG.warn("upstream {}: reading its {} list failed ({}); the last list is served", up.name(),
                        kind.word(), e.getMessage());
                read = true;
            }
            up.countList(!read);
            allKept &= !read;
        }
        call.attribute(Call.CACHE, allKept ? "hit" : "miss");
        Snapshot s = current();
        ObjectNode r = Json.object();
        ArrayNode items = r.putArray(field);
        for (Route route : s.routes().get(kind).values()) {
            items.add(route.entry().json());
        }
        if (call.modern()) {
            java.time.Duration least = upstreams.stream().map(up -> up.remaining(kind))
                    .min(java.util.Comparator.naturalOrder()).orElse(java.time.Duration.ZERO);
            r.put("ttlMs", least.toMillis());
            r.put("cacheScope", "private");
        }
        return r;
    }

    private ObjectNode forwardNamed(Call call) {
        Target target = call.target();
        Route route = target == null ? null : current().routes().get(target.kind()).get(target.name());
        if (route == null) {
            throw target == null ? McpError.invalidParams("Missing name") : Missing.answer(call.method(), target,
                    call.modern());
        }
        ObjectNode params = forwardedParams(call);
        params.put("name", route.original());
        call.attribute(Call.UPSTREAM, route.upstream().name());
        UpstreamConfig.ToolTransform transform = "tools/call".equals(call.method())
                ? route.upstream().config().transforms().get(route.original()) : null;
        if (transform != null) {
            // refused or completed before the upstream sees it; an input round's retry carries the same arguments
            params.set("arguments", ToolTransformer.arguments(call.params().get("arguments"), transform,
                    call.principal(), target.name(), route.entry().json()));
            ObjectNode result = cachedOrForwarded(call, route, params);
            return InputRounds.inputRequired(result) ? result : ToolTransformer.result(result, transform);
        }
        return cachedOrForwarded(call, route, params);
    }

    private ObjectNode cachedOrForwarded(Call call, Route route, ObjectNode params) {
        if (!"tools/call".equals(call.method()) || !cachedTool(route) || continues(call)) {
            return forward(route.upstream(), call, params);
        }
        // an opted-in read-only, idempotent tool: its result per principal and argument digest, never another's
        Upstream up = route.upstream();
        String key = AnswerCache.toolTarget(route.original(), params.get("arguments"));
        Optional<String> who = AnswerCache.privateKey(call.principal());
        if (who.isEmpty()) {
            return forward(up, call, params); // an anonymous caller: a tool's result is private, never kept for it
        }
        Optional<AnswerCache.Hit> hit = up.answers().get("tools/call", key, who.get());
        if (hit.isPresent()) {
            call.attribute(Call.CACHE, "hit");
            return hit.get().result();
        }
        call.attribute(Call.CACHE, "miss");
        ObjectNode result = forward(up, call, params);
        if (!InputRounds.inputRequired(result) && !result.path("isError").asBoolean(false)) {
            up.answers().put("tools/call", key, who.get(), result, up.config().cache().toolTtl());
        }
        return result;
    }

    /** Whether the operator opted the tool in and the upstream annotates it read-only and idempotent, as served now. */
    private static boolean cachedTool(Route route) {
        if (!route.upstream().config().cache().tools().contains(route.original())) {
            return false;
        }
        JsonNode annotations = route.entry().json().path("annotations");
        return annotations.path("readOnlyHint").asBoolean(false) && annotations.path("idempotentHint").asBoolean(false);
    }

    /** A retry carrying input for an earlier round: its result is never kept nor served from what was (the spec). */
    private static boolean continues(Call call) {
        return call.params().has("requestState") || call.params().has("inputResponses");
    }

    private ObjectNode forwardResource(Call call) {
        Target target = call.target();
        if (target == null) {
            throw McpError.invalidParams("Missing uri");
        }
        Route route = routeOfUri(target.name());
        if (route == null) {
            throw Missing.resource(target.name(), call.modern());
        }
        Upstream up = route.upstream();
        call.attribute(Call.UPSTREAM, up.name());
        if (continues(call)) {
            return forward(up, call, forwardedParams(call));
        }
        String uri = target.name();
        // whose a private answer is; none for an anonymous caller, who is served public answers only
        String who = AnswerCache.privateKey(call.principal()).orElse(null);
        Optional<AnswerCache.Hit> hit = up.answers().get("resources/read", uri, who);
        if (hit.isPresent()) {
            call.attribute(Call.CACHE, "hit");
            ObjectNode r = hit.get().result();
            if (r.has("ttlMs")) {
                r.put("ttlMs", hit.get().remaining().toMillis());
            }
            return r;
        }
        call.attribute(Call.CACHE, "miss");
        ObjectNode result = forward(up, call, forwardedParams(call));
        if (InputRounds.inputRequired(result)) {
            return result;
        }
        if (up.modern()) {
            // kept as the upstream says: for its ttlMs, shared only when it said public
            JsonNode ttl = result.get("ttlMs");
            long ms = ttl != null && ttl.isIntegralNumber() ? Math.max(0, ttl.asLong()) : 0;
            // a process per principal may say public of what is its principal's own: never shared then
            boolean shared = "public".equals(result.path("cacheScope").asString(""))
                    && !up.config().isolation().perPrincipal();
            if (shared || who != null) {
                up.answers().put("resources/read", uri, shared ? null : who, result, java.time.Duration.ofMillis(ms));
            }
        } else {
            java.time.Duration ttl = up.config().cache().legacyTtl();
            if (!ttl.isZero()) {
                // a 2025 upstream says nothing of scope: its reads are kept per principal, the safe side
                result.put("ttlMs", ttl.toMillis());
                result.put("cacheScope", "private");
                if (who != null) {
                    up.answers().put("resources/read", uri, who, result, ttl);
                }
            }
        }
        return result;
    }

    private ObjectNode forwardCompletion(Call call) {
        Target target = call.target();
        Route route = target == null ? null : current().routes().get(target.kind()).get(target.name());
        if (route == null) {
            throw target == null ? McpError.invalidParams("Invalid completion reference")
                    : Missing.answer(call.method(), target, call.modern());
        }
        ObjectNode params = forwardedParams(call);
        if (target.kind() == Target.Kind.PROMPT) {
            ((ObjectNode) params.get("ref")).put("name", route.original());
        }
        return forward(route.upstream(), call, params);
    }

    private Route routeOfUri(String uri) {
        Snapshot s = current();
        Route r = s.routes().get(Target.Kind.RESOURCE).get(uri);
        if (r != null) {
            return r;
        }
        for (TemplateRoute t : s.templates()) {
            if (t.matcher().match(uri).isPresent()) {
                return t.route();
            }
        }
        return null;
    }

    /**
     * The client's params without its {@code _meta}: the protocol members there describe the client's hop, not the
     * gateway's (the upstream client writes its own), and nothing else of the caller's request is forwarded.
     */
    private static ObjectNode forwardedParams(Call call) {
        ObjectNode p = call.params().deepCopy();
        p.remove("_meta");
        // The caller's input members answer the gateway's rounds: forward() hands the upstream its own state back.
        p.remove("requestState");
        p.remove("inputResponses");
        return p;
    }

    /**
     * Sends the request to its upstream across whatever lies between the two eras: input rounds of a 2026 upstream
     * are sealed for a 2026 caller and asked of a 2025 caller on its stream; requests of a 2025 upstream are asked of
     * a 2025 caller on its stream and parked as input rounds for a 2026 caller.
     */
    private ObjectNode forward(Upstream up, Call call, ObjectNode params) {
        params = CallRelay.traced(call, params);
        String who = PrincipalProcesses.key(call.principal()); // whose process serves it, when isolated per principal
        boolean upstreamModern = up.modern();
        dev.mcpwarden.server.task.TaskRun task = call.attribute(dev.mcpwarden.server.task.TaskRun.KEY);
        if (call.modern() && !upstreamModern && task != null && task.started()) {
            // a 2025 upstream's call run as the gateway's task: its requests are asked through the task
            return send(up, who, call.method(), true, params, null, null, UpstreamTasks.askThrough(call, task));
        }
        if (call.modern() && !upstreamModern) {
            return parked.serve(call, up, params, (p, current, handler) -> send(up, who, call.method(), true, p,
                    progressOf(current), CallRelay.logs(current), handler));
        }
        if (!upstreamModern) { // both 2025: the upstream's requests go to the caller's stream as they come
            return send(up, who, call.method(), call.modern(), params, progressOf(() -> call),
                    CallRelay.logs(() -> call), CallRelay.askCaller(call));
        }
        ObjectNode p = params.deepCopy();
        CallRelay.describeCaller(call, p);
        if (call.modern()) {
            ObjectNode opened = state.open(call, up);
            JsonNode theirs = opened == null ? null : opened.get("upstream");
            if (theirs != null && theirs.isString()) {
                p.set("requestState", theirs);
            }
            // Answers are the caller's to give (the upstream judges them); only the state must be the gateway's.
            JsonNode responses = call.params().get("inputResponses");
            if (responses != null) {
                p.set("inputResponses", responses);
            }
        }
        ObjectNode result = send(up, who, call.method(), false, p, progressOf(() -> call), CallRelay.logs(() -> call),
                null);
        if ("tools/call".equals(call.method()) && UpstreamTasks.isTask(result)) {
            return UpstreamTasks.follow(call, up.name(), result, (method, asked) -> {
                CallRelay.describeCaller(call, asked);
                return send(up, who, method, false, asked, null, null, null);
            });
        }
        if (!InputRounds.inputRequired(result)) {
            return result;
        }
        if (call.modern()) {
            ObjectNode payload = Json.object();
            JsonNode theirs = result.get("requestState");
            if (theirs != null && theirs.isString()) {
                payload.set("upstream", theirs);
            }
            result.put("requestState", state.seal(call, up, payload));
            return result;
        }
        return InputRounds.askClient(call, up.name(), p, result, again -> send(up, who, call.method(), false, again,
                progressOf(() -> call), CallRelay.logs(() -> call), null));
    }

    /**
     * Sends one request upstream; {@code resendOnExpiry}: an expired 2025 upstream session is re-established and the
     * request sent again (for 2026 callers, who know nothing of sessions; a 2025 caller is told its session's
     * upstream expired).
     */
    private static ObjectNode send(Upstream up, String principal, String method, boolean resendOnExpiry,
                                   ObjectNode params,
                                   java.util.function.Consumer<ObjectNode> progress,
                                   dev.mcpwarden.client.McpClient.NotificationListener logs,
                                   dev.mcpwarden.client.McpClient.ServerRequestHandler serverRequests) {
        JsonNode answer;
        try {
            try {
                answer = up.call(principal, method, params, progress, logs, serverRequests);
            } catch (McpClientException e) {
                if (e.reason() != McpClientException.Reason.SESSION_EXPIRED || !resendOnExpiry) {
                    throw e;
                }
                // The upstream refused the request for its unknown session (404) without serving it, and the client
                // has dropped that session: sent once more, it is served once, in a new one.
                answer = up.call(principal, method, params, progress, logs, serverRequests);
            }
        } catch (McpClientException e) {
            throw upstreamError(up, method, e);
        } catch (Upstream.Unavailable e) {
            throw UpstreamFailure.of(e.kind(), up.name(), e.getMessage());
        }
        if (!(answer instanceof ObjectNode o)) {
            throw UpstreamFailure.of(UpstreamFailure.Kind.MALFORMED_ANSWER, up.name(), "Upstream " + up.name()
                    + " answered " + method + " without a result object");
        }
        return o; // parsed for this call alone: nothing else holds it
    }

    /**
     * Relays the upstream's progress of a request to its caller as it comes, under the caller's own token; null when
     * the caller asked for no progress.
     */
    private static java.util.function.Consumer<ObjectNode> progressOf(java.util.function.Supplier<Call> calls) {
        JsonNode first = calls.get().progressToken();
        if (first == null || first.isNull()) {
            return null;
        }
        return upstream -> {
            Call call = calls.get(); // a parked call's progress goes to the round the client has open now
            JsonNode token = call.progressToken();
            if (token == null) {
                return;
            }
            ObjectNode p = upstream.deepCopy();
            p.set("progressToken", token);
            p.remove("_meta");
            try {
                call.outbound().notify("notifications/progress", p);
            } catch (RuntimeException e) {
                LOG.debug("progress not relayed: {}", e.getMessage()); // the caller has gone; the result still counts
            }
        };
    }

    /**
     * The caller's error for an upstream's failure ({@link UpstreamFailure}): the upstream's own protocol errors
     * about the caller's request (invalid params, unknown method or resource, a capability the caller lacks) keep
     * their code, with the text sanitized; its errors about the gateway's own request are a protocol error; any other
     * error of its own is relayed under one code with its code in {@code data}; a failure to answer says which
     * upstream failed how, never the exception's details (those go to the log).
     */
    static McpError upstreamError(Upstream up, String method, McpClientException e) {
        String name = up.name();
        if (e.reason() == McpClientException.Reason.JSON_RPC_ERROR && e.errorCode().isPresent()) {
            int code = e.errorCode().get();
            String message = UpstreamFailure.sanitized(e.errorMessage().orElse(""));
            if (message.isEmpty()) {
                message = "(no message)";
            }
            return switch (code) {
                // -32021 names what the caller lacks in its data, which the caller needs to see: that and nothing else
                case ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY -> new McpError(code, message,
                        UpstreamFailure.requiredCapabilities(e.errorData().orElse(null)), 400);
                case ErrorCodes.INVALID_PARAMS, ErrorCodes.METHOD_NOT_FOUND,
                     ErrorCodes.LEGACY_RESOURCE_NOT_FOUND -> new McpError(code, message);
                case ErrorCodes.PARSE_ERROR, ErrorCodes.INVALID_REQUEST, ErrorCodes.HEADER_MISMATCH,
                     ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION -> {
                    LOG.warn("upstream {} refused the gateway's {} as a protocol error: {} {}", name, method, code,
                            e.errorMessage().orElse(""));
                    yield UpstreamFailure.of(UpstreamFailure.Kind.PROTOCOL_ERROR, name, "Upstream " + name
                            + " could not serve " + method + ": it refused the gateway's request as a protocol error ("
                            + code + ")");
                }
                default -> UpstreamFailure.relayed(name, code, e.errorMessage().orElse(""));
            };
        }
        UpstreamFailure.Kind kind = switch (e.reason()) {
            case TIMEOUT -> UpstreamFailure.Kind.TIMEOUT;
            case CONNECTION_REFUSED, CONNECTION_FAILED, PROCESS_FAILED, CLOSED -> UpstreamFailure.Kind.UNAVAILABLE;
            case HTTP_STATUS -> switch (e.httpStatus()) {
                case 401, 403 -> UpstreamFailure.Kind.UNAUTHORIZED;
                case 502, 503, 504 -> UpstreamFailure.Kind.UNAVAILABLE;
                default -> UpstreamFailure.Kind.PROTOCOL_ERROR;
            };
            case MALFORMED_RESPONSE, RESPONSE_TOO_LARGE -> UpstreamFailure.Kind.MALFORMED_ANSWER;
            case CREDENTIAL_UNAVAILABLE -> UpstreamFailure.Kind.UNAUTHORIZED;
            default -> UpstreamFailure.Kind.PROTOCOL_ERROR;
        };
        String why = switch (e.reason()) {
            case TIMEOUT -> "it did not answer within " + up.config().requestTimeout().toSeconds() + " s";
            case CONNECTION_REFUSED -> "it refused the connection";
            case CONNECTION_FAILED -> "the connection to it failed";
            case HTTP_STATUS -> e.httpStatus() == 401 || e.httpStatus() == 403
                    ? "it refused the gateway's credential (HTTP " + e.httpStatus() + ")"
                    : "it answered HTTP " + e.httpStatus();
            case MALFORMED_RESPONSE -> "its answer was not valid MCP";
            case RESPONSE_TOO_LARGE -> "its answer was too large";
            case SESSION_EXPIRED -> "its session expired";
            case CREDENTIAL_UNAVAILABLE -> "the gateway has no token for it: "
                    + UpstreamFailure.sanitized(e.getMessage());
            case PROCESS_FAILED, CLOSED -> "its process is not running";
            default -> "it failed (" + e.reason().name().toLowerCase(java.util.Locale.ROOT) + ")";
        };
        LOG.warn("upstream {} failed {}: {}", name, method, e.getMessage());
        return UpstreamFailure.of(kind, name, "Upstream " + name + " could not serve " + method + ": " + why);
    }


    /** The envelope of the caller's era, whatever the upstream's was. */
    private ObjectNode envelope(Call call, String method, ObjectNode result) {
        if (call.modern()) {
            return Envelope.modern(method, result, options);
        }
        MODERN_ENVELOPE.forEach(result::remove);
        return result;
    }

    /** How many 2026 callers' requests to 2025 upstreams wait for their input now (tests, operators). */
    int parkedCalls() {
        return parked.size();
    }

    /** The name of the upstream serving the tool exposed as {@code tool}, if one does. */
    Optional<String> upstreamOfTool(String tool) {
        Route r = current().routes().get(Target.Kind.TOOL).get(tool);
        return r == null ? Optional.empty() : Optional.of(r.upstream().name());
    }

    // ---- Definitions

    @Override
    public List<Entry> list(Target.Kind kind) {
        return current().routes().get(kind).values().stream().map(Route::entry).toList();
    }

    @Override
    public Optional<Entry> find(Target.Kind kind, String name) {
        Route r = current().routes().get(kind).get(name);
        return r == null ? Optional.empty() : Optional.of(r.entry());
    }

    @Override
    public Optional<Entry> resolveResource(String uri) {
        Route r = routeOfUri(uri);
        return r == null ? Optional.empty() : Optional.of(r.entry());
    }

    /** Tells the clients a list changed for a reason of the gateway's own (pins reloaded), not an upstream's. */
    void announce(ChangeListener.Kind change) {
        for (ChangeListener l : listeners) {
            try {
                l.changed(change, null);
            } catch (RuntimeException e) {
                LOG.warn("a list-change listener failed", e);
            }
        }
    }

    @Override
    public void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ChangeListener listener) {
        listeners.remove(listener);
    }
}
