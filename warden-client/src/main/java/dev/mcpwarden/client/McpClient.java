package dev.mcpwarden.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client of one MCP server, over Streamable HTTP or stdio, speaking either protocol era: the stateless
 * {@value #MODERN_VERSION} wire ({@code _meta} on every request) or a {@value #LEGACY_VERSION} session
 * ({@code initialize}, {@code Mcp-Session-Id}). Start with {@link #http(URI)} or {@link #stdio(List)}:
 *
 * <pre>{@code
 * try (McpClient client = McpClient.http(URI.create("https://mcp.example.com/mcp"))
 *         .bearerToken(() -> Optional.of(tokens.current()))
 *         .requestTimeout(Duration.ofSeconds(20))
 *         .build()) {
 *     List<JsonNode> tools = client.list(McpClient.Kind.TOOLS);
 *     JsonNode result = client.request("tools/call", params);
 * }
 * }</pre>
 *
 * <p>With {@link Era#AUTO} (the default) the first request is sent the {@value #MODERN_VERSION} way; an answer that
 * shows the server does not speak it makes the client initialize a {@value #LEGACY_VERSION} session and send the
 * request again. The era is then fixed for the client's life.
 *
 * <p>Clients are safe for concurrent use: each request has its own id, and responses are matched by it.
 */
public interface McpClient extends AutoCloseable {

    /** The stateless protocol revision, tried first. */
    String MODERN_VERSION = "2026-07-28";
    /** The session-based protocol revision asked for in {@code initialize}. */
    String LEGACY_VERSION = "2025-11-25";

    /** Which protocol era to speak. */
    enum Era {
        /** Try {@value #MODERN_VERSION} first and fall back to a {@value #LEGACY_VERSION} session. */
        AUTO,
        /** Only the stateless {@value #MODERN_VERSION} wire. */
        MODERN,
        /** Only a {@value #LEGACY_VERSION} session, initialized before the first request. */
        LEGACY
    }

    /** The paginated lists {@link #list(Kind)} reads. */
    enum Kind {
        /** {@code tools/list}, field {@code tools}. */
        TOOLS("tools/list", "tools"),
        /** {@code prompts/list}, field {@code prompts}. */
        PROMPTS("prompts/list", "prompts"),
        /** {@code resources/list}, field {@code resources}. */
        RESOURCES("resources/list", "resources"),
        /** {@code resources/templates/list}, field {@code resourceTemplates}. */
        RESOURCE_TEMPLATES("resources/templates/list", "resourceTemplates");

        private final String method;
        private final String field;

        Kind(String method, String field) {
            this.method = method;
            this.field = field;
        }

        /** The list method, such as {@code tools/list}. */
        public String method() {
            return method;
        }

        /** The result's array field, such as {@code tools}. */
        public String field() {
            return field;
        }
    }

    /** Receives the notifications the server sends (progress, log messages, list changes). */
    @FunctionalInterface
    interface NotificationListener {
        /**
         * Called on the thread reading the server's messages, in the order they arrive; keep it short.
         *
         * @param method the notification's method, such as {@code notifications/progress}
         * @param params its params, or an empty object
         */
        void onNotification(String method, JsonNode params);
    }

    /**
     * Answers a request the server sends to the client in a {@value #LEGACY_VERSION} session or over stdio
     * (elicitation, sampling, roots). {@code ping} is always answered by the client itself.
     */
    @FunctionalInterface
    interface ServerRequestHandler {
        /**
         * Called on a thread of its own, so it may block (ask the user) or send requests with the same client.
         *
         * @return the result to send back
         * @throws McpClientException made with {@link McpClientException#error} to answer with that JSON-RPC error
         */
        JsonNode handle(String method, JsonNode params) throws McpClientException;
    }

    /** A builder for a client of the Streamable HTTP endpoint {@code endpoint} (http or https). */
    static Builder http(URI endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
            throw new IllegalArgumentException("an MCP endpoint must be an http:// or https:// URL, was " + endpoint);
        }
        return new Builder(endpoint, null);
    }

    /** A builder for a client that starts {@code command} (program and arguments) and speaks MCP on its stdio. */
    static Builder stdio(List<String> command) {
        if (command == null || command.isEmpty() || command.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("a stdio server needs a command, was " + command);
        }
        return new Builder(null, List.copyOf(command));
    }

    /**
     * Sends a request and waits for its result. On the {@value #MODERN_VERSION} wire the client adds the
     * {@code _meta} protocol fields (keeping any other {@code _meta} entries of {@code params}) and the routing
     * headers. A result with {@code resultType: input_required} is returned as it is, for the caller to answer.
     * Interrupting the calling thread cancels the request: over HTTP its stream is closed (the 2026 wire's
     * cancellation) when the caller is a virtual thread, whose socket reads the JDK makes interruptible (a platform
     * thread's request runs on to its timeout), and in a {@value #LEGACY_VERSION} session the server is also sent
     * {@code notifications/cancelled}; on stdio the server is sent {@code notifications/cancelled}.
     *
     * @param params the request's params, or null for none; not modified
     * @return the result object
     * @throws McpClientException the server's JSON-RPC error, or why no result arrived
     */
    JsonNode request(String method, ObjectNode params) throws McpClientException;

    /**
     * As {@link #request(String, ObjectNode)}, with the messages that arrive on this request's own response stream
     * (Streamable HTTP) going to {@code notifications} and {@code serverRequests} instead of the client-wide
     * listener and handler: a proxy relays them to the one caller the request belongs to. On stdio, where nothing
     * ties a message to a request, the client-wide ones receive everything.
     *
     * @param notifications this request's notifications (progress, log messages), or null for the client-wide one;
     *                      called on the calling thread
     * @param serverRequests this request's server-to-client requests (a {@value #LEGACY_VERSION} session), or null
     *                       for the client-wide handler; called on a thread of its own
     */
    JsonNode request(String method, ObjectNode params, NotificationListener notifications,
                     ServerRequestHandler serverRequests) throws McpClientException;

    /** Sends a notification (such as {@code notifications/cancelled}); nothing is awaited but the HTTP status. */
    void notify(String method, ObjectNode params) throws McpClientException;

    /**
     * Every item of a paginated list, following {@code nextCursor} (at most 1000 pages, and a cursor seen twice is
     * an error); empty when the server answers -32601 because it does not offer the feature.
     */
    List<JsonNode> list(Kind kind) throws McpClientException;

    /**
     * As {@link #list(Kind)}, with the caching hints of the 2026-07-28 wire: the least {@code ttlMs} of the pages
     * (absent or negative counts as 0) and whether any page was {@code cacheScope: "private"}; a 2025 server sends
     * no hints, which is {@link Listing#hinted()} false.
     */
    Listing listing(Kind kind) throws McpClientException;

    /**
     * A whole list and its caching hints.
     *
     * @param items        every item of every page
     * @param hinted       whether the server sent caching hints (the 2026-07-28 wire)
     * @param ttlMillis    the least {@code ttlMs} of the pages, 0 when any lacked one or when not hinted
     * @param privateScope whether any page was {@code cacheScope: "private"} (or lacked a scope)
     * @param offered      false when the server answered -32601: it does not offer the feature (and items is empty)
     */
    record Listing(List<JsonNode> items, boolean hinted, long ttlMillis, boolean privateScope, boolean offered) {
        public Listing {
            items = List.copyOf(items);
            ttlMillis = Math.max(0, ttlMillis);
        }
    }

    /** The protocol revision in use; negotiates first if no request was sent yet. */
    String protocolVersion() throws McpClientException;

    /**
     * The server's self-reported {@code name} and {@code version}: from {@code initialize}, or from the
     * {@code server/discover} result's {@code _meta} (discovered once). Empty object when the server sent none.
     */
    JsonNode serverInfo() throws McpClientException;

    /** The server's capabilities, from {@code initialize} or {@code server/discover}, as for {@link #serverInfo()}. */
    JsonNode capabilities() throws McpClientException;

    /** Ends the session (HTTP DELETE) or the child process (stdin closed, then terminated); never throws. */
    @Override
    void close();

    /** Options of a client; {@link #build()} makes it. Options that belong to the other transport are refused. */
    final class Builder {
        private static final Set<String> OWN_HEADERS = Set.of("content-type", "accept", "authorization",
                "mcp-protocol-version", "mcp-method", "mcp-name", "mcp-session-id", "last-event-id", "host",
                "content-length", "dpop");

        final URI endpoint;
        final List<String> command;
        Duration connectTimeout = Duration.ofSeconds(10);
        Duration requestTimeout = Duration.ofSeconds(30);
        Era era = Era.AUTO;
        String clientName = "warden-client";
        String clientVersion = Optional.ofNullable(McpClient.class.getPackage().getImplementationVersion())
                .orElse("dev");
        ObjectNode capabilities;
        Supplier<Optional<String>> bearerToken = Optional::empty;
        HttpAuthorization authorization;
        final Map<String, String> headers = new LinkedHashMap<>();
        long maxResponseBytes = 16L * 1024 * 1024;
        Map<String, String> environment;
        Path workingDirectory;
        Consumer<String> stderr = line -> { };
        NotificationListener notifications = (method, params) -> { };
        ServerRequestHandler serverRequests;
        boolean dropInvalidTools = true;
        boolean listen;

        Builder(URI endpoint, List<String> command) {
            this.endpoint = endpoint;
            this.command = command;
        }

        /** Time allowed to open a connection (HTTP); default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Time allowed for each request, from sending it to its whole response; default 30 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** Which era to speak; default {@link Era#AUTO}. */
        public Builder era(Era era) {
            this.era = Objects.requireNonNull(era, "era");
            return this;
        }

        /** The {@code clientInfo} sent to the server; default {@code warden-client} and Warden's version. */
        public Builder clientInfo(String name, String version) {
            this.clientName = nonBlank(name, "client name");
            this.clientVersion = nonBlank(version, "client version");
            return this;
        }

        /**
         * The client capabilities to declare (such as {@code {"elicitation":{}}}); default none. A request's own
         * {@code _meta} {@code io.modelcontextprotocol/clientCapabilities} wins on the {@value #MODERN_VERSION} wire.
         */
        public Builder capabilities(ObjectNode capabilities) {
            this.capabilities = Objects.requireNonNull(capabilities, "capabilities").deepCopy();
            return this;
        }

        /**
         * Where the bearer token comes from (HTTP): asked on every HTTP request, so a token can be refreshed
         * between requests; empty sends no {@code Authorization} header.
         */
        public Builder bearerToken(Supplier<Optional<String>> token) {
            httpOnly("bearerToken");
            this.bearerToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * Credentials that change while the client runs (HTTP), such as an
         * {@link dev.mcpwarden.client.oauth.OAuthClient}: its headers go on every request, and a 401 or 403 is given
         * to it, which may obtain new credentials and have the request sent again (at most
         * {@value HttpAuthorization#MAX_RETRIES} times). Replaces {@link #bearerToken}.
         */
        public Builder authorization(HttpAuthorization authorization) {
            httpOnly("authorization");
            this.authorization = Objects.requireNonNull(authorization, "authorization");
            return this;
        }

        /** An extra header sent on every HTTP request; the headers the client sets itself are refused. */
        public Builder header(String name, String value) {
            httpOnly("header");
            nonBlank(name, "header name");
            Objects.requireNonNull(value, "value");
            if (OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("the client sets " + name + " itself");
            }
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7F)) {
                throw new IllegalArgumentException("header " + name + " has a control character");
            }
            headers.put(name, value);
            return this;
        }

        /** The largest response body, SSE event or stdio line accepted; default 16 MiB. */
        public Builder maxResponseBytes(long max) {
            if (max < 1024 || max > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("maxResponseBytes must be between 1024 and "
                        + (Integer.MAX_VALUE - 16) + ", was " + max);
            }
            this.maxResponseBytes = max;
            return this;
        }

        /**
         * The child's whole environment (stdio), replacing the one it would inherit: nothing of this process's
         * environment leaks to the server unless listed here.
         */
        public Builder environment(Map<String, String> environment) {
            stdioOnly("environment");
            this.environment = Map.copyOf(environment);
            return this;
        }

        /** The child's working directory (stdio); default this process's. */
        public Builder workingDirectory(Path directory) {
            stdioOnly("workingDirectory");
            this.workingDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Receives each line the child writes to stderr (stdio), on the thread draining it; the client also keeps
         * the last lines for its error messages. The stream is always drained, so the child never blocks on it.
         */
        public Builder stderr(Consumer<String> lines) {
            stdioOnly("stderr");
            this.stderr = Objects.requireNonNull(lines, "lines");
            return this;
        }

        /**
         * Whether {@link McpClient#list(Kind)} drops tools whose {@code x-mcp-header} annotations are invalid, as an
         * HTTP client must before offering tools to a model; default true. A scanner turns it off to see everything
         * the server lists.
         */
        public Builder dropInvalidTools(boolean drop) {
            this.dropInvalidTools = drop;
            return this;
        }

        /**
         * Whether a {@value McpClient#LEGACY_VERSION} session over HTTP also opens the GET stream on which a server
         * sends requests and notifications that belong to no request of the client (a server's
         * {@code elicitation/create} sent outside a tool call's stream, list changes); default false. The stream is
         * reopened (after the server's {@code retry}, with {@code Last-Event-ID}) at most five times in a row, and
         * not at all when the server answers 405.
         */
        public Builder listen(boolean listen) {
            httpOnly("listen");
            this.listen = listen;
            return this;
        }

        /** Receives the server's notifications; default: dropped. */
        public Builder onNotification(NotificationListener listener) {
            this.notifications = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Answers the server's requests; without one, every request but {@code ping} is answered -32601. */
        public Builder onServerRequest(ServerRequestHandler handler) {
            this.serverRequests = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The client. HTTP connects on the first request; stdio starts the process now.
         *
         * @throws McpClientException {@link McpClientException.Reason#PROCESS_FAILED} when the command cannot start
         */
        public McpClient build() throws McpClientException {
            return endpoint != null ? new StreamableHttpClient(this) : new StdioClient(this);
        }

        private void httpOnly(String option) {
            if (endpoint == null) {
                throw new IllegalStateException(option + " applies to HTTP servers only");
            }
        }

        private void stdioOnly(String option) {
            if (command == null) {
                throw new IllegalStateException(option + " applies to stdio servers only");
            }
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        private static String nonBlank(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }
    }
}
