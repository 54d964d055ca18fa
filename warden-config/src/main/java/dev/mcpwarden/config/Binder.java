package dev.mcpwarden.config;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.mcpwarden.config.Shape.Bound;
import dev.mcpwarden.config.YamlTree.Location;
import dev.mcpwarden.security.SecurityConfig;
import dev.mcpwarden.security.Secret;
import dev.mcpwarden.security.audit.AuditConfig;
import dev.mcpwarden.security.audit.AuditKey;
import dev.mcpwarden.security.audit.AuditLogOptions;
import dev.mcpwarden.security.audit.FsyncPolicy;
import dev.mcpwarden.security.guard.DetectorSpec;
import dev.mcpwarden.security.guard.InputGuardConfig;
import dev.mcpwarden.security.guard.InputGuardSpec;
import dev.mcpwarden.security.guard.Marking;
import dev.mcpwarden.security.guard.OutputGuardConfig;
import dev.mcpwarden.security.guard.SpotlightConfig;
import dev.mcpwarden.security.guard.Spotlighter;
import dev.mcpwarden.security.guard.PromptShieldsDetector;
import dev.mcpwarden.security.guard.RedactorKind;
import dev.mcpwarden.security.guard.UrlGuard;
import dev.mcpwarden.security.integrity.IntegrityConfig;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.oauth.AuthenticationConfig;
import dev.mcpwarden.security.oauth.Dpop;
import dev.mcpwarden.security.oauth.Introspection;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.ScopeRules;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.security.ratelimit.ConcurrencyLimit;
import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimitConfig;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.http.HttpOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns the bound sections into the configuration records, one small method per section. A record's constructor has
 * the last word: when it refuses a combination, its message becomes a problem at the section's location. A section
 * with a problem below it is skipped, so a mistake is reported once.
 */
final class Binder {

    private final Problems problems;

    Binder(Problems problems) {
        this.problems = problems;
    }

    /** Builds a record, turning the constructor's refusal into a problem at {@code at}; null if it refused. */
    private <T> T build(Location at, String path, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            problems.add(at, "invalid " + Shape.quoted(path) + ": " + e.getMessage());
            return null;
        }
    }

    /** Whether a section cannot be turned into a record: absent, or with a problem inside. */
    private static boolean incomplete(Bound b) {
        return b == null || !b.complete();
    }

    WardenConfig root(Bound b) {
        ServerConfig server = server(b.get("server"));
        HttpOptions http = http(b.get("http"));
        SecurityConfig security = security(b.get("security"));
        Bound g = b.get("gateway");
        GatewayConfig gateway = g == null ? null : gateway(g);
        StoreConfig store = store(b.get("store"));
        dev.mcpwarden.telemetry.TelemetryConfig telemetry = server == null ? null
                : telemetry(b.get("telemetry"), server.name());
        if (incomplete(b) || server == null || http == null || security == null || g != null && gateway == null
                || store == null || telemetry == null) {
            return null;
        }
        return new WardenConfig(server, http, security, Optional.ofNullable(gateway), store, telemetry);
    }

    private dev.mcpwarden.telemetry.TelemetryConfig telemetry(Bound t, String serverName) {
        if (incomplete(t)) {
            return null;
        }
        Bound a = t.get("admin");
        return build(t.location(), t.path(), () -> new dev.mcpwarden.telemetry.TelemetryConfig(
                new dev.mcpwarden.telemetry.TelemetryOptions(t.get("service-name") != null ? t.get("service-name")
                        : serverName, t.get("traces"), t.<Double>get("sample-ratio"), t.get("metrics"),
                        t.get("otlp-metrics"), Optional.ofNullable(t.get("otlp-endpoint"))),
                a == null ? Optional.empty() : Optional.of(new dev.mcpwarden.telemetry.AdminOptions(a.get("host"),
                        a.<Long>get("port").intValue()))));
    }

    private StoreConfig store(Bound s) {
        if (incomplete(s)) {
            return null;
        }
        return build(s.location(), s.path(), () -> switch (s.<String>get("kind")) {
            case "memory" -> StoreConfig.memory();
            default -> {
                java.net.URI url = s.get("url");
                List<java.net.URI> nodes = s.get("cluster-nodes");
                yield new StoreConfig.Redis(url != null ? List.of(url) : nodes == null ? List.of() : nodes,
                        nodes != null, Optional.ofNullable(s.get("password")), s.get("timeout"),
                        Optional.ofNullable(s.get("ca-certificates")));
            }
        });
    }

    // -------------------------------------------------------------------------------------------------- gateway

    GatewayConfig gateway(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        List<dev.mcpwarden.gateway.UpstreamConfig> upstreams = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<String> untrusted = new java.util.HashSet<>();
        for (Bound u : b.<List<Bound>>get("upstreams")) {
            if (u.<Boolean>get("untrusted-output")) {
                untrusted.add(u.get("name"));
            }
            dev.mcpwarden.gateway.UpstreamConfig c = upstream(u);
            if (c == null) {
                return null;
            }
            if (!names.add(c.name())) {
                problems.add(u.at("name"), Shape.quoted(u.pathOf("name")) + ": two upstreams are named " + c.name());
                return null;
            }
            upstreams.add(c);
        }
        return build(b.location(), b.path(), () -> new GatewayConfig(upstreams, b.get("trust-on-first-use"),
                untrusted));
    }

    private static dev.mcpwarden.gateway.UpstreamConfig.ClientCredentials clientCredentials(Bound c) {
        return new dev.mcpwarden.gateway.UpstreamConfig.ClientCredentials(c.get("token-endpoint"), c.get("client-id"),
                c.get("client-secret"), c.get("scopes"), Optional.ofNullable(c.get("resource")));
    }

    private static dev.mcpwarden.gateway.UpstreamConfig.TokenExchange tokenExchange(Bound c) {
        return new dev.mcpwarden.gateway.UpstreamConfig.TokenExchange(c.get("token-endpoint"), c.get("client-id"),
                c.get("client-secret"), c.get("scopes"), Optional.ofNullable(c.get("resource")), c.get("audiences"));
    }

    private dev.mcpwarden.gateway.UpstreamConfig upstream(Bound u) {
        Bound t = u.get("transport");
        dev.mcpwarden.gateway.UpstreamConfig.Transport transport = build(t.location(), t.path(), () -> switch (t.<String>get("kind")) {
            case "http" -> new dev.mcpwarden.gateway.UpstreamConfig.Http(t.get("url"),
                    Optional.ofNullable(t.get("bearer")), t.get("headers"),
                    Optional.ofNullable(t.<Bound>get("client-credentials")).map(Binder::clientCredentials),
                    Optional.ofNullable(t.<Bound>get("token-exchange")).map(Binder::tokenExchange));
            case "npm" -> {
                if (t.<Boolean>get("allow-unpinned")) {
                    problems.warn(t.location(), Shape.quoted(t.pathOf("allow-unpinned")) + ": the package "
                            + t.get("package") + " may install another version than the one reviewed");
                }
                yield dev.mcpwarden.gateway.UpstreamConfig.NpmPackage.of(t.get("package"), t.get("arguments"),
                        t.get("environment"), sandbox(t.get("sandbox"), t.pathOf("sandbox")),
                        Optional.<java.nio.file.Path>ofNullable(t.get("cache"))
                                .orElseGet(dev.mcpwarden.gateway.UpstreamConfig.NpmPackage::defaultCache),
                        Optional.ofNullable(t.get("npm")), Optional.ofNullable(t.get("node")),
                        t.get("allow-unpinned"), Optional.ofNullable(t.get("integrity")));
            }
            default -> new dev.mcpwarden.gateway.UpstreamConfig.Stdio(t.get("command"), t.get("environment"),
                    Optional.ofNullable(t.get("working-directory")), sandbox(t.get("sandbox"), t.pathOf("sandbox")),
                    Optional.ofNullable(t.get("program-digest")));
        });
        if (transport == null) {
            return null;
        }
        String era = u.get("era");
        String withhold = u.get("withhold-poisoned");
        dev.mcpwarden.gateway.UpstreamConfig.Isolation isolation = "per-principal".equals(u.get("isolation"))
                ? dev.mcpwarden.gateway.UpstreamConfig.Isolation.perPrincipal(intOf(u, "max-principal-processes"),
                        u.get("principal-idle"))
                : dev.mcpwarden.gateway.UpstreamConfig.Isolation.SHARED;
        Bound cache = u.get("cache");
        Map<String, dev.mcpwarden.gateway.UpstreamConfig.ToolTransform> transforms = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : u.<Map<String, Object>>get("transform").entrySet()) {
            Bound tb = (Bound) e.getValue();
            dev.mcpwarden.gateway.UpstreamConfig.ToolTransform tool = build(tb.location(), tb.path(),
                    () -> transform(tb));
            if (tool == null) {
                return null;
            }
            transforms.put(e.getKey(), tool);
        }
        return build(u.location(), u.path(), () -> new dev.mcpwarden.gateway.UpstreamConfig(u.get("name"), transport,
                switch (era) {
                    case "2025" -> dev.mcpwarden.gateway.UpstreamConfig.Era.LEGACY;
                    case "2026" -> dev.mcpwarden.gateway.UpstreamConfig.Era.MODERN;
                    default -> dev.mcpwarden.gateway.UpstreamConfig.Era.AUTO;
                }, Optional.ofNullable(u.get("prefix")), java.util.Set.copyOf(u.<List<String>>get("include")),
                java.util.Set.copyOf(u.<List<String>>get("exclude")), u.get("request-timeout"),
                new dev.mcpwarden.gateway.UpstreamConfig.Resilience(intOf(u, "max-concurrent"),
                        intOf(u, "failures-to-open"), u.get("open-for")),
                "none".equals(withhold) ? Optional.empty() : Optional.of(
                        dev.mcpwarden.security.integrity.Severity.valueOf(withhold.toUpperCase(Locale.ROOT))))
                .withIsolation(isolation)
                .withCache(new dev.mcpwarden.gateway.UpstreamConfig.Cache(cache.get("legacy-ttl"),
                        java.util.Set.copyOf(cache.<List<String>>get("tools")), cache.get("tool-ttl")))
                .withTransforms(transforms)
                .withTaskTools(java.util.Set.copyOf(u.<List<String>>get("tasks"))));
    }

    private static dev.mcpwarden.gateway.UpstreamConfig.ToolTransform transform(Bound t) {
        Map<String, tools.jackson.databind.JsonNode> fixed = new LinkedHashMap<>();
        t.<Map<String, Object>>get("fixed").forEach((k, v) -> fixed.put(k, dev.mcpwarden.core.json.Json.nodes()
                .stringNode((String) v)));
        Map<String, tools.jackson.databind.JsonNode> defaults = new LinkedHashMap<>();
        t.<Map<String, Object>>get("defaults").forEach((k, v) -> defaults.put(k, dev.mcpwarden.core.json.Json
                .nodes().stringNode((String) v)));
        Map<String, dev.mcpwarden.gateway.UpstreamConfig.PrincipalField> principal = new LinkedHashMap<>();
        t.<Map<String, Object>>get("from-principal").forEach((k, v) -> principal.put(k,
                dev.mcpwarden.gateway.UpstreamConfig.PrincipalField.valueOf(((String) v).toUpperCase(Locale.ROOT))));
        Map<String, dev.mcpwarden.gateway.UpstreamConfig.Constraint> constraints = new LinkedHashMap<>();
        t.<Map<String, Object>>get("constraints").forEach((k, v) -> {
            Bound c = (Bound) v;
            constraints.put(k, new dev.mcpwarden.gateway.UpstreamConfig.Constraint(c.get("enum"),
                    Optional.ofNullable(c.get("pattern")), intOf(c, "max-length"), c.get("path-roots")));
        });
        return new dev.mcpwarden.gateway.UpstreamConfig.ToolTransform(Optional.ofNullable(t.get("name")),
                Optional.ofNullable(t.get("description")), fixed, defaults, principal,
                java.util.Set.copyOf(t.<List<String>>get("remove")), constraints, t.get("drop-result"),
                t.get("keep-result"));
    }

    private dev.mcpwarden.gateway.UpstreamConfig.Sandbox sandbox(Bound s, String path) {
        if ("none".equals(s.get("kind"))) {
            problems.warn(s.location(), Shape.quoted(path) + ": none runs the command unsandboxed, with the gateway's"
                    + " own rights (its files, its network, its user)");
            return dev.mcpwarden.gateway.UpstreamConfig.Sandbox.NONE;
        }
        dev.mcpwarden.gateway.UpstreamConfig.Sandbox.Bubblewrap b = dev.mcpwarden.gateway.UpstreamConfig.Sandbox
                .bubblewrap().withPaths(s.get("read-only"), s.get("read-write"))
                .withLimits(intOf(s, "max-processes"), s.<Long>get("max-memory-bytes"), s.get("max-cpu"));
        return s.<Boolean>get("network") ? b.withNetwork() : b;
    }

    ServerConfig server(Bound b) {
        return incomplete(b) ? null : build(b.location(), "server", () -> new ServerConfig(b.get("name"), b.get("version"),
                Optional.ofNullable(b.get("title")), Optional.ofNullable(b.get("instructions"))));
    }

    HttpOptions http(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        Bound l = b.get("limits");
        if (incomplete(l)) {
            return null;
        }
        dev.mcpwarden.server.http.TransportLimits limits = build(l.location(), l.path(),
                () -> new dev.mcpwarden.server.http.TransportLimits(l.<Long>get("body-bytes-in-flight"),
                        intOf(l, "min-body-bytes-per-second"), l.get("body-grace"), rate(l.get("session-starts")),
                        rate(l.get("session-requests")), intOf(l, "network-shares")));
        if (limits == null) {
            return null;
        }
        return build(b.location(), "http", () -> new HttpOptions(b.get("host"), intOf(b, "port"), b.get("path"),
                Set.copyOf(b.<List<String>>get("allowed-hosts")), Set.copyOf(b.<List<String>>get("allowed-origins")),
                intOf(b, "max-body-bytes"), intOf(b, "max-json-depth"), intOf(b, "max-sessions"), b.get("session-idle"),
                intOf(b, "events-per-session"), b.get("sse-retry"), b.get("keep-alive"), limits));
    }

    private static dev.mcpwarden.server.http.TransportLimits.Rate rate(Bound r) {
        return new dev.mcpwarden.server.http.TransportLimits.Rate(intOf(r, "burst"),
                intOf(r, "per-minute") / 60.0);
    }

    SecurityConfig security(Bound b) {
        if (b == null) {
            return null;
        }
        // every subsection is built even when a sibling has a problem, so all of the file's problems show at once
        AuthenticationConfig auth = authentication(b.get("authentication"));
        ScopeRules scopes = scopes(b.get("scopes"));
        Optional<Path> policy = policy(b);
        RateLimitConfig limits = rateLimits(b.get("rate-limits"));
        InputGuardConfig input = inputGuards(b);
        OutputGuardConfig output = outputGuards(b.get("output-guards"));
        Optional<IntegrityConfig> integrity = b.has("integrity") ? Optional.ofNullable(integrity(b.get("integrity")))
                : Optional.empty();
        AuditConfig audit = audit(b.get("audit"));
        if (!b.complete() || auth == null || scopes == null || policy == null || limits == null || input == null || output == null
                || (b.has("integrity") && integrity.isEmpty()) || audit == null) {
            return null;
        }
        return build(b.location(), "security", () -> new SecurityConfig(auth, scopes, policy, limits, input, output,
                integrity, audit));
    }

    // ------------------------------------------------------------------------------------------ authentication

    AuthenticationConfig authentication(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        String path = b.path();
        List<TrustedIssuer> issuers = new ArrayList<>();
        List<Bound> given = b.get("issuers");
        for (int i = 0; i < given.size(); i++) {
            TrustedIssuer t = issuer(given.get(i));
            if (t == null) {
                return null;
            }
            issuers.add(t);
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        b.<List<String>>get("algorithms").forEach(a -> algorithms.add(JWSAlgorithm.parse(a)));
        ResourceServerConfig rs = build(b.location(), path, () -> new ResourceServerConfig(b.get("resource"), issuers,
                Set.copyOf(b.<List<String>>get("scopes-supported")), algorithms, b.get("require-at-jwt-type"),
                b.get("clock-skew"), b.get("tenant-claim"), b.get("roles-claim"), intOf(b, "token-cache-size"),
                b.get("jwks-refresh-minimum")));
        Optional<Dpop> dpop = Optional.empty();
        if (b.has("dpop")) {
            Bound d = b.get("dpop");
            dpop = Optional.ofNullable(build(d.location(), d.path(), () -> new Dpop(
                    Dpop.Mode.valueOf(d.<String>get("mode").toUpperCase(Locale.ROOT)), d.get("require-nonce"),
                    d.get("proof-window"), Optional.ofNullable(d.<Secret>get("nonce-secret")),
                    intOf(d, "proofs-per-key"))));
            if (dpop.isEmpty()) {
                return null;
            }
        }
        Optional<Introspection> introspection = Optional.empty();
        if (b.has("introspection")) {
            Bound n = b.get("introspection");
            introspection = Optional.ofNullable(build(n.location(), n.path(), () -> new Introspection(
                    n.get("endpoint"), n.get("issuer"), n.get("client-id"), n.<Secret>get("client-secret").reveal(),
                    n.get("timeout"), n.get("max-cache-ttl"),
                    Introspection.When.valueOf(n.<String>get("introspect").toUpperCase(Locale.ROOT)))));
            if (introspection.isEmpty()) {
                return null;
            }
        }
        if (rs == null) {
            return null;
        }
        Optional<Dpop> d = dpop;
        Optional<Introspection> in = introspection;
        return build(b.location(), path, () -> new AuthenticationConfig(rs, d, in));
    }

    private TrustedIssuer issuer(Bound b) {
        String issuer = b.get("issuer");
        if (b.has("jwks-file")) {
            Path file = b.get("jwks-file");
            JWKSet keys;
            try {
                keys = JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException | java.text.ParseException e) {
                problems.add(b.at("jwks-file"), Shape.quoted(b.pathOf("jwks-file")) + ": " + file
                        + " is not a readable JWKS (" + e.getClass().getSimpleName() + ")");
                return null;
            }
            if (keys.getKeys().isEmpty()) {
                problems.add(b.at("jwks-file"), Shape.quoted(b.pathOf("jwks-file")) + ": " + file
                        + " holds no keys");
                return null;
            }
            if (keys.getKeys().stream().anyMatch(JWK::isPrivate)) {
                // a private key in a resource server's configuration is a mistake worth stopping for
                problems.add(b.at("jwks-file"), Shape.quoted(b.pathOf("jwks-file")) + ": " + file
                        + " holds private keys; give the issuer's public key set");
                return null;
            }
            return build(b.location(), b.path(), () -> TrustedIssuer.withKeys(issuer, keys));
        }
        if (b.has("jwks-uri")) {
            return build(b.location(), b.path(), () -> TrustedIssuer.withJwksUri(issuer, b.get("jwks-uri")));
        }
        return build(b.location(), b.path(), () -> TrustedIssuer.discover(issuer));
    }

    // ---------------------------------------------------------------------------------------- scopes, policy

    ScopeRules scopes(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        return build(b.location(), b.path(), () -> new ScopeRules(scopeMap(b.get("methods")),
                scopeMap(b.get("tools")), scopeMap(b.get("prompts")), scopeMap(b.get("resources"))));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> scopeMap(Map<String, Object> m) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, Set.copyOf((List<String>) v)));
        return out;
    }

    /** The policy file, compiled once here so a broken rule is reported by {@code warden config check}. */
    private Optional<Path> policy(Bound security) {
        if (!security.has("policy")) {
            return Optional.empty();
        }
        Path file = security.get("policy");
        try {
            PolicySet.load(file);
            return Optional.of(file);
        } catch (IOException e) {
            problems.add(security.at("policy"), "cannot read the policy file " + file + ": "
                    + e.getClass().getSimpleName());
        } catch (RuntimeException e) {
            problems.add(security.at("policy"), "invalid policy file " + file + ": " + e.getMessage());
        }
        return null;
    }

    // ----------------------------------------------------------------------------------------------- limits

    RateLimitConfig rateLimits(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        List<RateLimitRule> rules = new ArrayList<>();
        for (Bound r : b.<List<Bound>>get("rules")) {
            RateLimitRule rule = build(r.location(), r.path(), () -> new RateLimitRule(r.get("name"), key(r),
                    r.<Long>get("capacity"), r.get("period"), Set.copyOf(r.<List<String>>get("methods"))));
            if (rule == null) {
                return null;
            }
            rules.add(rule);
        }
        List<ConcurrencyLimit> concurrency = new ArrayList<>();
        for (Bound c : b.<List<Bound>>get("concurrency")) {
            ConcurrencyLimit limit = build(c.location(), c.path(), () -> new ConcurrencyLimit(c.get("name"), key(c),
                    intOf(c, "max-in-flight"), Set.copyOf(c.<List<String>>get("methods"))));
            if (limit == null) {
                return null;
            }
            concurrency.add(limit);
        }
        Bound l = b.get("limiter");
        LimiterConfig limiter = build(l.location(), l.path(), () -> switch (l.<String>get("kind")) {
            case "local" -> new LimiterConfig.Local(intOf(l, "capacity"));
            default -> {
                java.net.URI url = l.get("url");
                List<java.net.URI> nodes = l.get("cluster-nodes");
                yield new LimiterConfig.Redis(url != null ? List.of(url) : nodes == null ? List.of() : nodes,
                        nodes != null, Optional.ofNullable(l.get("password")),
                        Optional.ofNullable(l.get("ca-certificates")));
            }
        });
        if (limiter == null) {
            return null;
        }
        RateLimitStage.WhenUnavailable when = "fail-open".equals(b.get("when-unavailable"))
                ? RateLimitStage.WhenUnavailable.FAIL_OPEN : RateLimitStage.WhenUnavailable.FAIL_CLOSED;
        if (when == RateLimitStage.WhenUnavailable.FAIL_OPEN) {
            problems.warn(b.at("when-unavailable"), Shape.quoted(b.pathOf("when-unavailable"))
                    + ": fail-open lets requests through uncounted while the limiter is down");
        }
        return build(b.location(), b.path(), () -> new RateLimitConfig(rules, concurrency, limiter, when));
    }

    private static RateLimitRule.Key key(Bound b) {
        return RateLimitRule.Key.valueOf(b.<String>get("key").toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    // ----------------------------------------------------------------------------------------------- guards

    @SuppressWarnings("unchecked")
    InputGuardConfig inputGuards(Bound security) {
        Map<String, Object> tools = security.get("input-guards"); // null when a guard below has a problem
        if (tools == null) {
            return null;
        }
        Map<String, Map<String, InputGuardSpec>> guards = new LinkedHashMap<>();
        for (Map.Entry<String, Object> tool : tools.entrySet()) {
            Map<String, InputGuardSpec> args = new LinkedHashMap<>();
            for (Map.Entry<String, Object> arg : ((Map<String, Object>) tool.getValue()).entrySet()) {
                Bound g = (Bound) arg.getValue();
                InputGuardSpec spec = build(g.location(), g.path(), () -> switch (g.<String>get("kind")) {
                    case "path" -> new InputGuardSpec.PathUnder(g.get("root"));
                    case "shell" -> new InputGuardSpec.ShellArgument(intOf(g, "max-length"));
                    default -> new InputGuardSpec.PublicUrl(urlConfig(g));
                });
                if (spec == null) {
                    return null;
                }
                args.put(arg.getKey(), spec);
            }
            guards.put(tool.getKey(), args);
        }
        return build(security.at("input-guards"), security.pathOf("input-guards"),
                () -> new InputGuardConfig(guards));
    }

    private static UrlGuard.Config urlConfig(Bound g) {
        Set<String> denied = new LinkedHashSet<>(UrlGuard.DEFAULT_DENIED_HOSTS);
        denied.addAll(g.<List<String>>get("extra-denied-hosts"));
        Set<Integer> ports = new LinkedHashSet<>();
        g.<List<Long>>get("ports").forEach(p -> ports.add(p.intValue()));
        return new UrlGuard.Config(Set.copyOf(g.<List<String>>get("schemes")), ports, denied, intOf(g, "max-length"));
    }

    OutputGuardConfig outputGuards(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        RedactorKind redactor = redactor(b.get("redactor"));
        if (redactor == RedactorKind.NONE) {
            problems.warn(b.at("redactor"), Shape.quoted(b.pathOf("redactor"))
                    + ": none turns off redaction of secrets and personal data in every tool's output without its"
                    + " own redactor");
        } else if (redactor == RedactorKind.SECRETS) {
            problems.warn(b.at("redactor"), Shape.quoted(b.pathOf("redactor"))
                    + ": secrets lets personal data (e-mail addresses, phone numbers, card numbers) in every tool's"
                    + " output without its own redactor reach every caller");
        }
        Map<String, RedactorKind> redactors = new LinkedHashMap<>();
        b.<Map<String, Object>>get("redactors").forEach((tool, kind) -> {
            redactors.put(tool, redactor((String) kind));
            if (redactors.get(tool) == RedactorKind.NONE) {
                problems.warn(b.at("redactors"), Shape.quoted(b.pathOf("redactors") + "." + tool)
                        + ": none turns off redaction of secrets and personal data in this tool's output");
            } else if (redactors.get(tool) == RedactorKind.SECRETS) {
                problems.warn(b.at("redactors"), Shape.quoted(b.pathOf("redactors") + "." + tool)
                        + ": secrets lets personal data in this tool's output reach every caller");
            }
        });
        Bound sp = b.get("spotlighting");
        SpotlightConfig spotlighting = build(sp.location(), sp.path(), () -> new SpotlightConfig(textMarking(
                sp.get("text")), marking(sp.get("structured")), markings(sp.get("fields"))));
        Map<String, SpotlightConfig> toolSpotlighting = new LinkedHashMap<>();
        boolean spotOk = spotlighting != null;
        for (Map.Entry<String, Object> t : sp.<Map<String, Object>>get("tools").entrySet()) {
            Bound tb = (Bound) t.getValue();
            if (spotlighting == null) {
                break;
            }
            SpotlightConfig tool = build(tb.location(), tb.path(), () -> new SpotlightConfig(
                    tb.has("text") ? textMarking(tb.get("text")) : spotlighting.text(),
                    tb.has("structured") ? marking(tb.get("structured")) : spotlighting.structured(),
                    markings(tb.get("fields"))));
            spotOk &= tool != null;
            if (tool != null) {
                toolSpotlighting.put(t.getKey(), tool);
            }
        }
        if (!spotOk) {
            return null;
        }
        Bound d = b.get("detector");
        DetectorSpec detector = build(d.location(), d.path(), () -> switch (d.<String>get("kind")) {
            case "heuristic" -> new DetectorSpec.Heuristic();
            default -> new DetectorSpec.PromptShields(new PromptShieldsDetector.Config(d.get("endpoint"),
                    d.<Secret>get("key").reveal(), d.get("api-version"), d.get("timeout"), d.get("fail-closed"),
                    intOf(d, "max-chars")));
        });
        if (detector == null) {
            return null;
        }
        return build(b.location(), b.path(), () -> new OutputGuardConfig(redactor, redactors,
                Set.copyOf(b.<List<String>>get("untrusted-tools")), Set.copyOf(b.<List<String>>get("untrusted-prompts")),
                Set.copyOf(b.<List<String>>get("untrusted-resources")), spotlighting, toolSpotlighting, detector));
    }

    private static Spotlighter.Mode textMarking(String name) {
        return Spotlighter.Mode.valueOf(name.toUpperCase(Locale.ROOT));
    }

    private static Marking marking(String name) {
        return Marking.valueOf(name.toUpperCase(Locale.ROOT));
    }

    private static Map<String, Marking> markings(Map<String, Object> fields) {
        Map<String, Marking> out = new LinkedHashMap<>();
        fields.forEach((field, m) -> out.put(field, marking((String) m)));
        return out;
    }

    private static RedactorKind redactor(String name) {
        return RedactorKind.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    // --------------------------------------------------------------------------------------- integrity, audit

    IntegrityConfig integrity(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        Path pins = b.get("pins");
        try {
            PinFile.read(pins);
        } catch (IOException e) {
            problems.add(b.at("pins"), "cannot read the pin file " + pins + ": " + e.getClass().getSimpleName());
            return null;
        } catch (RuntimeException e) {
            problems.add(b.at("pins"), "invalid pin file " + pins + ": " + e.getMessage());
            return null;
        }
        return build(b.location(), b.path(), () -> new IntegrityConfig(pins));
    }

    AuditConfig audit(Bound b) {
        if (incomplete(b)) {
            return null;
        }
        Optional<Path> file = Optional.ofNullable(b.get("file"));
        if (file.isPresent() && (file.get().getParent() == null || !Files.isDirectory(file.get().getParent()))) {
            problems.add(b.at("file"), Shape.quoted(b.pathOf("file")) + ": the directory of " + file.get()
                    + " does not exist");
            return null;
        }
        Optional<AuditKey> key = Optional.empty();
        if (b.has("key")) {
            Secret secret = b.get("key");
            try {
                key = Optional.of(AuditKey.of(Base64.getMimeDecoder().decode(secret.reveal().strip())));
            } catch (IllegalArgumentException e) {
                // the decoder's message could quote the key; name only where it came from
                problems.add(b.at("key"), Shape.quoted(b.pathOf("key")) + ": " + secret.origin()
                        + " is not base64 of at least " + AuditKey.MIN_BYTES + " bytes");
                return null;
            }
        }
        Optional<AuditKey> k = key;
        AuditLogOptions options = build(b.location(), b.path(), () -> new AuditLogOptions(intOf(b, "queue-capacity"),
                b.get("back-pressure-timeout"), fsync(b.get("fsync")), intOf(b, "max-record-bytes"), k,
                Optional.ofNullable(b.get("replica"))));
        return options == null ? null : build(b.location(), b.path(), () -> new AuditConfig(file, options));
    }

    static FsyncPolicy fsync(String text) {
        if (text.equals("every-record")) {
            return FsyncPolicy.everyRecord();
        }
        if (text.equals("never")) {
            return FsyncPolicy.never();
        }
        String rest = text.substring("every ".length());
        if (rest.endsWith(" records")) {
            return FsyncPolicy.everyRecords(Integer.parseInt(rest.substring(0, rest.length() - " records".length())));
        }
        Duration d = Shape.Dur.parse(rest);
        return FsyncPolicy.interval(d);
    }

    private static int intOf(Bound b, String key) {
        return Math.toIntExact(b.<Long>get(key));
    }

}
