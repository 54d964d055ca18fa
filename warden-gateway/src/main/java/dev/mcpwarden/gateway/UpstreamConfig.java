package dev.mcpwarden.gateway;

import dev.mcpwarden.security.Secret;
import dev.mcpwarden.security.integrity.Severity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One upstream MCP server behind the gateway.
 *
 * @param name           how the gateway names it in logs, audit records and errors ({@code [a-z0-9][a-z0-9-]*})
 * @param transport      how it is reached
 * @param era            which protocol era to speak to it ({@link Era#AUTO}: 2026-07-28 first, then a 2025 session)
 * @param prefix         put before each of its tool and prompt names (e.g. {@code github_}); empty: names verbatim,
 *                       and a name two upstreams share is a start-up error
 * @param include        only these tool and prompt names (as the upstream names them) are served; empty: all
 * @param exclude        these tool and prompt names are never served
 * @param requestTimeout how long a request may wait for the upstream's answer
 * @param resilience     how the gateway keeps a failing or flooded upstream from taking the others down
 * @param withholdPoisoned a definition the poisoning scanner finds something of this severity or worse in (hidden
 *                       instructions, secrets asked for, other tools shadowed) is not served; empty: all are served
 * @param isolation      whether one process of a stdio upstream serves every caller ({@link Isolation#SHARED}) or
 *                       each principal gets its own ({@link Isolation#PER_PRINCIPAL}; stdio only)
 * @param cache          how long its lists, reads and opted-in tool results are kept ({@link Cache})
 * @param transforms     how some of its tools are served, by the upstream's tool names ({@link ToolTransform})
 * @param taskTools      tools (the upstream's own names) the gateway runs as tasks of its own ({@link #withTaskTools})
 */
public record UpstreamConfig(String name, Transport transport, Era era, Optional<String> prefix, Set<String> include,
                             Set<String> exclude, Duration requestTimeout, Resilience resilience,
                             Optional<Severity> withholdPoisoned, Isolation isolation, Cache cache,
                             Map<String, ToolTransform> transforms, Set<String> taskTools) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** What a tool name may hold (the specification's guidance), so a prefix keeps names valid. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** The protocol era spoken to an upstream. */
    public enum Era {
        /** The 2026-07-28 wire first; a 2025-11-25 session when the upstream does not speak it. */
        AUTO,
        /** Only the 2026-07-28 wire. */
        MODERN,
        /** Only a 2025-11-25 session. */
        LEGACY
    }

    /** How an upstream is reached. */
    public sealed interface Transport {
    }

    /**
     * Streamable HTTP.
     *
     * @param url     the MCP endpoint (http or https)
     * @param bearer  the upstream's own credential, sent as {@code Authorization: Bearer}; never the client's
     * @param headers further headers with secret values (e.g. {@code X-Api-Key})
     * @param clientCredentials the gateway's own OAuth client credentials at the upstream's authorization server,
     *                          whose token is sent instead of {@code bearer} (at most one of the two)
     * @param tokenExchange     each caller's token exchanged (RFC 8693) for one whose audience is the upstream,
     *                          sent with that caller's requests; the gateway's own requests (lists) keep
     *                          {@code bearer} or {@code clientCredentials}
     */
    public record Http(URI url, Optional<Secret> bearer, Map<String, Secret> headers,
                       Optional<ClientCredentials> clientCredentials, Optional<TokenExchange> tokenExchange)
            implements Transport {
        public Http {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                throw new IllegalArgumentException("an upstream URL must be http:// or https://, was " + url);
            }
            bearer = Objects.requireNonNull(bearer, "bearer");
            headers = Map.copyOf(headers);
            clientCredentials = Objects.requireNonNull(clientCredentials, "clientCredentials");
            tokenExchange = Objects.requireNonNull(tokenExchange, "tokenExchange");
            if ((clientCredentials.isPresent() || tokenExchange.isPresent()) && !scheme.equals("https")
                    && !loopback(url)) {
                throw new IllegalArgumentException("an upstream that gets OAuth tokens (client credentials or token "
                        + "exchange) must be https:// (http:// only on a loopback address): users' tokens would cross "
                        + "the network in clear, was " + url);
            }
            if (bearer.isPresent() && clientCredentials.isPresent()) {
                throw new IllegalArgumentException("an upstream has one credential: a bearer token or client "
                        + "credentials, not both");
            }
        }

        /** With a static bearer token (or none) and further headers. */
        public Http(URI url, Optional<Secret> bearer, Map<String, Secret> headers) {
            this(url, bearer, headers, Optional.empty(), Optional.empty());
        }

        /** An upstream at {@code url} that needs no credential. */
        public static Http of(URI url) {
            return new Http(url, Optional.empty(), Map.of());
        }

        /** The same upstream, authenticated with the gateway's own client credentials at its authorization server. */
        public Http withClientCredentials(ClientCredentials credentials) {
            return new Http(url, Optional.empty(), headers, Optional.of(credentials), tokenExchange);
        }

        /** The same upstream, called with each caller's token exchanged for one of its own. */
        public Http withTokenExchange(TokenExchange exchange) {
            return new Http(url, bearer, headers, clientCredentials, Optional.of(exchange));
        }
    }

    /**
     * The gateway's own OAuth client credentials for an upstream (RFC 6749 §4.4): a token for {@code resource}
     * (RFC 8707; the upstream's URL when absent) with {@code scopes}, asked of {@code tokenEndpoint} as
     * {@code clientId} with {@code clientSecret} (HTTP Basic), kept until shortly before it expires and sent as the
     * upstream's bearer token. It names the gateway as a service, never one of its callers: for the callers' own
     * identity upstream, see token exchange.
     *
     * @param tokenEndpoint the authorization server's token endpoint: https, or http on a loopback address
     */
    public record ClientCredentials(URI tokenEndpoint, String clientId, Secret clientSecret, List<String> scopes,
                                    Optional<URI> resource) {
        public ClientCredentials {
            checkOAuthClient(tokenEndpoint, clientId, clientSecret, resource, "client credentials need");
            scopes = List.copyOf(scopes);
        }
    }

    /**
     * RFC 8693 token exchange for an upstream: each caller's token (as it authenticated to the gateway) is sent to
     * {@code tokenEndpoint} by the gateway as {@code clientId} (HTTP Basic) for one whose resource is the upstream's
     * URL (or {@code resource}) and, where the authorization server names its resources by other identifiers (as
     * Keycloak does, by client id), whose audience is {@code audiences}; with {@code scopes} (none: the caller's),
     * kept per caller until shortly before it expires (never past the caller's own token), and sent with that
     * caller's requests. The upstream sees the caller as subject and the gateway as actor ({@code act}, where the
     * server writes it; Keycloak names the gateway in {@code azp}); the caller's own token never reaches it. A 2025
     * upstream is refused: its one session would carry every caller's token.
     */
    public record TokenExchange(URI tokenEndpoint, String clientId, Secret clientSecret, List<String> scopes,
                                Optional<URI> resource, List<String> audiences) {
        public TokenExchange {
            checkOAuthClient(tokenEndpoint, clientId, clientSecret, resource, "token exchange needs");
            scopes = List.copyOf(scopes);
            audiences = List.copyOf(audiences);
            if (audiences.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("a token exchange audience must not be blank");
            }
        }

        /** Token exchange by resource indicator alone (no {@code audience} parameter). */
        public TokenExchange(URI tokenEndpoint, String clientId, Secret clientSecret, List<String> scopes,
                             Optional<URI> resource) {
            this(tokenEndpoint, clientId, clientSecret, scopes, resource, List.of());
        }

        /** The same exchange, asking also for {@code audiences} (RFC 8693 {@code audience}). */
        public TokenExchange withAudiences(List<String> audiences) {
            return new TokenExchange(tokenEndpoint, clientId, clientSecret, scopes, resource, audiences);
        }
    }

    private static boolean loopback(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost();
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1");
    }

    /** What the gateway needs to be an OAuth client at {@code tokenEndpoint}; {@code needs} names the use in errors. */
    private static void checkOAuthClient(URI tokenEndpoint, String clientId, Secret clientSecret,
                                         Optional<URI> resource, String needs) {
        checkTokenEndpoint(tokenEndpoint);
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException(needs + " a client id");
        }
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(resource, "resource");
    }

    private static void checkTokenEndpoint(URI tokenEndpoint) {
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        String scheme = tokenEndpoint.getScheme() == null ? "" : tokenEndpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback(tokenEndpoint))) {
            throw new IllegalArgumentException("a token endpoint must be https:// (http:// only on a loopback "
                    + "address): the client secret is sent to it, was " + tokenEndpoint);
        }
    }

    /** How a stdio upstream's process is confined. */
    public sealed interface Sandbox {

        /** No confinement at all: the process runs with the gateway's rights. Warned about at start-up. */
        Sandbox NONE = new None();

        /** The default confinement: {@link Bubblewrap#defaults()}. */
        static Bubblewrap bubblewrap() {
            return Bubblewrap.defaults();
        }

        /** No sandbox. */
        record None() implements Sandbox {
        }

        /**
         * A bubblewrap sandbox (Linux, the {@code bwrap} program): new namespaces for everything (no network at all
         * unless granted, its own process tree), a read-only view of the system directories a program needs
         * ({@code /usr}, {@code /bin}, {@code /lib*}, a minimal {@code /etc}) and of the command's own tree (the
         * directory of its program or script and the package root above it, and each directory its arguments name), a
         * private {@code /tmp}, no home directory, no capabilities; and limits on its processes, memory and CPU time.
         *
         * @param network      whether it may use the network (the host's, loopback included)
         * @param readOnly     further paths it may read
         * @param readWrite    further paths it may read and write
         * @param maxProcesses the most processes and threads it may run at once (a fork bomb stops there)
         * @param maxMemory    the most memory it may use, in bytes (0: no limit)
         * @param maxCpu       the most CPU time it may use in all (zero: no limit)
         */
        record Bubblewrap(boolean network, List<Path> readOnly, List<Path> readWrite, int maxProcesses, long maxMemory,
                          Duration maxCpu) implements Sandbox {
            public Bubblewrap {
                readOnly = readOnly.stream().map(p -> p.toAbsolutePath().normalize()).toList();
                readWrite = readWrite.stream().map(p -> p.toAbsolutePath().normalize()).toList();
                if (maxProcesses < 1) {
                    throw new IllegalArgumentException("maxProcesses must be at least 1, was " + maxProcesses);
                }
                if (maxMemory < 0) {
                    throw new IllegalArgumentException("maxMemory must not be negative, was " + maxMemory);
                }
                Objects.requireNonNull(maxCpu, "maxCpu");
                if (maxCpu.isNegative()) {
                    throw new IllegalArgumentException("maxCpu must not be negative, was " + maxCpu);
                }
            }

            /** No network, nothing granted, 256 processes, 2 GiB of memory, no CPU time limit. */
            public static Bubblewrap defaults() {
                return new Bubblewrap(false, List.of(), List.of(), 256, 2L << 30, Duration.ZERO);
            }

            /** This sandbox with the network granted. */
            public Bubblewrap withNetwork() {
                return new Bubblewrap(true, readOnly, readWrite, maxProcesses, maxMemory, maxCpu);
            }

            /** This sandbox with further paths it may read, and read and write. */
            public Bubblewrap withPaths(List<Path> readOnly, List<Path> readWrite) {
                return new Bubblewrap(network, readOnly, readWrite, maxProcesses, maxMemory, maxCpu);
            }

            /** This sandbox with other limits. */
            public Bubblewrap withLimits(int maxProcesses, long maxMemory, Duration maxCpu) {
                return new Bubblewrap(network, readOnly, readWrite, maxProcesses, maxMemory, maxCpu);
            }
        }
    }

    /**
     * A command the gateway starts and speaks MCP to over its stdin and stdout.
     *
     * @param command          the program and its arguments
     * @param environment      the only environment variables it gets (nothing of the gateway's own is inherited)
     * @param workingDirectory where it runs; empty: the gateway's working directory
     * @param sandbox          how it is confined
     * @param programDigest    the pinned digest of the program's file ({@code sha256:} and 64 hex digits; a program
     *                         named without a directory is looked up on {@code PATH}): a different file is refused at
     *                         start; empty: not pinned
     */
    public record Stdio(List<String> command, Map<String, String> environment, Optional<Path> workingDirectory,
                        Sandbox sandbox, Optional<String> programDigest) implements Transport {
        public Stdio {
            command = List.copyOf(command);
            if (command.isEmpty() || command.getFirst().isBlank()) {
                throw new IllegalArgumentException("a stdio upstream needs a command");
            }
            environment = Map.copyOf(environment);
            workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
            Objects.requireNonNull(sandbox, "sandbox");
            programDigest = Objects.requireNonNull(programDigest, "programDigest");
            programDigest.ifPresent(d -> {
                if (!DIGEST.matcher(d).matches()) {
                    throw new IllegalArgumentException("a program digest is sha256: and 64 lower-case hex digits, was "
                            + d);
                }
            });
        }

        /** A command whose program is not pinned. */
        public Stdio(List<String> command, Map<String, String> environment, Optional<Path> workingDirectory,
                     Sandbox sandbox) {
            this(command, environment, workingDirectory, sandbox, Optional.empty());
        }

        /** This command with its program's file pinned to {@code digest} ({@code sha256:...}). */
        public Stdio withProgramDigest(String digest) {
            return new Stdio(command, environment, workingDirectory, sandbox, Optional.of(digest));
        }
    }

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /**
     * An npm package the gateway installs itself and starts over stdio: never {@code npx -y}, which runs whatever was
     * published last. At its first start the gateway writes a lockfile for exactly {@code name@version} with the
     * integrity hash of every package in its tree, installs from it into {@code cache} with {@code npm ci} semantics
     * (integrity verified, no install scripts run), checks the registry's signatures where the registry offers them,
     * and records a digest of every installed file; at each later start the installed tree must match that record,
     * or the upstream is refused. The package's program ({@code bin}) is then run by Node as a {@link Stdio} command.
     *
     * @param name          the package name, {@code @scope/name} or {@code name}
     * @param version       an exact version ({@code 1.2.3}, {@code 1.2.3-rc.1}); a range or tag ({@code ^1.2},
     *                      {@code latest}) only with {@code allowUnpinned}
     * @param arguments     the arguments after the program
     * @param environment   the only environment variables the server gets
     * @param sandbox       how it is confined
     * @param cache         where packages are installed, one directory per package and version
     * @param npm           the npm program (empty: {@code npm} on {@code PATH})
     * @param node          the Node program that runs the server (empty: the {@code node} beside npm, else on
     *                      {@code PATH})
     * @param allowUnpinned install a range or tag as it resolves now (warned about at start-up); the lockfile then
     *                      pins what it resolved to until the cache directory is removed
     * @param integrity     the package's pinned integrity ({@code sha512-...}, as {@code warden scan --write-pins}
     *                      records it): a lockfile naming another is refused; empty: whatever the registry gives
     */
    public record NpmPackage(String name, String version, List<String> arguments, Map<String, String> environment,
                             Sandbox sandbox, Path cache, Optional<Path> npm, Optional<Path> node,
                             boolean allowUnpinned, Optional<String> integrity) implements Transport {

        private static final Pattern PACKAGE = Pattern.compile("(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*");
        private static final Pattern EXACT = Pattern.compile(
                "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
        private static final Pattern RANGE = Pattern.compile("[0-9A-Za-z.^~<>=| *+-]{1,100}");

        public NpmPackage {
            Objects.requireNonNull(name, "name");
            if (!PACKAGE.matcher(name).matches() || name.length() > 214) {
                throw new IllegalArgumentException("not an npm package name: '" + name + "'");
            }
            Objects.requireNonNull(version, "version");
            if (!RANGE.matcher(version).matches()) {
                throw new IllegalArgumentException("not an npm version, range or tag: '" + version + "'");
            }
            arguments = List.copyOf(arguments);
            environment = Map.copyOf(environment);
            Objects.requireNonNull(sandbox, "sandbox");
            cache = Objects.requireNonNull(cache, "cache").toAbsolutePath().normalize();
            npm = Objects.requireNonNull(npm, "npm");
            node = Objects.requireNonNull(node, "node");
            integrity = Objects.requireNonNull(integrity, "integrity");
            integrity.ifPresent(i -> {
                if (!i.matches("sha512-[A-Za-z0-9+/]{86}==")) {
                    throw new IllegalArgumentException("a package integrity is sha512- and a base64 SHA-512, as in "
                            + "a lockfile, was " + i);
                }
            });
        }

        /**
         * The package {@code spec} ({@code @scope/name@1.2.3}) with {@code arguments}, sandboxed with the defaults,
         * installed into {@code cache} with the npm and Node on {@code PATH}.
         *
         * @throws IllegalArgumentException when {@code spec} names no version ({@code @scope/name}): say
         *                                  {@code @latest} and allow it unpinned, if that is what is meant
         */
        public static NpmPackage of(String spec, List<String> arguments, Path cache) {
            return of(spec, arguments, Map.of(), Sandbox.bubblewrap(), cache, Optional.empty(), Optional.empty(),
                    false, Optional.empty());
        }

        /**
         * The package {@code spec} ({@code @scope/name@1.2.3}), configured in full (see the record's components).
         *
         * @throws IllegalArgumentException when {@code spec} names no version
         */
        public static NpmPackage of(String spec, List<String> arguments, Map<String, String> environment,
                                    Sandbox sandbox, Path cache, Optional<Path> npm, Optional<Path> node,
                                    boolean allowUnpinned, Optional<String> integrity) {
            int at = spec.lastIndexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("the package " + spec + " names no version: name an exact one, "
                        + "such as " + spec + "@1.2.3");
            }
            return new NpmPackage(spec.substring(0, at), spec.substring(at + 1), arguments, environment, sandbox,
                    cache, npm, node, allowUnpinned, integrity);
        }

        /**
         * Where packages are installed unless configured: {@code $XDG_CACHE_HOME/warden/packages}, else
         * {@code ~/.cache/warden/packages}.
         */
        public static Path defaultCache() {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                    : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("warden").resolve("packages");
        }

        /** Whether {@link #version} is one exact version (not a range or tag). */
        public boolean pinned() {
            return EXACT.matcher(version).matches();
        }

        /** {@code name@version}. */
        public String spec() {
            return name + "@" + version;
        }

        /** This package installed with these npm and Node programs. */
        public NpmPackage withPrograms(Optional<Path> npm, Optional<Path> node) {
            return new NpmPackage(name, version, arguments, environment, sandbox, cache, npm, node, allowUnpinned,
                    integrity);
        }

        /** This package in another sandbox. */
        public NpmPackage withSandbox(Sandbox sandbox) {
            return new NpmPackage(name, version, arguments, environment, sandbox, cache, npm, node, allowUnpinned,
                    integrity);
        }

        /** This package even when its version is a range or tag (warned about at start-up). */
        public NpmPackage allowingUnpinned() {
            return new NpmPackage(name, version, arguments, environment, sandbox, cache, npm, node, true, integrity);
        }

        /** This package with its integrity pinned. */
        public NpmPackage withIntegrity(String integrity) {
            return new NpmPackage(name, version, arguments, environment, sandbox, cache, npm, node, allowUnpinned,
                    Optional.of(integrity));
        }
    }

    /**
     * Whether the callers of a stdio upstream share its one long-lived process or each principal gets its own.
     * Shared, a server that keeps a user's state (files, caches, memory) may hand it to the next user; per principal,
     * each principal (subject and issuer, and tenant where the token names one; all anonymous callers are one) gets a
     * process of its own, in a sandbox and cgroup of its own, started on its first call. The definitions served are
     * always the first ("template") process's.
     *
     * @param mode         shared or per principal
     * @param maxProcesses per principal: the most principals' processes at once; when full, the least recently used
     *                     idle one is stopped (never one with a call in flight)
     * @param idleTimeout  per principal: a principal's process without a call for this long is stopped
     */
    public record Isolation(Mode mode, int maxProcesses, Duration idleTimeout) {

        /** How an upstream's process is shared. */
        public enum Mode {
            /** One process serves every caller (the default). */
            SHARED,
            /** One process per principal. */
            PER_PRINCIPAL
        }

        /** The default process limit per upstream. */
        public static final int DEFAULT_MAX_PROCESSES = 32;
        /** The default idle timeout of a principal's process. */
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

        /** One process for every caller. */
        public static final Isolation SHARED = new Isolation(Mode.SHARED, DEFAULT_MAX_PROCESSES,
                DEFAULT_IDLE_TIMEOUT);
        /** One process per principal: at most 32, each stopped after 10 minutes without a call. */
        public static final Isolation PER_PRINCIPAL = new Isolation(Mode.PER_PRINCIPAL, DEFAULT_MAX_PROCESSES,
                DEFAULT_IDLE_TIMEOUT);

        public Isolation {
            Objects.requireNonNull(mode, "mode");
            if (maxProcesses < 1) {
                throw new IllegalArgumentException("maxProcesses must be at least 1, was " + maxProcesses);
            }
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
            }
        }

        /** One process per principal, at most {@code maxProcesses}, each stopped after {@code idleTimeout} idle. */
        public static Isolation perPrincipal(int maxProcesses, Duration idleTimeout) {
            return new Isolation(Mode.PER_PRINCIPAL, maxProcesses, idleTimeout);
        }

        /** Whether each principal gets its own process. */
        public boolean perPrincipal() {
            return mode == Mode.PER_PRINCIPAL;
        }
    }

    /**
     * What the gateway keeps of an upstream's answers, and for how long. A 2026-07-28 upstream's lists and reads are
     * kept for the {@code ttlMs} it sends, in the {@code cacheScope} it sends ({@code private}: per principal, never
     * served to another); a 2025 upstream sends no hints, and is kept for {@code legacyTtl}, its reads per principal.
     * A principal here is its issuer, subject, tenant, client and granted scopes; an anonymous caller's private
     * answers are never kept. A list change or resource update the upstream announces drops what it invalidates at once. Kept lists still go
     * through the pins and the per-principal filter of the pipeline on every request: the cache is below them.
     *
     * @param legacyTtl how long a 2025 upstream's lists and reads stay fresh; zero (the default): each request reads
     *                  them again
     * @param tools     tools (by the upstream's names) whose results are kept, per principal and argument digest, for
     *                  {@code toolTtl}; only while the definition served now annotates them {@code readOnlyHint}
     *                  and {@code idempotentHint} (a tool that is not, or stops being so, is called every time)
     * @param toolTtl   how long an opted-in tool's result is kept
     */
    public record Cache(Duration legacyTtl, Set<String> tools, Duration toolTtl) {

        /** Kept answers of all upstreams' callers together are bounded by this many bytes per upstream. */
        public static final long MAX_BYTES = 64L * 1024 * 1024;
        /** A longest freshness, whatever an upstream asks for (a day). */
        public static final Duration MAX_TTL = Duration.ofDays(1);

        public Cache {
            Objects.requireNonNull(legacyTtl, "legacyTtl");
            tools = Set.copyOf(tools);
            Objects.requireNonNull(toolTtl, "toolTtl");
            if (legacyTtl.isNegative() || legacyTtl.compareTo(MAX_TTL) > 0) {
                throw new IllegalArgumentException("a cache TTL is between 0 and 1 day, was " + legacyTtl);
            }
            if (toolTtl.isNegative() || toolTtl.compareTo(MAX_TTL) > 0) {
                throw new IllegalArgumentException("a tool result TTL is between 0 and 1 day, was " + toolTtl);
            }
            if (!tools.isEmpty() && toolTtl.isZero()) {
                throw new IllegalArgumentException("tools whose results are cached need a positive TTL");
            }
        }

        /** By the upstream's hints alone: a 2025 upstream's answers are not kept, and no tool result is. */
        public static Cache hinted() {
            return new Cache(Duration.ZERO, Set.of(), Duration.ZERO);
        }

        /** This cache, with a 2025 upstream's lists and reads kept for {@code ttl}. */
        public Cache withLegacyTtl(Duration ttl) {
            return new Cache(ttl, tools, toolTtl);
        }

        /** This cache, keeping the results of {@code tools} (read-only and idempotent ones only) for {@code ttl}. */
        public Cache withTools(Set<String> tools, Duration ttl) {
            return new Cache(legacyTtl, tools, ttl);
        }
    }

    /** Which of the caller's attributes fills an argument ({@link ToolTransform#fromPrincipal()}). */
    public enum PrincipalField {
        /** The token's tenant; a caller without one cannot call the tool. */
        TENANT,
        /** The token's subject (the user). */
        SUBJECT,
        /** The client the caller calls through ({@code client_id}, {@code azp}); a caller without one cannot call. */
        CLIENT
    }

    /**
     * A tighter constraint on one argument than the upstream's schema states, checked before the upstream sees the
     * call and shown in the schema the clients list.
     *
     * @param allowed   the only string values allowed (JSON Schema {@code enum}); empty: any
     * @param pattern   a regular expression the whole string value must match; empty: any
     * @param maxLength the most characters (code points) of a string value; 0: no bound beyond the upstream's
     * @param pathRoots a string value is a path that, made absolute and normalized ({@code ..} resolved), lies under
     *                  one of these absolute roots; empty: any
     */
    public record Constraint(List<String> allowed, Optional<String> pattern, int maxLength, List<String> pathRoots) {
        public Constraint {
            allowed = List.copyOf(allowed);
            Objects.requireNonNull(pattern, "pattern");
            pattern.ifPresent(Pattern::compile); // a bad expression is refused at configuration
            if (maxLength < 0) {
                throw new IllegalArgumentException("maxLength must not be negative, was " + maxLength);
            }
            pathRoots = List.copyOf(pathRoots);
            for (String root : pathRoots) {
                if (!root.startsWith("/") || !Path.of(root).normalize().toString().equals(root.length() > 1
                        && root.endsWith("/") ? root.substring(0, root.length() - 1) : root)) {
                    throw new IllegalArgumentException("a path root is an absolute, normalized path, was " + root);
                }
            }
        }

        /** Only these values. */
        public static Constraint oneOf(List<String> values) {
            return new Constraint(values, Optional.empty(), 0, List.of());
        }

        /** The whole value matches {@code regex}, and is at most {@code maxLength} characters (0: any length). */
        public static Constraint matching(String regex, int maxLength) {
            return new Constraint(List.of(), Optional.of(regex), maxLength, List.of());
        }

        /** A path under one of {@code roots}. */
        public static Constraint under(List<String> roots) {
            return new Constraint(List.of(), Optional.empty(), 0, roots);
        }
    }

    /**
     * How one upstream tool is served: renamed and re-described (the client sees the transformed definition, which
     * carries the digest of the upstream's own, so that the pins hold both); arguments the gateway sets, which are
     * absent from the listed schema and refused when a caller sends them; arguments removed; constraints tightened;
     * result fields dropped or kept. Applied in the backend, below the pipeline: the policy and input guards judge
     * the caller's own arguments, and the output guards the transformed result.
     *
     * @param name          the name clients see (no prefix is added); empty: as without a transform
     * @param description   the description clients see; empty: the upstream's
     * @param fixed         arguments always sent with these values; absent from the listed schema
     * @param defaults      arguments sent with these values when the caller sends none or null; listed with their
     *                      default
     * @param fromPrincipal arguments filled from the caller's token; absent from the listed schema
     * @param removed       arguments removed from the schema, which a caller may not send
     * @param constraints   tightened constraints by argument name (an argument under one sent as null is refused)
     * @param dropResult    JSON pointers into the result ({@code /structuredContent/internalId}) removed from it;
     *                      with any drop or keep rule, the upstream's text blocks, embedded resources and links give
     *                      way to one text block of the filtered structured content
     * @param keepResult    when not empty, only these JSON pointers of the result are kept ({@code isError} too)
     */
    public record ToolTransform(Optional<String> name, Optional<String> description,
                                Map<String, tools.jackson.databind.JsonNode> fixed,
                                Map<String, tools.jackson.databind.JsonNode> defaults,
                                Map<String, PrincipalField> fromPrincipal, Set<String> removed,
                                Map<String, Constraint> constraints, List<String> dropResult,
                                List<String> keepResult) {
        private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

        public ToolTransform {
            Objects.requireNonNull(name, "name");
            name.ifPresent(n -> {
                if (!TOOL_NAME.matcher(n).matches()) {
                    throw new IllegalArgumentException("a tool name may hold letters, digits, '_', '.' and '-' (at "
                            + "most 128), was '" + n + "'");
                }
            });
            Objects.requireNonNull(description, "description");
            fixed = Map.copyOf(fixed);
            defaults = Map.copyOf(defaults);
            fromPrincipal = Map.copyOf(fromPrincipal);
            removed = Set.copyOf(removed);
            constraints = Map.copyOf(constraints);
            dropResult = List.copyOf(dropResult);
            keepResult = List.copyOf(keepResult);
            java.util.Set<String> set = new java.util.HashSet<>();
            for (String a : concat(fixed.keySet(), defaults.keySet(), fromPrincipal.keySet(), removed)) {
                if (!set.add(a)) {
                    throw new IllegalArgumentException("the argument '" + a + "' is given more than one of fixed, "
                            + "default, from-principal and removed");
                }
            }
            for (String a : constraints.keySet()) {
                if (fixed.containsKey(a) || fromPrincipal.containsKey(a) || removed.contains(a)) {
                    throw new IllegalArgumentException("the argument '" + a + "' is set by the gateway or removed: "
                            + "a constraint on it is never checked");
                }
            }
            for (String p : concat(Set.copyOf(dropResult), Set.copyOf(keepResult))) {
                if (!p.startsWith("/")) {
                    throw new IllegalArgumentException("a result field is a JSON pointer (/structuredContent/x), was '"
                            + p + "'");
                }
            }
        }

        private static List<String> concat(java.util.Collection<String>... parts) {
            List<String> all = new java.util.ArrayList<>();
            for (java.util.Collection<String> p : parts) {
                all.addAll(p);
            }
            return all;
        }

        /** No transformation: the tool as the upstream defines it. */
        public static ToolTransform none() {
            return new ToolTransform(Optional.empty(), Optional.empty(), Map.of(), Map.of(), Map.of(), Set.of(),
                    Map.of(), List.of(), List.of());
        }

        /** Served as {@code name}, described as {@code description} (null: the upstream's). */
        public ToolTransform renamed(String name, String description) {
            return new ToolTransform(Optional.of(name), Optional.ofNullable(description), fixed, defaults,
                    fromPrincipal, removed, constraints, dropResult, keepResult);
        }

        /** With {@code argument} always {@code value}. */
        public ToolTransform withFixed(String argument, tools.jackson.databind.JsonNode value) {
            Map<String, tools.jackson.databind.JsonNode> m = new java.util.HashMap<>(fixed);
            m.put(argument, value);
            return new ToolTransform(name, description, m, defaults, fromPrincipal, removed, constraints,
                    dropResult, keepResult);
        }

        /** With {@code argument} {@code value} when the caller sends none. */
        public ToolTransform withDefault(String argument, tools.jackson.databind.JsonNode value) {
            Map<String, tools.jackson.databind.JsonNode> m = new java.util.HashMap<>(defaults);
            m.put(argument, value);
            return new ToolTransform(name, description, fixed, m, fromPrincipal, removed, constraints,
                    dropResult, keepResult);
        }

        /** With {@code argument} filled from the caller's {@code field}. */
        public ToolTransform withFromPrincipal(String argument, PrincipalField field) {
            Map<String, PrincipalField> m = new java.util.HashMap<>(fromPrincipal);
            m.put(argument, field);
            return new ToolTransform(name, description, fixed, defaults, m, removed, constraints, dropResult,
                    keepResult);
        }

        /** With {@code arguments} removed. */
        public ToolTransform withRemoved(Set<String> arguments) {
            return new ToolTransform(name, description, fixed, defaults, fromPrincipal, arguments, constraints,
                    dropResult, keepResult);
        }

        /** With {@code argument} under {@code constraint}. */
        public ToolTransform withConstraint(String argument, Constraint constraint) {
            Map<String, Constraint> m = new java.util.HashMap<>(constraints);
            m.put(argument, constraint);
            return new ToolTransform(name, description, fixed, defaults, fromPrincipal, removed, m, dropResult,
                    keepResult);
        }

        /** With these result fields dropped ({@code drop}) and, if {@code keep} is not empty, only those kept. */
        public ToolTransform withResult(List<String> drop, List<String> keep) {
            return new ToolTransform(name, description, fixed, defaults, fromPrincipal, removed, constraints, drop,
                    keep);
        }
    }

    /**
     * How the gateway protects itself and the other upstreams from this one.
     *
     * @param maxConcurrent  requests in flight to it at once; one more is answered "busy" at once, never queued
     * @param failuresToOpen transport failures (no answer, a broken connection, a dead process) in a row that open
     *                       its circuit: its requests are then answered at once, without trying it
     * @param openFor        how long an open circuit answers at once before one request may try the upstream again
     */
    public record Resilience(int maxConcurrent, int failuresToOpen, Duration openFor) {
        public Resilience {
            if (maxConcurrent < 1) {
                throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
            }
            if (failuresToOpen < 1) {
                throw new IllegalArgumentException("failuresToOpen must be at least 1, was " + failuresToOpen);
            }
            Objects.requireNonNull(openFor, "openFor");
            if (openFor.isNegative() || openFor.isZero()) {
                throw new IllegalArgumentException("openFor must be positive, was " + openFor);
            }
        }

        /** 64 requests in flight, the circuit open after 5 failures in a row, for 30 s. */
        public static Resilience defaults() {
            return new Resilience(64, 5, Duration.ofSeconds(30));
        }
    }

    public UpstreamConfig {
        taskTools = Set.copyOf(Objects.requireNonNull(taskTools, "taskTools"));
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an upstream name is lower-case letters, digits and '-' (at most 63),"
                    + " was '" + name + "'");
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(era, "era");
        prefix = Objects.requireNonNull(prefix, "prefix");
        prefix.ifPresent(p -> {
            if (!PREFIX.matcher(p).matches()) {
                throw new IllegalArgumentException("the prefix of upstream " + name + " may hold letters, digits, "
                        + "'_', '.' and '-' (at most 64), was '" + p + "'");
            }
        });
        include = Set.copyOf(include);
        exclude = Set.copyOf(exclude);
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("the request timeout of upstream " + name + " must be positive");
        }
        Objects.requireNonNull(resilience, "resilience");
        withholdPoisoned = Objects.requireNonNull(withholdPoisoned, "withholdPoisoned");
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(cache, "cache");
        transforms = Map.copyOf(transforms);
        java.util.Set<String> renamed = new java.util.HashSet<>();
        for (Map.Entry<String, ToolTransform> t : transforms.entrySet()) {
            if (t.getValue().name().isPresent() && !renamed.add(t.getValue().name().get())) {
                throw new IllegalArgumentException("upstream " + name + ": two tools are renamed "
                        + t.getValue().name().get());
            }
        }
        if (isolation.perPrincipal() && !(transport instanceof Stdio || transport instanceof NpmPackage)) {
            throw new IllegalArgumentException("upstream " + name + ": isolation per-principal is only for stdio "
                    + "upstreams (the gateway starts no process of an HTTP upstream)");
        }
        if (era == Era.LEGACY && transport instanceof Http h && h.tokenExchange().isPresent()) {
            throw new IllegalArgumentException("upstream " + name + ": token exchange needs a 2026-07-28 upstream (a "
                    + "2025 session would carry every caller's token)");
        }
    }

    /** An upstream none of whose calls the gateway runs as its own task. */
    public UpstreamConfig(String name, Transport transport, Era era, Optional<String> prefix, Set<String> include,
                          Set<String> exclude, Duration requestTimeout, Resilience resilience,
                          Optional<Severity> withholdPoisoned, Isolation isolation, Cache cache,
                          Map<String, ToolTransform> transforms) {
        this(name, transport, era, prefix, include, exclude, requestTimeout, resilience, withholdPoisoned, isolation,
                cache, transforms, Set.of());
    }

    /** An upstream whose callers share its process ({@link Isolation#SHARED}). */
    public UpstreamConfig(String name, Transport transport, Era era, Optional<String> prefix, Set<String> include,
                          Set<String> exclude, Duration requestTimeout, Resilience resilience,
                          Optional<Severity> withholdPoisoned) {
        this(name, transport, era, prefix, include, exclude, requestTimeout, resilience, withholdPoisoned,
                Isolation.SHARED);
    }

    /** An upstream kept by its caching hints alone ({@link Cache#hinted()}). */
    public UpstreamConfig(String name, Transport transport, Era era, Optional<String> prefix, Set<String> include,
                          Set<String> exclude, Duration requestTimeout, Resilience resilience,
                          Optional<Severity> withholdPoisoned, Isolation isolation) {
        this(name, transport, era, prefix, include, exclude, requestTimeout, resilience, withholdPoisoned,
                isolation, Cache.hinted(), Map.of());
    }

    /** The default request timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * An upstream with the defaults: era negotiated, names verbatim, everything served but definitions the poisoning
     * scanner rates HIGH or worse, 30 s timeout.
     */
    public static UpstreamConfig of(String name, Transport transport) {
        return new UpstreamConfig(name, transport, Era.AUTO, Optional.empty(), Set.of(), Set.of(), DEFAULT_TIMEOUT,
                Resilience.defaults(), Optional.of(Severity.HIGH));
    }

    /** This upstream with another era. */
    public UpstreamConfig withEra(Era era) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** This upstream with its tool and prompt names prefixed. */
    public UpstreamConfig withPrefix(String prefix) {
        return new UpstreamConfig(name, transport, era, Optional.of(prefix), include, exclude, requestTimeout,
                resilience, withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** This upstream serving only {@code include} and never {@code exclude}. */
    public UpstreamConfig withFilter(Set<String> include, Set<String> exclude) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** This upstream with another request timeout. */
    public UpstreamConfig withRequestTimeout(Duration timeout) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, timeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** This upstream with other protection. */
    public UpstreamConfig withResilience(Resilience resilience) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** This upstream with definitions withheld at another poisoning severity (empty: never). */
    public UpstreamConfig withPoisoningThreshold(Optional<Severity> withholdAt) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdAt, isolation, cache, transforms, taskTools);
    }

    /**
     * This upstream with another isolation.
     *
     * @throws IllegalArgumentException per principal for an upstream that is not stdio
     */
    public UpstreamConfig withIsolation(Isolation isolation) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** This upstream with another cache policy. */
    public UpstreamConfig withCache(Cache cache) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** This upstream with its tools {@code transforms} served transformed (by the upstream's tool names). */
    public UpstreamConfig withTransforms(Map<String, ToolTransform> transforms) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /**
     * This upstream with the tools it names {@code tools} (its own names) run as tasks of the gateway's for callers
     * that declare the tasks extension: the caller is answered at once with a task while the call goes on upstream
     * (still within {@link #requestTimeout()}: raise it for such an upstream). For long calls of a 2025 upstream,
     * which has no tasks of its own.
     */
    public UpstreamConfig withTaskTools(Set<String> tools) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, tools);
    }

    /**
     * This upstream reached another way (a package installed: the command that runs it; a package with its pinned
     * integrity).
     *
     * @throws IllegalArgumentException per principal with an HTTP transport
     */
    public UpstreamConfig withTransport(Transport transport) {
        return new UpstreamConfig(name, transport, era, prefix, include, exclude, requestTimeout, resilience,
                withholdPoisoned, isolation, cache, transforms, taskTools);
    }

    /** Whether a tool or prompt the upstream names {@code original} is served. */
    boolean serves(String original) {
        return (include.isEmpty() || include.contains(original)) && !exclude.contains(original);
    }

    /** The name the gateway gives a tool or prompt the upstream names {@code original}: a tool's new name, if any. */
    String exposed(String original) {
        ToolTransform t = transforms.get(original);
        if (t != null && t.name().isPresent()) {
            return t.name().get();
        }
        return prefix.map(p -> p + original).orElse(original);
    }
}
