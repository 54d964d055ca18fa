package dev.mcpwarden.client;

import dev.mcpwarden.client.McpClientException.Reason;
import dev.mcpwarden.core.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What both transports share: era detection, the {@value McpClient#LEGACY_VERSION} handshake, envelopes, results
 * and errors, pagination, and answering the server's requests. A transport only moves messages.
 */
abstract class BaseClient implements McpClient {

    static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    static final int METHOD_NOT_FOUND = -32601;
    private static final int MAX_PAGES = 1000;

    /** A JSON-RPC response as it arrived, with the HTTP status it came with (0 on stdio). */
    record Answer(JsonNode message, int status) {
    }

    /** The answer to a first request sent the modern way, and whether it shows a legacy-only server. */
    record Probe(boolean legacy, Answer answer) {
    }

    final Duration requestTimeout;
    final Duration connectTimeout;
    final String clientName;
    final String clientVersion;
    final ObjectNode capabilities;
    final long maxResponseBytes;
    final McpClient.NotificationListener notifications;
    final McpClient.ServerRequestHandler serverRequests;
    private final AtomicLong ids = new AtomicLong();
    /** Held while the era is decided and while a session is initialized, so concurrent first requests wait. */
    final ReentrantLock negotiation = new ReentrantLock();
    /** The listener and handler of the request the current thread is sending, when it named its own. */
    private final ThreadLocal<Scope> scope = new ThreadLocal<>();

    /** Where one request's own messages go; either part null means the client-wide one. */
    record Scope(NotificationListener notifications, ServerRequestHandler serverRequests) {
    }
    /** Null until decided (AUTO); then MODERN or LEGACY for the client's life. */
    private volatile Era era;
    private volatile JsonNode discovered;
    /** The {@code initialize} result of the current session; null before it and after the session expired. */
    volatile JsonNode initialized;
    volatile String negotiated = LEGACY_VERSION;
    volatile boolean closed;

    BaseClient(McpClient.Builder b) {
        this.requestTimeout = b.requestTimeout;
        this.connectTimeout = b.connectTimeout;
        this.clientName = b.clientName;
        this.clientVersion = b.clientVersion;
        this.capabilities = b.capabilities == null ? Json.object() : b.capabilities.deepCopy();
        this.maxResponseBytes = b.maxResponseBytes;
        this.notifications = b.notifications;
        this.serverRequests = b.serverRequests;
        this.era = b.era == Era.AUTO ? null : b.era;
    }

    // ---- what a transport provides

    /** Sends a request the {@value McpClient#MODERN_VERSION} way ({@code params} already carry {@code _meta}). */
    abstract Answer sendModern(String method, ObjectNode params) throws McpClientException;

    /** Sends a first request the modern way and judges from the answer whether the server is legacy-only. */
    abstract Probe probeModern(String method, ObjectNode params) throws McpClientException;

    /** Sends a request in the current {@value McpClient#LEGACY_VERSION} session (initialized by the caller). */
    abstract Answer sendLegacy(String method, ObjectNode params) throws McpClientException;

    /** Sends {@code initialize} and {@code notifications/initialized}; returns the initialize result. */
    abstract JsonNode initialize(ObjectNode params) throws McpClientException;

    /** Sends a notification in the decided era. */
    abstract void sendNotification(Era era, String method, ObjectNode params) throws McpClientException;

    /**
     * A modern answer, or the answer to the request sent again when the transport can correct what the server
     * refused (HTTP: routing headers it had no tool definition for). {@code params} carry {@code _meta}.
     */
    Answer modernAnswered(String method, ObjectNode params, Answer answer) throws McpClientException {
        return answer;
    }

    /** Whether {@link #list} keeps an item: HTTP drops tools whose {@code x-mcp-header} annotations are invalid. */
    boolean keep(Kind kind, JsonNode item) {
        return true;
    }

    // ---- the API

    @Override
    public JsonNode request(String method, ObjectNode params) throws McpClientException {
        checkOpen();
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("a request needs a method");
        }
        Era e = era;
        if (e == null) {
            negotiation.lock();
            try {
                if (era == null) {
                    return probe(method, params);
                }
            } finally {
                negotiation.unlock();
            }
            e = era;
        }
        if (e == Era.MODERN) {
            ObjectNode p = modernParams(params);
            Answer a = sendModern(method, p);
            if (versionRetry(a.message())) {
                a = sendModern(method, p);
            }
            return resultOf(modernAnswered(method, p, a), method);
        }
        return legacy(method, params);
    }

    @Override
    public JsonNode request(String method, ObjectNode params, NotificationListener notifications,
                            ServerRequestHandler serverRequests) throws McpClientException {
        Scope outer = scope.get();
        scope.set(new Scope(notifications, serverRequests));
        try {
            return request(method, params);
        } finally {
            if (outer == null) {
                scope.remove();
            } else {
                scope.set(outer);
            }
        }
    }

    /** The scope of the request the current thread sends (captured before a server request leaves the thread). */
    Scope currentScope() {
        return scope.get();
    }

    @Override
    public void notify(String method, ObjectNode params) throws McpClientException {
        checkOpen();
        Era e = decidedEra();
        if (e == Era.LEGACY) {
            ensureSession();
        }
        sendNotification(e, method, params);
    }

    @Override
    public List<JsonNode> list(Kind kind) throws McpClientException {
        return listing(kind).items();
    }

    @Override
    public Listing listing(Kind kind) throws McpClientException {
        List<JsonNode> items = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        boolean privateScope = false;
        Set<String> seen = new HashSet<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode params = Json.object();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode result;
            try {
                result = request(kind.method(), params);
            } catch (McpClientException e) {
                if (e.errorCode().orElse(0) == METHOD_NOT_FOUND) { // the server does not offer this feature
                    return new Listing(List.of(), decidedEra() == Era.MODERN, 0, false, false);
                }
                throw e;
            }
            if ("input_required".equals(result.path("resultType").asString(""))) {
                throw McpClientException.of(Reason.INPUT_REQUIRED, kind.method()
                        + " asked for client input, which a list cannot give");
            }
            JsonNode arr = result.get(kind.field());
            if (arr == null || !arr.isArray()) {
                throw McpClientException.of(Reason.MALFORMED_RESPONSE, kind.method() + " result has no \""
                        + kind.field() + "\" array");
            }
            arr.forEach(item -> {
                if (keep(kind, item)) {
                    items.add(item);
                }
            });
            // absent or malformed hints count as "do not cache", and a missing scope as private (the safe side)
            JsonNode pageTtl = result.get("ttlMs");
            ttl = Math.min(ttl, pageTtl != null && pageTtl.isIntegralNumber() ? Math.max(0, pageTtl.asLong()) : 0);
            privateScope |= !"public".equals(result.path("cacheScope").asString(""));
            JsonNode next = result.get("nextCursor");
            if (next == null || next.isNull()) {
                // the era is decided by now (the first request decides it): only the 2026 wire sends hints
                boolean hinted = decidedEra() == Era.MODERN;
                return new Listing(items, hinted, hinted ? ttl : 0, privateScope, true);
            }
            if (!next.isString() || !seen.add(next.asString())) {
                throw McpClientException.of(Reason.MALFORMED_RESPONSE, kind.method()
                        + " returned a repeated or malformed nextCursor");
            }
            cursor = next.asString();
        }
        throw McpClientException.of(Reason.MALFORMED_RESPONSE, kind.method() + " did not end after " + MAX_PAGES
                + " pages");
    }

    @Override
    public String protocolVersion() throws McpClientException {
        return decidedEra() == Era.MODERN ? MODERN_VERSION : negotiated;
    }

    @Override
    public JsonNode serverInfo() throws McpClientException {
        return negotiatedResult(true);
    }

    @Override
    public JsonNode capabilities() throws McpClientException {
        return negotiatedResult(false);
    }

    private JsonNode negotiatedResult(boolean info) throws McpClientException {
        if (decidedEra() == Era.LEGACY) {
            ensureSession();
            JsonNode r = initialized;
            JsonNode v = r == null ? null : r.get(info ? "serverInfo" : "capabilities");
            return v != null && v.isObject() ? v : Json.object();
        }
        JsonNode d = discovered;
        if (d == null) {
            d = request("server/discover", null);
            discovered = d;
        }
        JsonNode v = info ? d.path("_meta").get(META_SERVER_INFO) : d.get("capabilities");
        return v != null && v.isObject() ? v : Json.object();
    }

    // ---- era detection

    /**
     * The first request, sent the modern way. A legacy-only answer (see the transports' {@code probeModern}, after
     * {@link #modernError}) makes the client initialize a session and send the request again there.
     */
    private JsonNode probe(String method, ObjectNode params) throws McpClientException {
        ObjectNode modern = modernParams(params);
        Probe p = probeModern(method, modern);
        if (p.legacy()) {
            era = Era.LEGACY;
            return legacy(method, params);
        }
        era = Era.MODERN;
        JsonNode result = resultOf(modernAnswered(method, modern, p.answer()), method);
        if (method.equals("server/discover")) {
            discovered = result;
        }
        return result;
    }

    /**
     * The era, deciding it with {@code server/discover} when no request did yet. Every modern server implements
     * {@code server/discover}, so here, unlike for other first requests, "method not found" also means legacy.
     */
    Era decidedEra() throws McpClientException {
        Era e = era;
        if (e != null) {
            return e;
        }
        negotiation.lock();
        try {
            if (era == null) {
                Probe p = probeModern("server/discover", modernParams(null));
                JsonNode error = p.answer() == null ? null : p.answer().message().get("error");
                if (p.legacy() || error != null && error.path("code").asInt(0) == METHOD_NOT_FOUND) {
                    era = Era.LEGACY;
                    ensureSession();
                } else {
                    discovered = resultOf(p.answer(), "server/discover");
                    era = Era.MODERN;
                }
            }
            return era;
        } finally {
            negotiation.unlock();
        }
    }

    /**
     * Whether an error to a first, 2026-style request shows that the server understood it as one: the 2026
     * envelope errors (-32020 to -32029, but -32022) and "method not found" (the server lacks that method). Anything
     * else (no JSON-RPC error, "session required", "unsupported protocol version") means a 2025-only server.
     */
    static boolean modernError(int code) {
        return code <= -32020 && code >= -32029 && code != -32022 || code == METHOD_NOT_FOUND;
    }

    /**
     * Whether an answer is "unsupported protocol version" (-32022) from a server whose {@code data.supported} lists
     * {@value McpClient#MODERN_VERSION}, the version that was sent: a server that changed its mind (an upgrade
     * between replicas, say) is asked once more, as the 2026 wire tells clients to retry with a supported version.
     */
    static boolean versionRetry(JsonNode message) {
        JsonNode error = message == null ? null : message.get("error");
        if (error == null || error.path("code").asInt(0) != -32022) {
            return false;
        }
        for (JsonNode v : error.path("data").path("supported")) {
            if (MODERN_VERSION.equals(v.asString(""))) {
                return true;
            }
        }
        return false;
    }

    // ---- the legacy session

    private JsonNode legacy(String method, ObjectNode params) throws McpClientException {
        ensureSession();
        return resultOf(sendLegacy(method, params), method);
    }

    /** Initializes a session unless one is open. */
    void ensureSession() throws McpClientException {
        if (initialized != null) {
            return;
        }
        negotiation.lock();
        try {
            if (initialized == null) {
                ObjectNode p = Json.object();
                p.put("protocolVersion", LEGACY_VERSION);
                p.set("capabilities", capabilities.deepCopy());
                p.putObject("clientInfo").put("name", clientName).put("version", clientVersion);
                JsonNode result = initialize(p);
                negotiated = result.path("protocolVersion").asString(LEGACY_VERSION);
                initialized = result;
            }
        } finally {
            negotiation.unlock();
        }
    }

    /** Methods that can be sent again after a session expired without doing anything twice. */
    static boolean idempotent(String method) {
        return method.endsWith("/list") || method.equals("ping") || method.equals("resources/read")
                || method.equals("prompts/get") || method.equals("completion/complete");
    }

    // ---- messages

    ObjectNode envelope(String method, ObjectNode params) {
        ObjectNode r = Json.object();
        r.put("jsonrpc", "2.0");
        r.put("id", ids.incrementAndGet());
        r.put("method", method);
        if (params != null) {
            r.set("params", params);
        }
        return r;
    }

    static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode r = Json.object();
        r.put("jsonrpc", "2.0");
        r.put("method", method);
        if (params != null) {
            r.set("params", params);
        }
        return r;
    }

    /** A copy of {@code params} with the modern {@code _meta} fields; the caller's other {@code _meta} stays. */
    ObjectNode modernParams(ObjectNode params) {
        ObjectNode p = params == null ? Json.object() : params.deepCopy();
        ObjectNode meta = p.get("_meta") instanceof ObjectNode m ? m : Json.object();
        meta.put(META_VERSION, MODERN_VERSION);
        if (!(meta.get(META_CAPABILITIES) instanceof ObjectNode)) {
            meta.set(META_CAPABILITIES, capabilities.deepCopy());
        }
        if (!meta.has(META_CLIENT_INFO)) {
            meta.putObject(META_CLIENT_INFO).put("name", clientName).put("version", clientVersion);
        }
        p.set("_meta", meta);
        return p;
    }

    /** The result of a JSON-RPC response, or its error as an exception. */
    static JsonNode resultOf(Answer answer, String method) throws McpClientException {
        JsonNode response = answer.message();
        JsonNode error = response.get("error");
        if (error != null && error.isObject()) {
            int code = error.path("code").asInt(0);
            String message = error.path("message").asString("(no message)");
            throw new McpClientException(Reason.JSON_RPC_ERROR, method + " failed: " + message
                    + " (JSON-RPC error " + code + ")", code, message, error.get("data"), answer.status(), null, null);
        }
        JsonNode result = response.get("result");
        if (result == null || !result.isObject()) {
            throw McpClientException.of(Reason.MALFORMED_RESPONSE, method
                    + " returned neither a result nor an error");
        }
        return result;
    }

    static boolean isResponse(JsonNode m) {
        return m.has("id") && !m.has("method") && (m.has("result") || m.has("error"));
    }

    static boolean isRequest(JsonNode m) {
        return m.has("id") && m.path("method").isString();
    }

    static boolean isNotification(JsonNode m) {
        return !m.has("id") && m.path("method").isString();
    }

    /** Whether a response answers the request with this id. */
    static boolean answers(JsonNode response, long id) {
        JsonNode i = response.get("id");
        return i != null && i.isIntegralNumber() && i.asLong() == id;
    }

    void deliverNotification(JsonNode m) {
        JsonNode params = m.get("params");
        Scope s = scope.get();
        NotificationListener listener = s != null && s.notifications() != null ? s.notifications() : notifications;
        try {
            listener.onNotification(m.get("method").asString(), params != null && params.isObject() ? params
                    : Json.object());
        } catch (RuntimeException e) {
            // a listener's bug must not break the stream the response still has to arrive on
        }
    }

    /** The response to a server's request: ping answered here, the rest by the handler or -32601. */
    ObjectNode answerServerRequest(JsonNode request) {
        return answerServerRequest(request, null);
    }

    /** As {@link #answerServerRequest(JsonNode)}, by the handler of {@code in} when the request named one. */
    ObjectNode answerServerRequest(JsonNode request, Scope in) {
        ServerRequestHandler serverRequests = in != null && in.serverRequests() != null ? in.serverRequests()
                : this.serverRequests;
        ObjectNode reply = Json.object().put("jsonrpc", "2.0");
        reply.set("id", request.get("id"));
        String method = request.get("method").asString();
        if (method.equals("ping")) {
            reply.set("result", Json.object());
            return reply;
        }
        if (serverRequests == null) {
            reply.putObject("error").put("code", METHOD_NOT_FOUND).put("message", "Method not found");
            return reply;
        }
        try {
            JsonNode params = request.get("params");
            JsonNode result = serverRequests.handle(method, params == null ? Json.object() : params);
            reply.set("result", result == null ? Json.object() : result);
        } catch (McpClientException e) {
            ObjectNode error = reply.putObject("error");
            error.put("code", e.errorCode().orElse(-32603));
            error.put("message", e.errorMessage().orElse("Internal error"));
            e.errorData().ifPresent(d -> error.set("data", d));
        } catch (RuntimeException e) {
            // the handler's exception text stays here: it may say more than the server should learn
            reply.putObject("error").put("code", -32603).put("message", "Internal error");
        }
        return reply;
    }

    void checkOpen() throws McpClientException {
        if (closed) {
            throw McpClientException.of(Reason.CLOSED, "the client is closed");
        }
    }

    static String shown(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
