package dev.mcpwarden.gateway;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.ServerOptions;
import dev.mcpwarden.server.backend.Backend;
import dev.mcpwarden.server.pipeline.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Warden in front of MCP servers it did not write: connects each configured upstream, federates their definitions
 * and serves them as one {@link Backend}, which an {@link dev.mcpwarden.server.McpServer} puts behind its controls:
 *
 * <pre>{@code
 * try (Gateway gateway = Gateway.connect(List.of(
 *         UpstreamConfig.of("tickets", UpstreamConfig.Http.of(URI.create("http://10.0.0.5:8080/mcp"))),
 *         UpstreamConfig.of("files", new UpstreamConfig.Stdio(List.of("npx", "@modelcontextprotocol/server-filesystem",
 *                 "/srv/docs"), Map.of(), Optional.empty(), UpstreamConfig.Sandbox.NONE)).withPrefix("files_")))) {
 *     McpServer server = McpServer.builder("warden-gateway", "1.0.0")
 *             .backend(gateway.backend())
 *             .controls(Security.builder(resourceServer).audit(audit).integrity(pins).build())
 *             .build();
 *     server.serveHttp(HttpOptions.loopback(8443));
 * }
 * }</pre>
 *
 * <p>Authorization, pins, rate limits and guards act on the federated definitions and on what the upstreams answer,
 * as they do on the runtime's own tools. An upstream gets only the params of a request, never the caller's
 * credential, and authenticates the gateway with the credential its configuration names.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** List-change notifications waiting to be read; more than this and the next is dropped (a later one re-reads). */
    private static final int MAX_PENDING_REFRESHES = 64;
    /** How often the lists of an upstream that cannot tell of changes are read again. */
    static final java.time.Duration RECHECK = java.time.Duration.ofSeconds(60);

    /**
     * What an operator sees of one upstream.
     *
     * @param transport {@code http} or {@code stdio}
     * @param circuit   {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN} (see {@link #status()})
     * @param isolation {@code shared}, or {@code per-principal} with {@code principalProcesses} running for callers
     *                  (besides the one whose lists are served)
     */
    public record UpstreamStatus(String name, String transport, String protocolVersion, String circuit, int tools,
                                 int prompts, int resources, int templates, String isolation,
                                 int principalProcesses) {

        /** The status of a shared upstream. */
        public UpstreamStatus(String name, String transport, String protocolVersion, String circuit, int tools,
                              int prompts, int resources, int templates) {
            this(name, transport, protocolVersion, circuit, tools, prompts, resources, templates, "shared", 0);
        }
    }

    private final List<Upstream> upstreams;
    private final FederatedBackend backend;
    private final ExecutorService refresher;
    private final java.util.Map<String, UpstreamSupply> supply;

    private Gateway(List<Upstream> upstreams, FederatedBackend backend, ExecutorService refresher,
                    java.util.Map<String, UpstreamSupply> supply) {
        this.upstreams = upstreams;
        this.backend = backend;
        this.refresher = refresher;
        this.supply = supply;
    }

    /** A package installed and verified: the command that runs it, and what was verified. */
    public record Installed(UpstreamConfig.Stdio command, UpstreamSupply supply) {
    }

    /**
     * Installs {@code pkg} into its cache (or verifies the installed tree) as {@link #connect} does before starting
     * it, without starting it: for {@code warden scan}, which lists what the package serves and pins it.
     *
     * @param upstream names it in errors
     * @throws GatewayException when it is not pinned (and not allowed so), cannot be installed, or its installed tree
     *                          or lockfile was changed
     */
    public static Installed install(String upstream, UpstreamConfig.NpmPackage pkg) throws GatewayException {
        NpmInstaller.Installed i = NpmInstaller.install(upstream, pkg);
        return new Installed(i.stdio(), i.supply());
    }

    /** Connects every upstream, with the server's default list caching hints. */
    public static Gateway connect(List<UpstreamConfig> upstreams) throws GatewayException {
        return connect(upstreams, ServerOptions.defaults());
    }

    /**
     * Connects every upstream (starting stdio ones) and reads their definitions.
     *
     * @param options the caching hints sent on 2026-07-28 list results
     * @throws GatewayException when an upstream cannot be reached or listed, two share a name, or their definitions
     *                          clash; upstreams already started are stopped again
     */
    public static Gateway connect(List<UpstreamConfig> upstreams, ServerOptions options) throws GatewayException {
        return connect(upstreams, options, "warden-gateway", java.util.Optional.ofNullable(Gateway.class.getPackage()
                .getImplementationVersion()).orElse("dev"));
    }

    /**
     * As {@link #connect(List, ServerOptions)}, naming the gateway to its callers ({@code serverInfo}) as
     * {@code name} {@code version}.
     */
    public static Gateway connect(List<UpstreamConfig> upstreams, ServerOptions options, String name,
                                  String version) throws GatewayException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(options, "options");
        if (upstreams.isEmpty()) {
            throw new GatewayException("a gateway needs at least one upstream");
        }
        Set<String> names = new HashSet<>();
        for (UpstreamConfig u : upstreams) {
            if (!names.add(u.name())) {
                throw new GatewayException("two upstreams are named " + u.name());
            }
        }
        // One thread reads lists again when an upstream says they changed: never the client's reader thread.
        ThreadPoolExecutor refresher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(MAX_PENDING_REFRESHES), r -> {
                    Thread t = new Thread(r, "warden-gateway-refresh");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.DiscardPolicy());
        List<Upstream> connected = new ArrayList<>();
        FederatedBackend[] backend = new FederatedBackend[1];
        java.util.Map<String, UpstreamSupply> supply = new java.util.LinkedHashMap<>();
        try {
            for (UpstreamConfig declared : upstreams) {
                // A package is installed (or its installed tree verified) and a pinned program checked before
                // anything of it runs.
                SupplyChecks.Checked checked = SupplyChecks.check(declared);
                UpstreamConfig u = checked.config();
                supply.put(u.name(), checked.supply());
                if (u.transport() instanceof UpstreamConfig.Stdio s && s.sandbox() instanceof UpstreamConfig.Sandbox.None) {
                    LOG.warn("UNSANDBOXED STDIO UPSTREAM {}: {} runs with the gateway's own rights (its files, its "
                            + "network, its user); run only servers you trust this way", u.name(), s.command());
                }
                Upstream[] self = new Upstream[1];
                Upstream up = Upstream.connect(u, kind -> {
                    if (backend[0] != null && self[0] != null) {
                        refresher.execute(() -> backend[0].refresh(self[0], kind));
                    }
                });
                self[0] = up;
                connected.add(up);
            }
            ObjectNode serverInfo = Json.object();
            serverInfo.put("name", name);
            serverInfo.put("version", version);
            backend[0] = FederatedBackend.of(connected, serverInfo, options);
        } catch (GatewayException | RuntimeException e) {
            connected.forEach(Upstream::close);
            refresher.shutdownNow();
            throw e;
        }
        for (Upstream up : connected) {
            up.onResourceUpdated(backend[0]::resourceUpdated);
            up.watch(kind -> refresher.execute(() -> backend[0].refresh(up, kind)), RECHECK);
        }
        return new Gateway(List.copyOf(connected), backend[0], refresher,
                java.util.Collections.unmodifiableMap(supply));
    }

    /**
     * What was verified of each upstream's program before it started, by upstream name: the package and its
     * integrity, the installed tree's digest and the registry's signatures, or the program's pinned digest.
     */
    public java.util.Map<String, UpstreamSupply> supplyChain() {
        return supply;
    }

    /** The federated upstreams, to serve with {@link dev.mcpwarden.server.McpServer.Builder#backend}. */
    public Backend backend() {
        return backend;
    }

    /** How many principals' processes the upstream {@code name} runs now (isolation per principal; else 0). */
    int principalProcesses(String name) {
        return upstreams.stream().filter(u -> u.name().equals(name)).mapToInt(Upstream::principalProcesses).sum();
    }

    /**
     * Each upstream: its negotiated protocol revision, its circuit ({@code CLOSED}: in use; {@code OPEN}: failing,
     * answered at once; {@code HALF_OPEN}: being tried again) and how many definitions of each kind it serves.
     */
    public List<UpstreamStatus> status() {
        List<UpstreamStatus> out = new ArrayList<>();
        for (Upstream up : upstreams) {
            String version;
            try {
                version = up.client().protocolVersion();
            } catch (dev.mcpwarden.client.McpClientException e) {
                version = "unknown";
            }
            String transport = up.config().transport() instanceof UpstreamConfig.Stdio ? "stdio" : "http";
            boolean perPrincipal = up.config().isolation().perPrincipal();
            out.add(new UpstreamStatus(up.name(), transport, version, up.circuit(), up.items(Target.Kind.TOOL).size(),
                    up.items(Target.Kind.PROMPT).size(), up.items(Target.Kind.RESOURCE).size(),
                    up.items(Target.Kind.RESOURCE_TEMPLATE).size(), perPrincipal ? "per-principal" : "shared",
                    perPrincipal ? up.principalProcesses() : 0));
        }
        return List.copyOf(out);
    }

    /**
     * What the gateway kept of one upstream's answers: requests served from it ({@code hits}: lists, reads and
     * opted-in tool results), requests that reached the upstream instead ({@code misses}), and how many reads and
     * tool results are kept now ({@code kept}; lists are kept apart, one per kind).
     */
    public record CacheStatus(String upstream, long hits, long misses, long kept) {
    }

    /** Each upstream's cache counters, counted since the gateway connected. */
    public List<CacheStatus> cacheStatus() {
        return upstreams.stream().map(up -> new CacheStatus(up.name(), up.cacheHits(), up.cacheMisses(),
                up.answers().size())).toList();
    }

    /**
     * The names each kind of definition of {@code upstream} is served under (tools and prompts with any prefix;
     * resources and templates by URI), so that an operator's view can relate pins to the upstream they came from.
     *
     * @throws IllegalArgumentException when no upstream has that name
     */
    public java.util.Map<Target.Kind, List<String>> served(String upstream) {
        for (Upstream up : upstreams) {
            if (up.name().equals(upstream)) {
                java.util.Map<Target.Kind, List<String>> out = new java.util.EnumMap<>(Target.Kind.class);
                for (Target.Kind kind : Target.Kind.values()) {
                    out.put(kind, up.items(kind).stream().map(Upstream.Item::exposed).toList());
                }
                return java.util.Collections.unmodifiableMap(out);
            }
        }
        throw new IllegalArgumentException("no upstream is named " + upstream);
    }

    /**
     * Tells subscribed clients that the tool, prompt and resource lists changed, though no upstream's did: call it
     * when what the pipeline lets through changed (a pin file reloaded), so clients list again and see it.
     */
    public void announceListsChanged() {
        backend.announce(dev.mcpwarden.server.dispatch.ChangeListener.Kind.TOOLS);
        backend.announce(dev.mcpwarden.server.dispatch.ChangeListener.Kind.PROMPTS);
        backend.announce(dev.mcpwarden.server.dispatch.ChangeListener.Kind.RESOURCES);
    }

    /**
     * Tells {@code listener} of every definition the poisoning scanner keeps from clients, once per change, with
     * {@link dev.mcpwarden.security.integrity.IntegrityEvent.Type#POISONED_WITHHELD}: those withheld while connecting
     * at once, later ones as the lists are read again. For the audit log: {@code audit.integrityListener()}.
     */
    public void onPoisonedWithheld(java.util.function.Consumer<dev.mcpwarden.security.integrity.IntegrityEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        upstreams.forEach(up -> up.withheld.listen(listener));
    }

    /**
     * Whether a tool name the gateway serves belongs to one of {@code upstreams}, judged against the federated lists
     * at each call: for marking those upstreams' output untrusted ({@code OutputGuardStage.Builder#untrustedWhere}).
     */
    public java.util.function.Predicate<String> toolsOf(Set<String> upstreams) {
        Set<String> names = Set.copyOf(upstreams);
        return tool -> backend.upstreamOfTool(tool).map(names::contains).orElse(false);
    }

    /** Stops every upstream client (and stdio process). */
    @Override
    public void close() {
        refresher.shutdownNow();
        upstreams.forEach(Upstream::close);
    }
}
