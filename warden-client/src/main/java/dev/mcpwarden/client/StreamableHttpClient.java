package dev.mcpwarden.client;

import dev.mcpwarden.client.McpClientException.Reason;
import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Streamable HTTP: one POST per message, answered with JSON or an SSE stream; on the {@value McpClient#LEGACY_VERSION}
 * wire with {@code Mcp-Session-Id}, answers to the server's requests POSTed back, and a broken stream resumed with
 * {@code Last-Event-ID}.
 */
final class StreamableHttpClient extends BaseClient {

    /** Cuts an exchange off at its deadline: socket timeouts bound each read, not the whole answer. */
    private static final ScheduledExecutorService WATCHDOG = watchdog();
    private static final int MAX_RESUMES = 10;

    private final URI endpoint;
    private final HttpExchanges http;
    private final Supplier<Optional<String>> token;
    private final HttpAuthorization authorization;
    private final Map<String, String> extraHeaders;
    private final boolean dropInvalidTools;
    private final boolean listen;
    /** The open GET stream of the session, closed with the client. */
    private volatile InputStream listening;
    private static final int MAX_RELISTENS = 5;
    private volatile String sessionId;
    /** Per tool, the arguments mirrored in {@code Mcp-Param-*} headers (property to header name), from tools/list. */
    private final Map<String, Map<String, String>> paramHeaders = new ConcurrentHashMap<>();

    /** An HTTP answer: status, lower-case headers, and the JSON-RPC response read from an SSE stream, or the body. */
    private record Reply(int status, Map<String, String> headers, byte[] body, JsonNode message) {
    }

    @FunctionalInterface
    private interface Reading<T> {
        T read() throws IOException, McpClientException;
    }

    StreamableHttpClient(McpClient.Builder b) {
        super(b);
        this.endpoint = b.endpoint;
        this.token = b.bearerToken;
        this.authorization = b.authorization;
        this.extraHeaders = Map.copyOf(b.headers);
        this.dropInvalidTools = b.dropInvalidTools;
        this.listen = b.listen;
        this.http = new HttpExchanges(b.connectTimeout, WATCHDOG);
    }

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mcp-client-deadlines");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    // ---- the eras

    @Override
    Answer sendModern(String method, ObjectNode params) throws McpClientException {
        return answer(post(modernHeaders(method, params), envelope(method, params), Era.MODERN), method);
    }

    /** A 400 (or 404/405) that is not one of the 2026 wire's own errors: the server speaks only 2025. */
    @Override
    Probe probeModern(String method, ObjectNode params) throws McpClientException {
        Reply r = post(modernHeaders(method, params), envelope(method, params), Era.MODERN);
        if (r.message() == null && r.status() == 400 && versionRetry(parsedOrNull(r.body()))) {
            r = post(modernHeaders(method, params), envelope(method, params), Era.MODERN);
        }
        if (r.message() == null && (r.status() == 400 || r.status() == 404 || r.status() == 405)) {
            try {
                JsonNode doc = Json.standard().parse(r.body());
                if (!modernError(doc.path("error").path("code").asInt(0))) {
                    return new Probe(true, null);
                }
            } catch (JacksonException e) {
                return new Probe(true, null);
            }
        }
        return new Probe(false, answer(r, method));
    }

    private static JsonNode parsedOrNull(byte[] body) {
        try {
            return Json.standard().parse(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * Learns the {@code x-mcp-header} annotations from every tools/list answer; and when a tools/call was refused
     * with -32020 (a header missing or wrong) for a tool whose definition was not known, lists the tools and sends
     * the call once more, as the 2026 transport asks clients to.
     */
    @Override
    Answer modernAnswered(String method, ObjectNode params, Answer answer) throws McpClientException {
        JsonNode result = answer.message().get("result");
        if (method.equals("tools/list") && result != null && result.path("tools").isArray()) {
            for (JsonNode tool : result.get("tools")) {
                Map<String, String> headers = HeaderAnnotations.of(tool);
                if (headers != null && tool.path("name").isString()) {
                    paramHeaders.put(tool.get("name").asString(), headers);
                }
            }
        }
        if (method.equals("tools/call") && answer.message().path("error").path("code").asInt(0) == -32020
                && params.path("name").isString() && !paramHeaders.containsKey(params.get("name").asString())) {
            list(Kind.TOOLS);
            if (paramHeaders.containsKey(params.get("name").asString())) {
                return sendModern(method, params);
            }
        }
        return answer;
    }

    /** Tools with invalid {@code x-mcp-header} annotations are dropped, as HTTP clients must. */
    @Override
    boolean keep(Kind kind, JsonNode item) {
        return !dropInvalidTools || kind != Kind.TOOLS || HeaderAnnotations.of(item) != null;
    }

    @Override
    Answer sendLegacy(String method, ObjectNode params) throws McpClientException {
        String session = sessionId;
        ObjectNode request = envelope(method, params);
        try {
            return sendLegacy(method, params, session, request);
        } catch (McpClientException e) {
            if (e.reason() == Reason.INTERRUPTED && session != null) {
                cancelLegacy(session, request.get("id").asLong());
            }
            throw e;
        }
    }

    private Answer sendLegacy(String method, ObjectNode params, String session, ObjectNode request)
            throws McpClientException {
        Reply r = post(traced(legacyHeaders(session, negotiated), params), request, Era.LEGACY);
        if (r.status() == 404 && session != null) {
            expire(session);
            if (!idempotent(method)) {
                throw expired();
            }
            ensureSession(); // sent again in a new session: listing or reading twice changes nothing
            session = sessionId;
            r = post(traced(legacyHeaders(session, negotiated), params), envelope(method, params), Era.LEGACY);
            if (r.status() == 404 && session != null) {
                expire(session);
                throw expired();
            }
        }
        return answer(r, method);
    }

    @Override
    JsonNode initialize(ObjectNode params) throws McpClientException {
        Reply r = post(baseHeaders(), envelope("initialize", params), Era.LEGACY);
        JsonNode result = resultOf(answer(r, "initialize"), "initialize");
        String session = r.headers().get("mcp-session-id");
        if (session != null && !session.matches("[\\x21-\\x7E]{1,1024}")) {
            throw McpClientException.of(Reason.MALFORMED_RESPONSE, "initialize: the Mcp-Session-Id is not visible"
                    + " ASCII");
        }
        String version = result.path("protocolVersion").asString(LEGACY_VERSION);
        Reply n = post(legacyHeaders(session, version), notification("notifications/initialized", null), Era.LEGACY);
        if (n.status() >= 300) {
            throw McpClientException.http("notifications/initialized was refused with HTTP " + n.status(),
                    n.status(), n.headers());
        }
        sessionId = session;
        if (listen && session != null) {
            String v = version;
            Thread.ofVirtual().name("mcp-client-listen").start(() -> listen(session, v));
        }
        return result;
    }

    /**
     * Reads the session's GET stream until the session or the client ends: the server's requests are answered, its
     * notifications delivered. Reopened after a break at most {@link #MAX_RELISTENS} times in a row.
     */
    private void listen(String session, String version) {
        String lastEventId = null;
        for (int breaks = 0; breaks <= MAX_RELISTENS && !closed && session.equals(sessionId); breaks++) {
            Map<String, String> headers = legacyHeaders(session, version);
            headers.remove("Content-Type");
            headers.put("Accept", "text/event-stream");
            if (lastEventId != null) {
                headers.put("Last-Event-ID", lastEventId);
            }
            SseReader sse;
            try {
                HttpExchanges.Response r = send("GET", authorized("GET", headers), null, "GET stream",
                        System.nanoTime() + requestTimeout.toNanos());
                if (r.status() != 200 || !r.headers().getOrDefault("content-type", "")
                        .startsWith("text/event-stream")) {
                    close(r.body());
                    return; // 405: the server offers no GET stream
                }
                listening = r.body();
                if (closed) {
                    close(r.body());
                    return;
                }
                sse = new SseReader(r.body(), maxResponseBytes, lastEventId);
                for (SseReader.Event e = sse.next(); e != null; e = sse.next()) {
                    breaks = 0;
                    if (!e.type().equals("message")) {
                        continue;
                    }
                    JsonNode m = parsedOrNull(e.data().getBytes(StandardCharsets.UTF_8));
                    if (m == null || !m.isObject()) {
                        continue;
                    }
                    if (isRequest(m)) {
                        Thread.ofVirtual().name("mcp-client-server-request").start(() -> reply(m, null));
                    } else if (isNotification(m)) {
                        deliverNotification(m);
                    }
                }
                lastEventId = sse.lastEventId();
                pause(sse.retryMillis(), System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            } catch (IOException | McpClientException | RuntimeException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    @Override
    void sendNotification(Era era, String method, ObjectNode params) throws McpClientException {
        Map<String, String> h;
        if (era == Era.MODERN) {
            h = baseHeaders();
            h.put("MCP-Protocol-Version", MODERN_VERSION);
            h.put("Mcp-Method", method);
        } else {
            h = legacyHeaders(sessionId, negotiated);
        }
        Reply r = post(h, notification(method, params), era);
        if (r.status() >= 300) {
            throw McpClientException.http(method + " was refused with HTTP " + r.status(), r.status(), r.headers());
        }
    }

    /**
     * In a 2025 session a closed stream is not a cancellation: the server is told with
     * {@code notifications/cancelled}, from a thread of its own (the caller's is interrupted, and need not wait).
     */
    private void cancelLegacy(String session, long id) {
        ObjectNode p = Json.object();
        p.put("requestId", id);
        p.put("reason", "cancelled by the client");
        String version = negotiated;
        Thread.ofVirtual().name("mcp-client-cancel").start(() -> {
            try {
                post(legacyHeaders(session, version), notification("notifications/cancelled", p), Era.LEGACY);
            } catch (McpClientException e) {
                // the server times the request out itself
            }
        });
    }

    private void expire(String session) {
        negotiation.lock();
        try {
            if (session.equals(sessionId)) {
                sessionId = null;
                initialized = null;
            }
        } finally {
            negotiation.unlock();
        }
    }

    private McpClientException expired() {
        return McpClientException.of(Reason.SESSION_EXPIRED, "the session with " + endpoint
                + " expired (HTTP 404); the next request initializes a new one");
    }

    // ---- headers

    private Map<String, String> baseHeaders() {
        Map<String, String> h = new LinkedHashMap<>(extraHeaders);
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        return h;
    }

    private Map<String, String> modernHeaders(String method, ObjectNode params) {
        Map<String, String> h = baseHeaders();
        h.put("MCP-Protocol-Version", MODERN_VERSION);
        h.put("Mcp-Method", method);
        String field = switch (method) {
            case "tools/call", "prompts/get" -> "name";
            case "resources/read" -> "uri";
            case "tasks/get", "tasks/update", "tasks/cancel" -> "taskId"; // the tasks extension routes on the id
            default -> null;
        };
        traced(h, params);
        if (field != null && params != null && params.path(field).isString()) {
            h.put("Mcp-Name", headerValue(params.get(field).asString()));
        }
        if (method.equals("tools/call") && params != null) {
            Map<String, String> mirrored = paramHeaders.getOrDefault(params.path("name").asString(""), Map.of());
            JsonNode args = params.path("arguments");
            mirrored.forEach((property, header) -> {
                JsonNode v = args.get(property);
                if (v != null && (v.isString() || v.isIntegralNumber() || v.isBoolean())) {
                    h.put("Mcp-Param-" + header, headerValue(v.isString() ? v.asString()
                            : v.isBoolean() ? String.valueOf(v.asBoolean()) : v.bigIntegerValue().toString()));
                }
            });
        }
        return h;
    }

    /** The longest W3C trace context value mirrored into a header (a tracestate is at most 512 bytes). */
    static final int MAX_TRACE_HEADER = 512;

    /**
     * Mirrors a W3C trace context in {@code params._meta} ({@code traceparent}, {@code tracestate}, SEP-414) into the
     * HTTP headers of the same name, so that HTTP infrastructure between here and the server sees the trace too;
     * values that are not short printable ASCII are not mirrored.
     */
    static Map<String, String> traced(Map<String, String> h, ObjectNode params) {
        JsonNode meta = params == null ? null : params.get("_meta");
        if (meta == null || !meta.isObject()) {
            return h;
        }
        for (String key : new String[] {"traceparent", "tracestate"}) {
            JsonNode v = meta.get(key);
            if (v != null && v.isString() && !v.asString().isEmpty() && v.asString().length() <= MAX_TRACE_HEADER
                    && v.asString().chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                h.put(key, v.asString());
            }
        }
        return h;
    }

    private Map<String, String> legacyHeaders(String session, String version) {
        Map<String, String> h = baseHeaders();
        h.put("MCP-Protocol-Version", version);
        if (session != null) {
            h.put("Mcp-Session-Id", session);
        }
        return h;
    }

    /** A header value as the 2026 wire mirrors it: plain when safe, else {@code =?base64?…?=}. */
    static String headerValue(String value) {
        boolean plain = !value.isEmpty() && value.chars().allMatch(c -> c >= 0x20 && c < 0x7F)
                && value.strip().equals(value) && !(value.startsWith("=?base64?") && value.endsWith("?="));
        return plain ? value
                : "=?base64?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    // ---- one exchange

    /**
     * POSTs a message. For a request answered with SSE, reads the stream (delivering notifications, answering the
     * server's requests) until the response with its id; otherwise reads the body, bounded. HTTP answers that are
     * not MCP (401, 403, redirects, 5xx) become exceptions here.
     */
    private Reply post(Map<String, String> headers, ObjectNode message, Era era) throws McpClientException {
        for (int retries = 0; ; retries++) {
            try {
                return postOnce(new LinkedHashMap<>(headers), message, era);
            } catch (McpClientException e) {
                if (!retryAuthorized("POST", e, retries)) {
                    throw e;
                }
            }
        }
    }

    /** Whether the authorization took a 401 or 403 up and asks for the request to be sent again. */
    private boolean retryAuthorized(String httpMethod, McpClientException e, int retries) throws McpClientException {
        int status = e.httpStatus();
        if (authorization == null || e.reason() != Reason.HTTP_STATUS || status != 401 && status != 403
                || retries >= HttpAuthorization.MAX_RETRIES) {
            return false;
        }
        return authorization.retry(new HttpAuthorization.Challenge(httpMethod, endpoint, status, e.headers()));
    }

    private Reply postOnce(Map<String, String> headers, ObjectNode message, Era era) throws McpClientException {
        String method = message.path("method").asString("response");
        // only a request of ours waits for a response on an SSE stream; an answer to the server's request does not
        long id = isRequest(message) && message.get("id").isIntegralNumber() ? message.get("id").asLong() : -1;
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        HttpExchanges.Response response = send("POST", authorized("POST", headers), Json.standard().bytes(message),
                method, deadline);
        Map<String, String> h = response.headers();
        int status = response.status();
        InputStream in = response.body();
        refuseNonMcp(status, h, in);
        String type = h.getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
        if (id >= 0 && status / 100 == 2 && type.startsWith("text/event-stream")) {
            return new Reply(status, h, NO_BODY, readStream(in, method, id, era, deadline));
        }
        long length = parseLength(h.get("content-length"));
        if (length > maxResponseBytes) {
            close(in);
            throw tooLarge(method);
        }
        byte[] body = within(in, deadline, method, () -> readBounded(in, length, method));
        return new Reply(status, h, body, null);
    }

    private Map<String, String> authorized(String httpMethod, Map<String, String> headers)
            throws McpClientException {
        if (authorization != null) {
            headers.putAll(authorization.headers(httpMethod, endpoint));
            return headers;
        }
        Optional<String> t;
        try {
            t = token.get();
        } catch (RuntimeException e) {
            // a supplier that asks an authorization server for the token: its failure is this request's
            throw McpClientException.of(Reason.CREDENTIAL_UNAVAILABLE, String.valueOf(e.getMessage()), e);
        }
        t.filter(v -> !v.isBlank()).ifPresent(v -> headers.put("Authorization", "Bearer " + v));
        return headers;
    }

    private HttpExchanges.Response send(String httpMethod, Map<String, String> headers, byte[] body, String method,
                                        long deadline) throws McpClientException {
        try {
            return http.send(httpMethod, endpoint, headers, body, deadline);
        } catch (org.apache.hc.client5.http.ConnectTimeoutException e) {
            throw McpClientException.of(Reason.TIMEOUT, endpoint + " did not accept a connection within "
                    + shown(connectTimeout), e);
        } catch (HttpExchanges.DeadlinePassed | SocketTimeoutException e) {
            throw timeout(method);
        } catch (ConnectException e) {
            throw McpClientException.of(Reason.CONNECTION_REFUSED, "cannot connect to " + endpoint
                    + " (connection refused)", e);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw McpClientException.of(Reason.INTERRUPTED, "interrupted", e);
            }
            if (closed) {
                throw McpClientException.of(Reason.CLOSED, "the client is closed", e);
            }
            throw McpClientException.of(Reason.CONNECTION_FAILED, "cannot reach " + endpoint + ": " + e.getMessage(),
                    e);
        }
    }

    private void refuseNonMcp(int status, Map<String, String> h, InputStream in) throws McpClientException {
        String challenge = h.containsKey("www-authenticate")
                ? " (WWW-Authenticate: " + h.get("www-authenticate") + ")" : "";
        String message = null;
        if (status == 401) {
            message = endpoint + " answered 401 Unauthorized" + challenge;
        } else if (status == 403) {
            message = endpoint + " answered 403 Forbidden" + challenge;
        } else if (status >= 300 && status < 400) {
            message = endpoint + " redirected (HTTP " + status + " to " + h.getOrDefault("location", "?") + ")";
        } else if (status >= 500) {
            message = endpoint + " failed with HTTP " + status;
        }
        if (message != null) {
            close(in);
            throw McpClientException.http(message, status, h);
        }
    }

    private static final byte[] NO_BODY = new byte[0];

    private static boolean blank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** The JSON-RPC response of a reply: from its SSE stream, or its JSON body. */
    private Answer answer(Reply r, String method) throws McpClientException {
        if (r.message() != null) {
            return new Answer(r.message(), r.status());
        }
        if (blank(r.body())) {
            if (r.status() >= 400) {
                throw McpClientException.http(method + " was refused with HTTP " + r.status(), r.status(),
                        r.headers());
            }
            throw McpClientException.of(Reason.MALFORMED_RESPONSE, method + ": the server sent no response (HTTP "
                    + r.status() + ")");
        }
        JsonNode doc;
        try {
            doc = Json.standard().parse(r.body());
        } catch (JacksonException e) {
            if (r.status() >= 400) { // an error page of a proxy or server: the status says what happened
                throw McpClientException.http(method + " was refused with HTTP " + r.status(), r.status(),
                        r.headers());
            }
            throw McpClientException.of(Reason.MALFORMED_RESPONSE, method + ": the response (HTTP " + r.status()
                    + ") is not JSON: " + e.getOriginalMessage());
        }
        if (!doc.isObject() || !doc.has("result") && !doc.has("error")) { // a 4xx error may come without an id
            throw McpClientException.of(Reason.MALFORMED_RESPONSE, method + ": the response is not a JSON-RPC"
                    + " response object");
        }
        return new Answer(doc, r.status());
    }

    // ---- SSE

    /** Reads an SSE answer until the response to {@code id}, resuming a legacy stream the server broke off. */
    private JsonNode readStream(InputStream first, String method, long id, Era era, long deadline)
            throws McpClientException {
        InputStream in = first;
        SseReader sse = new SseReader(in, maxResponseBytes, null);
        for (int resumes = 0; ; resumes++) {
            SseReader reading = sse;
            JsonNode found = within(in, deadline, method, () -> events(reading, method, id, era));
            if (found != null) {
                return found;
            }
            if (era != Era.LEGACY || sse.lastEventId() == null || resumes == MAX_RESUMES) {
                throw McpClientException.of(Reason.MALFORMED_RESPONSE, method
                        + ": the event stream ended without a response");
            }
            pause(sse.retryMillis(), deadline);
            in = resume(sse.lastEventId(), method);
            sse = new SseReader(in, maxResponseBytes, sse.lastEventId());
        }
    }

    /** The response to {@code id} from the stream, or null when it ends first. */
    private JsonNode events(SseReader sse, String method, long id, Era era) throws IOException, McpClientException {
        for (SseReader.Event e = sse.next(); e != null; e = sse.next()) {
            if (!e.type().equals("message")) {
                continue;
            }
            JsonNode m;
            try {
                m = Json.standard().parse(e.data());
            } catch (JacksonException x) {
                throw McpClientException.of(Reason.MALFORMED_RESPONSE, method + ": an event of the stream is not"
                        + " JSON: " + x.getOriginalMessage());
            }
            if (!m.isObject()) {
                continue;
            }
            if (isResponse(m)) {
                if (answers(m, id)) {
                    return m;
                }
            } else if (isRequest(m)) {
                if (era == Era.LEGACY) { // the 2026 wire has no server requests: MRTR replaces them
                    Scope of = currentScope();
                    Thread.ofVirtual().name("mcp-client-server-request").start(() -> reply(m, of));
                }
            } else if (isNotification(m)) {
                deliverNotification(m);
            }
        }
        return null;
    }

    /** Answers a server's request in the session; best effort, the server times the request out otherwise. */
    private void reply(JsonNode request, Scope of) {
        ObjectNode response = answerServerRequest(request, of);
        try {
            post(legacyHeaders(sessionId, negotiated), response, Era.LEGACY);
        } catch (McpClientException e) {
            // nothing to tell: the server's request, and the tool call waiting on it, time out there
        }
    }

    /** Opens the GET stream that continues a broken one after {@code lastEventId}. */
    private InputStream resume(String lastEventId, String method) throws McpClientException {
        Map<String, String> headers = legacyHeaders(sessionId, negotiated);
        headers.remove("Content-Type");
        headers.put("Accept", "text/event-stream");
        headers.put("Last-Event-ID", lastEventId);
        HttpExchanges.Response r;
        try {
            r = send("GET", authorized("GET", headers), null, method, System.nanoTime() + requestTimeout.toNanos());
        } catch (McpClientException e) {
            if (e.reason() != Reason.CONNECTION_FAILED) {
                throw e;
            }
            // a kept-alive connection the server closed as the stream ended: a GET is safe to send once more
            r = send("GET", authorized("GET", headers), null, method, System.nanoTime() + requestTimeout.toNanos());
        }
        Map<String, String> h = r.headers();
        refuseNonMcp(r.status(), h, r.body());
        if (r.status() != 200 || !h.getOrDefault("content-type", "").startsWith("text/event-stream")) {
            close(r.body());
            throw McpClientException.of(Reason.MALFORMED_RESPONSE, method + ": the event stream ended without a"
                    + " response, and resuming it was answered with HTTP " + r.status());
        }
        return r.body();
    }

    private void pause(long retryMillis, long deadline) throws McpClientException {
        long wait = Math.min(Math.max(retryMillis, 0), TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw McpClientException.of(Reason.INTERRUPTED, "interrupted", e);
            }
        }
    }

    // ---- bounded, timed reading

    /** Runs a read of {@code in} that the watchdog cuts off by closing the stream at the deadline. */
    private <T> T within(InputStream in, long deadline, String method, Reading<T> reading)
            throws McpClientException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            close(in);
            throw timeout(method);
        }
        AtomicBoolean cut = new AtomicBoolean();
        ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> {
            cut.set(true);
            close(in);
        }, remaining, TimeUnit.NANOSECONDS);
        try {
            return reading.read();
        } catch (LineReader.LineTooLongException e) {
            throw tooLarge(method);
        } catch (IOException e) {
            if (cut.get()) {
                throw timeout(method);
            }
            if (Thread.currentThread().isInterrupted()) { // the caller gave up: the stream is closed, which cancels
                throw McpClientException.of(Reason.INTERRUPTED, "interrupted", e);
            }
            if (closed) {
                throw McpClientException.of(Reason.CLOSED, "the client is closed", e);
            }
            throw McpClientException.of(Reason.CONNECTION_FAILED, "the connection to " + endpoint
                    + " broke while reading the response to " + method + ": " + e.getMessage(), e);
        } finally {
            alarm.cancel(false);
            close(in);
        }
    }

    /**
     * The body: its announced {@code length} read into one array of that size, or up to the bound; read to its end
     * either way, which gives the connection back to the pool.
     */
    private byte[] readBounded(InputStream in, long length, String method) throws IOException, McpClientException {
        if (length >= 0) {
            byte[] bytes = in.readNBytes((int) length);
            if (in.read() >= 0) { // a body longer than its Content-Length: not this exchange's to guess at
                throw McpClientException.of(Reason.MALFORMED_RESPONSE, method + ": the response is longer than its "
                        + "Content-Length");
            }
            return bytes;
        }
        byte[] bytes = in.readNBytes((int) maxResponseBytes + 1);
        if (bytes.length > maxResponseBytes) {
            throw tooLarge(method);
        }
        return bytes;
    }

    private McpClientException timeout(String method) {
        return McpClientException.of(Reason.TIMEOUT, endpoint + " did not answer " + method + " within "
                + shown(requestTimeout));
    }

    private McpClientException tooLarge(String method) {
        return McpClientException.of(Reason.RESPONSE_TOO_LARGE, method + ": the response is larger than "
                + maxResponseBytes + " bytes");
    }

    private static long parseLength(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // closing only ends the exchange early
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        InputStream l = listening;
        if (l != null) {
            close(l);
        }
        String session = sessionId;
        if (session != null) {
            Map<String, String> headers = legacyHeaders(session, negotiated);
            headers.remove("Content-Type");
            try (InputStream body = http.send("DELETE", endpoint, authorized("DELETE", headers), null,
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(5)).body()) {
                body.readNBytes(4096);
            } catch (IOException | McpClientException | RuntimeException e) {
                // best effort: the server expires the session anyway
            }
        }
        http.close();
    }
}
