package dev.mcpwarden.config;

import dev.mcpwarden.security.SecurityConfig;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.telemetry.TelemetryConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Warden server's whole configuration, read from one YAML file ({@code warden.yaml}) and bound strictly to the
 * same records the Java API takes: an unknown key, a wrong type, a missing required key or a value a record refuses
 * is a {@link ConfigException} listing every such problem with its file, line and column. Secrets are references
 * ({@code file:...}, {@code env:...}, or the scheme of any {@link SecretProvider} on the class path), never literal
 * values. Keys are kebab-case; see {@code docs/configuration.md} and the JSON Schema {@code docs/warden.schema.json}.
 *
 * @param server   who the server is
 * @param http     how Streamable HTTP is served
 * @param security the security pipeline
 * @param gateway  the upstreams when Warden runs as a gateway ({@code warden gateway --config}); empty otherwise
 * @param store    where what replicas share is kept (this process's memory, or one Redis)
 * @param telemetry traces, metrics and the admin port (off unless configured)
 */
public record WardenConfig(ServerConfig server, HttpOptions http, SecurityConfig security,
                           Optional<GatewayConfig> gateway, StoreConfig store, TelemetryConfig telemetry) {

    private static final Logger LOG = LoggerFactory.getLogger(WardenConfig.class);

    /** Files larger than this are refused before parsing: a configuration is kilobytes, not megabytes. */
    static final int MAX_BYTES = 1024 * 1024;

    public WardenConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(telemetry, "telemetry");
    }

    /** A configuration without telemetry. */
    public WardenConfig(ServerConfig server, HttpOptions http, SecurityConfig security,
                        Optional<GatewayConfig> gateway, StoreConfig store) {
        this(server, http, security, gateway, store, TelemetryConfig.off());
    }

    /** A configuration of one replica, keeping everything in its memory. */
    public WardenConfig(ServerConfig server, HttpOptions http, SecurityConfig security,
                        Optional<GatewayConfig> gateway) {
        this(server, http, security, gateway, StoreConfig.memory());
    }

    /** A configuration of a server that is not a gateway. */
    public WardenConfig(ServerConfig server, HttpOptions http, SecurityConfig security) {
        this(server, http, security, Optional.empty());
    }

    /**
     * Reads and binds {@code file}; relative paths in it start at the file's directory. Weaknesses that are allowed
     * (a secret from the environment, a fail-open limiter) are logged as warnings.
     *
     * @throws ConfigException with every problem found, or the reason the file could not be read
     */
    public static WardenConfig load(Path file) {
        return logged(check(file)).orElseThrow();
    }

    /**
     * Binds {@code text} as if read from a file named {@code sourceName}; relative paths start at the current
     * directory.
     *
     * @throws ConfigException with every problem found
     */
    public static WardenConfig parse(String text, String sourceName) {
        return logged(check(text, sourceName, Path.of(""))).orElseThrow();
    }

    private static Result logged(Result r) {
        r.warnings().forEach(LOG::warn);
        return r;
    }

    /** This configuration with other HTTP options (e.g. a port chosen at start). */
    public WardenConfig withHttp(HttpOptions options) {
        return new WardenConfig(server, options, security, gateway, store, telemetry);
    }

    /** This configuration with another security pipeline (e.g. an issuer or resource known only at start). */
    public WardenConfig withSecurity(SecurityConfig config) {
        return new WardenConfig(server, http, config, gateway, store, telemetry);
    }

    /** The JSON Schema (2020-12) of the file, as published in {@code docs/warden.schema.json}. */
    public static String jsonSchema() {
        return dev.mcpwarden.core.json.Json.standard().mapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(Layout.schema()) + "\n";
    }

    /**
     * What checking a file found: the configuration, or the problems; and the warnings either way.
     *
     * @param config   the configuration, or null when there are problems
     * @param problems every problem, in file order
     * @param warnings allowed weaknesses, as {@code file:line:column: warning: message}
     */
    public record Result(WardenConfig config, List<ConfigProblem> problems, List<String> warnings) {
        public Result {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
            if ((config == null) == problems.isEmpty()) {
                throw new IllegalArgumentException("a result has a configuration or problems, not both or neither");
            }
        }

        /** The configuration, or a {@link ConfigException} with the problems. */
        public WardenConfig orElseThrow() {
            if (config == null) {
                throw new ConfigException(problems);
            }
            return config;
        }
    }

    /**
     * Checks {@code file} without throwing for its problems and without logging its warnings (as
     * {@code warden config check} does, which prints both).
     *
     * @throws ConfigException {@linkplain ConfigException#unreadable() unreadable} when the file cannot be read
     */
    public static Result check(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return unreadable(file, "the file is larger than " + MAX_BYTES + " bytes");
            }
            text = StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            return unreadable(file, "no such file");
        } catch (CharacterCodingException e) {
            return unreadable(file, "the file is not UTF-8 text");
        } catch (IOException e) {
            return unreadable(file, "cannot read the file (" + e.getClass().getSimpleName() + ")");
        }
        Path dir = file.toAbsolutePath().getParent();
        return check(text, file.toString(), dir == null ? Path.of("") : dir);
    }

    private static Result unreadable(Path file, String why) {
        // An unreadable file is one problem at its start, so callers handle both kinds of failure alike.
        throw new ConfigException(List.of(new ConfigProblem(file.toString(), 1, 1, why)), true);
    }

    static Result check(String text, String sourceName, Path baseDirectory) {
        return check(text, sourceName, baseDirectory, serviceProviders());
    }

    static Result check(String text, String sourceName, Path baseDirectory, Map<String, SecretProvider> providers) {
        Problems problems = new Problems(sourceName);
        if (text.length() > MAX_BYTES) {
            problems.add(new YamlTree.Location(1, 1), "the text is longer than " + MAX_BYTES + " characters");
            return new Result(null, problems.sorted(), List.of());
        }
        YamlTree.Node root = YamlTree.read(text, problems);
        WardenConfig config = null;
        if (root != null) {
            Path base = baseDirectory.toAbsolutePath();
            Object bound = Layout.ROOT.bind(root, "", new Shape.Binding() {
                @Override
                public Problems problems() {
                    return problems;
                }

                @Override
                public Path baseDirectory() {
                    return base;
                }

                @Override
                public Map<String, SecretProvider> secretProviders() {
                    return providers;
                }
            });
            if (bound instanceof Shape.Bound b) {
                config = new Binder(problems).root(b);
            }
        }
        if (config == null && problems.isEmpty()) {
            problems.add(new YamlTree.Location(1, 1), "the configuration could not be bound (a bug in Warden)");
        }
        return problems.isEmpty() && config != null ? new Result(config, List.of(), problems.warnings())
                : new Result(null, problems.sorted(), problems.warnings());
    }

    /** The secret providers on the class path, by scheme; the first of a scheme wins. */
    static Map<String, SecretProvider> serviceProviders() {
        Map<String, SecretProvider> m = new LinkedHashMap<>();
        for (SecretProvider p : ServiceLoader.load(SecretProvider.class, WardenConfig.class.getClassLoader())) {
            m.putIfAbsent(p.scheme(), p);
        }
        return m;
    }
}
