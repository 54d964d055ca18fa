package dev.mcpwarden.cli;

import dev.mcpwarden.gateway.Gateway;
import dev.mcpwarden.gateway.GatewayException;
import dev.mcpwarden.gateway.UpstreamConfig;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.audit.Audit;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.security.audit.AuditLogOptions;
import dev.mcpwarden.security.audit.AuditSink;
import dev.mcpwarden.security.audit.AuditTrail;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.IntegrityEvent;
import dev.mcpwarden.security.integrity.IntegrityGate;
import dev.mcpwarden.security.integrity.IntegrityStage;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinStore;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Target;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.mcpwarden.config.ConfigException;
import dev.mcpwarden.config.WardenConfig;
import dev.mcpwarden.security.SecurityConfig;
import dev.mcpwarden.security.audit.AuditConfig;
import dev.mcpwarden.security.integrity.IntegrityConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden gateway}: Warden's pipeline in front of MCP servers it did not write. The quick-start flags name the
 * upstreams, the token issuer (or the development option {@code --allow-anonymous}) and the pin file.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = GatewayStatusCommand.class,
        description = {"Warden's security pipeline in front of MCP servers over Streamable HTTP or stdio.",
                "Example: warden gateway --port 8443 --issuer https://idp.example --jwks-file jwks.json "
                        + "--resource https://mcp.example/mcp --upstream tickets=http://10.0.0.5:8080/mcp "
                        + "--pins pins.json"})
final class GatewayCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    ReplicaOptions replica = new ReplicaOptions();

    @picocli.CommandLine.Mixin
    AdminPortOptions admin = new AdminPortOptions();

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommand.class);
    private static final String STDIO = "stdio:";
    private static final String NPM = "npm:";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    // --port and --upstream are checked by start() rather than by picocli: 'warden gateway status' needs neither.
    @Option(names = "--port", description = "Port to serve /mcp on (loopback). Required.")
    Integer port;

    @Option(names = "--issuer", description = "The authorization server whose access tokens are accepted.")
    String issuer;

    @Option(names = "--jwks-file", description = "The issuer's JWK set (public keys).")
    Path jwksFile;

    @Option(names = "--resource", description = "This gateway's resource URL: the audience tokens must name.")
    URI resource;

    @Option(names = "--allow-anonymous", description = "Development only: serve without authentication (every "
            + "caller is anonymous and reaches every upstream tool). Warned about; loopback only.")
    boolean allowAnonymous;

    @Option(names = "--upstream", paramLabel = "NAME=URL|NAME=stdio:COMMAND ARG...|NAME=npm:PACKAGE@VERSION ARG...",
            description = "An upstream MCP server: a Streamable HTTP URL, a command to start (arguments split "
                    + "on spaces), or an npm package at an exact version, which the gateway installs from a lockfile "
                    + "into its cache and starts (never npx; see docs/supply-chain.md). Repeat for several; their "
                    + "names must not clash. Required.")
    List<String> upstreams = List.of();

    @Option(names = "--upstream-era", paramLabel = "NAME=2025|2026", description = "Speak only this era to an "
            + "upstream (default: 2026-07-28 first, then a 2025 session).")
    List<String> eras = List.of();

    @Option(names = "--upstream-cache", paramLabel = "NAME=SECONDS", description = "Keep a 2025 upstream's lists "
            + "and reads this long (it sends no caching hints; default 0: read them again for every request). A "
            + "2026-07-28 upstream's are kept for the ttlMs it sends.")
    List<String> caches = List.of();

    @Option(names = "--untrusted-upstream", paramLabel = "NAME", description = "An upstream whose tools' output "
            + "third parties write (web pages, tickets, mail): checked for prompt injection, quarantined when one is "
            + "found, otherwise delimited. Repeat for several.")
    List<String> untrustedUpstreams = List.of();

    @Option(names = "--pins", paramLabel = "FILE", description = "Pinned definitions (warden scan --write-pins): "
            + "a changed, new or removed definition is withheld until approved (warden pins approve); the file is "
            + "reloaded when it changes, without a restart.")
    Path pins;

    @Option(names = "--trust-on-first-use", description = "With --pins FILE that does not exist yet: pin what the "
            + "upstreams list now and write FILE.")
    boolean trustOnFirstUse;

    @Option(names = "--audit-file", paramLabel = "FILE", description = "Write an audit record of every request "
            + "(hash-chained JSON lines).")
    Path auditFile;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "The operator token GET "
            + "/warden/status requires (warden gateway status). Without it the endpoint is served only with "
            + "--allow-anonymous, and only to loopback callers.")
    Path adminTokenFile;

    @Option(names = "--config", paramLabel = "FILE", description = "A configuration file (warden.yaml) with a "
            + "gateway: section: the server, HTTP and security pipeline come from it, and its upstreams are served "
            + "beside any --upstream. Authentication, pins and the audit log are then the file's alone.")
    Path config;

    @Option(names = "--unsandboxed-stdio", description = "Start stdio upstreams without the bubblewrap sandbox, "
            + "with the gateway's own rights (warned about). By default each runs sandboxed: no network, no home "
            + "directory, only the system and its own tree, read-only.")
    boolean unsandboxedStdio;

    /** A started gateway, or the exit code of a gateway that could not start. */
    record Started(int exitCode, HttpTransport http, Gateway gateway, AuditLog audit, PinFileWatcher pinWatcher,
                   SharedState shared, CliTelemetry telemetry) implements AutoCloseable {
        static Started failed(int exitCode) {
            return new Started(exitCode, null, null, null, null, null, null);
        }

        /** Stops gracefully: drains the transport, then closes the rest (the audit log last). */
        void drain(java.time.Duration grace) {
            if (http != null) {
                http.drain(grace);
            }
            close();
        }

        @Override
        public void close() {
            if (pinWatcher != null) {
                pinWatcher.close();
            }
            if (http != null) {
                http.close();
            }
            if (gateway != null) {
                gateway.close();
            }
            if (audit != null) {
                audit.close();
            }
            if (shared != null) {
                shared.close();
            }
            if (telemetry != null) {
                telemetry.close();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        Started started = start(spec.commandLine().getErr());
        if (started.http() == null) {
            return started.exitCode();
        }
        dev.mcpwarden.server.lifecycle.Shutdown.register(dev.mcpwarden.server.lifecycle.Shutdown.Phase.DRAIN,
                "gateway", () -> started.drain(replica.shutdownGrace));
        started.http().join();
        return 0;
    }

    /** Starts the gateway the options describe; messages go to {@code err}. */
    Started start(PrintWriter err) throws Exception {
        WardenConfig file = null;
        if (config != null) {
            try {
                file = WardenConfig.load(config);
            } catch (ConfigException e) {
                err.println("warden gateway: " + e.getMessage());
                return Started.failed(2);
            }
            if (file.gateway().isEmpty()) {
                err.println("warden gateway: " + config + " has no gateway: section (its upstreams)");
                return Started.failed(2);
            }
            if (allowAnonymous || issuer != null || jwksFile != null || resource != null || pins != null
                    || auditFile != null) {
                err.println("warden gateway: with --config, authentication, pins and the audit log come from the "
                        + "file; leave out --issuer, --jwks-file, --resource, --allow-anonymous, --pins and "
                        + "--audit-file");
                return Started.failed(2);
            }
        }
        if (file == null && (port == null || upstreams.isEmpty())) {
            err.println("warden gateway: give --port and at least one --upstream (or --config FILE)");
            return Started.failed(2);
        }
        Optional<String> adminToken = Optional.empty();
        if (adminTokenFile != null) {
            String token = Files.readString(adminTokenFile).strip();
            if (token.length() < 16) {
                err.println("warden gateway: the admin token in " + adminTokenFile + " is shorter than 16 characters");
                return Started.failed(2);
            }
            adminToken = Optional.of(token);
        }
        List<UpstreamConfig> configs = new ArrayList<>();
        if (file != null) {
            configs.addAll(file.gateway().get().upstreams());
        }
        try {
            configs.addAll(upstreams(upstreams, eras, unsandboxedStdio));
            List<UpstreamConfig> withTtl = cached(configs, caches);
            configs.clear();
            configs.addAll(withTtl);
        } catch (IllegalArgumentException e) {
            err.println("warden gateway: " + e.getMessage());
            return Started.failed(2);
        }
        Set<String> untrusted = new java.util.LinkedHashSet<>(untrustedUpstreams);
        if (file != null) {
            untrusted.addAll(file.gateway().get().untrustedOutput());
        }
        Set<String> known = configs.stream().map(UpstreamConfig::name).collect(java.util.stream.Collectors.toSet());
        for (String u : untrusted) {
            if (!known.contains(u)) {
                err.println("warden gateway: --untrusted-upstream " + u + " names no upstream");
                return Started.failed(2);
            }
        }
        Path pins = this.pins;
        Path auditFile = this.auditFile;
        AuditLogOptions auditOptions = AuditLogOptions.defaults();
        boolean trustOnFirstUse = this.trustOnFirstUse;
        if (file != null) {
            pins = file.security().integrity().map(IntegrityConfig::pinFile).orElse(null);
            auditFile = file.security().audit().chainFile().orElse(null);
            auditOptions = file.security().audit().options();
            trustOnFirstUse |= file.gateway().get().trustOnFirstUse();
        } else {
            boolean authenticated = issuer != null || jwksFile != null || resource != null;
            if (allowAnonymous == authenticated) {
                err.println("warden gateway: give --issuer, --jwks-file and --resource, or --allow-anonymous");
                return Started.failed(2);
            }
            if (authenticated && (issuer == null || jwksFile == null || resource == null)) {
                err.println("warden gateway: --issuer, --jwks-file and --resource go together");
                return Started.failed(2);
            }
        }
        if (trustOnFirstUse && pins == null) {
            err.println("warden gateway: trust on first use needs a pin file (--pins FILE, or security.integrity.pins in --config)");
            return Started.failed(2);
        }
        if (pins != null && !Files.exists(pins) && !trustOnFirstUse) {
            err.println("warden gateway: the pin file " + pins + " does not exist (write it with warden scan "
                    + "--write-pins, or add --trust-on-first-use)");
            return Started.failed(2);
        }
        SharedState shared;
        try {
            shared = file == null ? replica.shared() : SharedState.of(file.store(), replica.redis, replica.replicaId);
            if (file != null) {
                try {
                    shared.security(file.security()); // refuses what replicas could not share (DPoP replays)
                } catch (IllegalArgumentException e) {
                    shared.close();
                    throw e;
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("warden gateway: " + e.getMessage());
            return Started.failed(2);
        }
        if (replica.replicaId != null && auditFile != null) {
            // one chain per replica: audit.jsonl of replica r2 is audit-r2.jsonl (warden audit verify DIR)
            AuditConfig named = new AuditConfig(Optional.of(auditFile), auditOptions.withReplica(shared.replicaId()));
            auditFile = named.chainFile().orElseThrow();
            auditOptions = named.options();
        }
        if (pins != null && Files.exists(pins)) {
            // A package's pinned version and integrity hold before anything of it is installed or run.
            try {
                PinFile pinned = PinFile.read(pins);
                for (int i = 0; i < configs.size(); i++) {
                    configs.set(i, pinPackage(configs.get(i), pinned, pins));
                }
            } catch (java.io.IOException | RuntimeException e) {
                err.println("warden gateway: " + e.getMessage());
                shared.close();
                return Started.failed(2);
            } catch (PackagePinMismatch e) {
                err.println("warden gateway: " + e.getMessage());
                shared.close();
                return Started.failed(1);
            }
        }
        Gateway gateway;
        try {
            gateway = file == null ? Gateway.connect(configs) : Gateway.connect(configs,
                    dev.mcpwarden.server.ServerOptions.defaults(), file.server().name(), file.server().version());
        } catch (GatewayException e) {
            err.println("warden gateway: " + e.getMessage());
            shared.close();
            return Started.failed(1);
        }
        CliTelemetry telemetry = null;
        try {
            Security.Builder security;
            if (file != null) {
                // pins and the audit log are wired below as for the flags, so that the pin file is reloaded too
                SecurityConfig sc = shared.security(file.security());
                security = Security.from(new SecurityConfig(sc.authentication(), sc.scopes(), sc.policy(),
                        sc.rateLimits(), sc.inputGuards(), sc.outputGuards(), Optional.empty(), AuditConfig.none()),
                        InstantSource.system());
            } else if (allowAnonymous) {
                security = Security.insecureWithoutAuthentication();
            } else {
                ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(resource,
                        List.of(TrustedIssuer.withKeys(issuer,
                                dev.mcpwarden.examples.sample.SampleServer.Options.readJwks(jwksFile))), Set.of()))
                        .scopesOnly().build();
                security = Security.builder(rs);
            }
            if (!untrusted.isEmpty()) {
                java.util.function.Predicate<String> third = gateway.toolsOf(untrusted);
                security.outputGuards(file != null ? file.security().outputGuards().toStage(third)
                        : dev.mcpwarden.security.guard.OutputGuardStage.builder().untrustedWhere(third).build());
            }
            CliTelemetry cliTelemetry = file == null ? CliTelemetry.of(admin, "warden-gateway")
                    : CliTelemetry.of(admin, file.telemetry());
            telemetry = cliTelemetry;
            dev.mcpwarden.telemetry.Telemetry t = cliTelemetry.telemetry();
            java.util.function.Consumer<IntegrityEvent> counted = t == null ? e -> {
            } : t.integrityListener();
            if (t != null) {
                security.listener(t.listener());
                Gateway observed = gateway;
                t.upstreamCircuits(() -> {
                    java.util.Map<String, String> circuits = new java.util.LinkedHashMap<>();
                    observed.status().forEach(u -> circuits.put(u.name(), u.circuit()));
                    return circuits;
                });
            }
            AuditLog audit = null;
            Audit auditor = null;
            if (auditFile != null) {
                audit = AuditLog.open(AuditSink.file(auditFile), auditOptions, InstantSource.system());
                auditor = Audit.to(AuditTrail.of(audit));
                security.audit(auditor);
                gateway.onPoisonedWithheld(auditor.integrityListener().andThen(counted));
                if (t != null) {
                    AuditLog queued = audit;
                    t.auditQueue(() -> queued.stats().queued());
                }
                auditSupplyChain(gateway, audit);
            } else {
                gateway.onPoisonedWithheld(counted);
                LOG.warn("NO AUDIT LOG: requests through the gateway are not recorded (give --audit-file FILE)");
            }
            IntegrityStage integrity = null;
            Path pinFile = pins;
            if (pins != null) {
                if (!Files.exists(pins)) {
                    List<Definition> listed = listed(gateway);
                    withPackages(PinFile.of(listed), gateway).write(pins);
                    LOG.warn("TRUST ON FIRST USE: pinned the {} definitions the upstreams list now in {}; review them "
                            + "(warden scan) before trusting them", listed.size(), pins);
                }
                archivePinned(pins, gateway);
                // Built here rather than by Security so that the pin file watcher can reload this very gate.
                IntegrityGate.Builder gate = IntegrityGate.builder(PinStore.file(pins));
                PendingApprovals pending = PendingApprovals.empty(PendingApprovals.of(pins));
                pending.write(); // what an earlier run withheld is decided again now
                java.util.function.Consumer<IntegrityEvent> recorder = recordPending(pending, gateway);
                gate.listener((auditor == null ? recorder : auditor.integrityListener().andThen(recorder))
                        .andThen(counted));
                integrity = IntegrityStage.of(gate.build());
                security.integrity(integrity);
            }
            McpServer server = McpServer.builder(file == null ? "warden-gateway" : file.server().name(),
                            file == null ? version() : file.server().version()).backend(gateway.backend())
                    .controls(security.build()).build();
            HttpOptions options = file == null ? HttpOptions.loopback(port)
                    : port == null ? file.http() : file.http().withPort(port);
            Gateway reported = gateway;
            HttpTransport.Builder transport = shared.http(HttpTransport.builder(server, options))
                    // every replica sees the same upstreams: their state informs, it does not take this one out
                    .report("upstreams", () -> {
                        List<Gateway.UpstreamStatus> all = reported.status();
                        long up = all.stream().filter(u -> !"OPEN".equals(u.circuit())).count();
                        return up + " of " + all.size() + " available";
                    });
            if (adminToken.isPresent() || allowAnonymous) {
                transport.mount("/warden", GatewayStatus.handler(gateway, Optional.ofNullable(integrity), adminToken));
            } else {
                LOG.info("no operator endpoint: give --admin-token-file to serve {}", GatewayStatus.PATH);
            }
            HttpTransport http = transport.start();
            for (Gateway.UpstreamStatus s : gateway.status()) {
                err.println("warden gateway: upstream " + s.name() + " (" + s.protocolVersion() + "): " + s.tools()
                        + " tools, " + s.prompts() + " prompts, " + s.resources() + " resources, " + s.templates()
                        + " templates");
            }
            PinFileWatcher watcher = integrity == null ? null
                    : PinFileWatcher.start(pinFile, integrity, gateway::announceListsChanged);
            err.println("warden gateway listening on " + http.uri());
            try {
                telemetry.serveAdmin(http, new java.io.PrintStream(System.err, true));
            } catch (IllegalStateException e) {
                err.println("warden gateway: " + e.getMessage());
                new Started(1, http, gateway, audit, watcher, shared, telemetry).close();
                return Started.failed(1);
            }
            err.flush();
            return new Started(0, http, gateway, audit, watcher, shared, telemetry);
        } catch (Exception | Error e) {
            gateway.close(); // started upstream processes never outlive a failed start
            shared.close();
            if (telemetry != null) {
                telemetry.close();
            }
            throw e;
        }
    }

    /**
     * Keeps the pending file beside the pin file in step with the gate: what it withholds (changed, new, removed) is
     * added with the definition listed now, so that {@code warden pins approve} can show it; what is approved leaves.
     */
    static java.util.function.Consumer<IntegrityEvent> recordPending(PendingApprovals pending, Gateway gateway) {
        return e -> {
            switch (e.type()) {
                case CHANGED_WITHHELD, NEW_WITHHELD, REMOVED -> pending.put(new PendingApprovals.Entry(e.kind(),
                        e.name(), e.pinned(), e.live(), e.live() == null ? null
                                : PendingApprovals.find(listed(gateway), e.kind(), e.name())));
                case APPROVED, PIN_REMOVED -> pending.entries().stream()
                        .filter(p -> p.kind() == e.kind() && p.name().equals(e.name())
                                && java.util.Objects.equals(p.live(), e.live()))
                        .forEach(pending::remove);
                default -> {
                    return; // collisions and allowed definitions wait for nobody's approval
                }
            }
            try {
                pending.write();
            } catch (java.io.IOException ex) {
                LOG.error("cannot write the pending approvals beside the pin file: {}", ex.getMessage());
            }
        };
    }

    /**
     * Keeps beside the pin file the definitions listed now whose digest is the one pinned, so that an approval can
     * later show what a changed definition was; best effort (the archive only adds detail).
     */
    static void archivePinned(Path pins, Gateway gateway) {
        try {
            PinFile pinned = PinFile.read(pins);
            PinnedDefinitions archive = PinnedDefinitions.read(pins);
            archive.putAll(listed(gateway).stream().filter(d -> pinned.digest(d.kind(), d.name())
                    .map(d.digest()::equals).orElse(false)).toList());
            archive.write();
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("cannot keep the pinned definitions beside {}: {}", pins, e.getMessage());
        }
    }

    /** What the upstreams list now, as definitions to pin. */
    static List<Definition> listed(Gateway gateway) {
        List<Definition> all = new ArrayList<>();
        for (Target.Kind kind : Target.Kind.values()) {
            DefinitionKind pinned = DefinitionKind.of(kind);
            if (pinned != null) {
                gateway.backend().definitions().list(kind).forEach(e -> all.add(Definition.of(pinned, e.json())));
            }
        }
        return all;
    }

    /** The upstreams the flags describe. */
    static List<UpstreamConfig> upstreams(List<String> specs, List<String> eraSpecs, boolean unsandboxed) {
        Map<String, UpstreamConfig.Era> eras = new LinkedHashMap<>();
        for (String s : eraSpecs) {
            int eq = s.indexOf('=');
            String value = eq < 0 ? "" : s.substring(eq + 1);
            UpstreamConfig.Era era = switch (value) {
                case "2025" -> UpstreamConfig.Era.LEGACY;
                case "2026" -> UpstreamConfig.Era.MODERN;
                default -> throw new IllegalArgumentException("--upstream-era is NAME=2025 or NAME=2026, was " + s);
            };
            eras.put(s.substring(0, eq), era);
        }
        List<UpstreamConfig> out = new ArrayList<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new IllegalArgumentException("--upstream is NAME=URL or NAME=stdio:COMMAND, was " + s);
            }
            String name = s.substring(0, eq);
            String target = s.substring(eq + 1);
            UpstreamConfig.Transport transport;
            if (target.startsWith(NPM)) {
                List<String> words = List.of(target.substring(NPM.length()).trim().split("\\s+"));
                if (words.getFirst().isEmpty()) {
                    throw new IllegalArgumentException("upstream " + name + " names no package after npm:");
                }
                UpstreamConfig.NpmPackage p = UpstreamConfig.NpmPackage.of(words.getFirst(),
                        words.subList(1, words.size()), UpstreamConfig.NpmPackage.defaultCache());
                transport = unsandboxed ? p.withSandbox(UpstreamConfig.Sandbox.NONE) : p;
            } else if (target.startsWith(STDIO)) {
                List<String> command = List.of(target.substring(STDIO.length()).trim().split("\\s+"));
                if (command.getFirst().isEmpty()) {
                    throw new IllegalArgumentException("upstream " + name + " names no command after stdio:");
                }
                transport = new UpstreamConfig.Stdio(command, Map.of(), Optional.empty(),
                        unsandboxed ? UpstreamConfig.Sandbox.NONE : UpstreamConfig.Sandbox.bubblewrap());
            } else {
                transport = UpstreamConfig.Http.of(URI.create(target));
            }
            UpstreamConfig c = UpstreamConfig.of(name, transport);
            UpstreamConfig.Era era = eras.remove(name);
            out.add(era == null ? c : c.withEra(era));
        }
        if (!eras.isEmpty()) {
            throw new IllegalArgumentException("--upstream-era names no upstream: " + String.join(", ", eras.keySet()));
        }
        return out;
    }

    /** The upstreams with the TTLs of {@code --upstream-cache NAME=SECONDS} (file upstreams and flags' alike). */
    static List<UpstreamConfig> cached(List<UpstreamConfig> configs, List<String> specs) {
        Map<String, java.time.Duration> ttls = new LinkedHashMap<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            long seconds;
            try {
                seconds = eq <= 0 ? -1 : Long.parseLong(s.substring(eq + 1));
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 0 || seconds > UpstreamConfig.Cache.MAX_TTL.toSeconds()) {
                throw new IllegalArgumentException("--upstream-cache is NAME=SECONDS (0 to 86400), was " + s);
            }
            ttls.put(s.substring(0, eq), java.time.Duration.ofSeconds(seconds));
        }
        List<UpstreamConfig> out = new ArrayList<>();
        for (UpstreamConfig c : configs) {
            java.time.Duration ttl = ttls.remove(c.name());
            out.add(ttl == null ? c : c.withCache(c.cache().withLegacyTtl(ttl)));
        }
        if (!ttls.isEmpty()) {
            throw new IllegalArgumentException("--upstream-cache names no upstream: "
                    + String.join(", ", ttls.keySet()));
        }
        return out;
    }

    /**
     * An npm upstream with its package pin applied: a version other than the pinned one is refused (a new version is
     * reviewed with {@code warden scan --write-pins} first), and the pinned integrity is required of its lockfile.
     */
    static UpstreamConfig pinPackage(UpstreamConfig u, PinFile pinned, Path pins) throws PackagePinMismatch {
        if (!(u.transport() instanceof UpstreamConfig.NpmPackage p)) {
            return u;
        }
        Optional<PinFile.PackagePin> pin = pinned.packagePin(p.name());
        if (pin.isEmpty()) {
            return u;
        }
        if (!pin.get().version().equals(p.version())) {
            throw new PackagePinMismatch("upstream " + u.name() + ": the package " + p.name() + " is pinned at "
                    + pin.get().version() + " in " + pins + ", and the configuration names " + p.version()
                    + "; review the new version (warden scan --write-pins) before running it");
        }
        if (p.integrity().isPresent() && !p.integrity().get().equals(pin.get().integrity())) {
            throw new PackagePinMismatch("upstream " + u.name() + ": the package " + p.spec() + " has the integrity "
                    + p.integrity().get() + " in the configuration and " + pin.get().integrity() + " in " + pins);
        }
        return u.withTransport(p.withIntegrity(pin.get().integrity()));
    }

    /** A package upstream whose configuration disagrees with its pin. */
    static final class PackagePinMismatch extends Exception {
        private static final long serialVersionUID = 1L;

        PackagePinMismatch(String message) {
            super(message);
        }
    }

    /** {@code pins} with the package of each npm upstream the gateway installed, as trust on first use pins them. */
    static PinFile withPackages(PinFile pins, Gateway gateway) {
        PinFile out = pins;
        for (var e : gateway.supplyChain().values()) {
            if (e.source().equals("npm") && e.pinned() && e.subject().isPresent() && e.integrity().isPresent()) {
                String subject = e.subject().get();
                int at = subject.lastIndexOf('@');
                out = out.withPackage(subject.substring(0, at), new PinFile.PackagePin(subject.substring(at + 1),
                        e.integrity().get()));
            }
        }
        return out;
    }

    /** One record per upstream whose program was checked before it started (docs/supply-chain.md). */
    static void auditSupplyChain(Gateway gateway, AuditLog audit) {
        gateway.supplyChain().forEach((name, s) -> {
            if (s.source().equals(dev.mcpwarden.gateway.UpstreamSupply.NONE.source())) {
                return;
            }
            Map<String, Object> detail = new java.util.LinkedHashMap<>();
            detail.put("source", s.source());
            s.subject().ifPresent(v -> detail.put("subject", v));
            detail.put("pinned", s.pinned());
            s.integrity().ifPresent(v -> detail.put("integrity", v));
            s.tree().ifPresent(v -> detail.put("tree", v));
            detail.put("signatures", s.signatures());
            audit.record(dev.mcpwarden.security.audit.AuditEvent.builder(
                            dev.mcpwarden.security.audit.AuditEventType.SUPPLY_CHAIN, java.time.Instant.now(),
                            dev.mcpwarden.server.pipeline.CorrelationIds.next())
                    .target("upstream/" + name).outcome(s.pinned() ? "verified" : "verified_unpinned")
                    .detail(detail).build());
        });
    }

    private static String version() {
        return Optional.ofNullable(GatewayCommand.class.getPackage().getImplementationVersion()).orElse("dev");
    }
}
