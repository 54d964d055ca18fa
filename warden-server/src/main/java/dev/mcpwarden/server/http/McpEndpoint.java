package dev.mcpwarden.server.http;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcError;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.McpService;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.dispatch.Handshake;
import dev.mcpwarden.server.dispatch.ChangeListener;
import dev.mcpwarden.server.dispatch.ModernMeta;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.session.EventStore;
import dev.mcpwarden.server.session.Session;
import dev.mcpwarden.server.session.SessionStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP endpoint behind the HTTP-level stages: decides the era of each request, enforces the 2026 envelope
 * (routing headers, {@code _meta}) and 2025 sessions, and hands requests to the server's MCP-level pipeline.
 */
final class McpEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";
    /** How often a stream another replica writes is read from the shared event store while following it. */
    private static final long FOLLOW_POLL_MILLIS = 100;
    /** The most events of a session read from the store at once while following one of its streams. */
    private static final int FOLLOW_PAGE = 100;
    /** The connection following each stream here, by session id and stream id: one at a time. */
    private final Map<String, Object> followers = new ConcurrentHashMap<>();

    private final McpService server;
    private final HttpOptions options;
    private final JsonRpcCodec codec;
    private final SessionStore sessions;
    private final EventStore events;
    private final HeaderValidator headers;
    private final SecurityEventListener securityEvents;
    private final SecureRandom random = new SecureRandom();
    /** Live SSE streams of 2025 sessions, by session id and stream id, for resumption. */
    private final Map<String, SseStream> liveStreams = new ConcurrentHashMap<>();
    /** Calls being served now (not open GET streams), which a draining replica lets finish. */
    private final java.util.concurrent.atomic.AtomicInteger callsInFlight =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean draining;
    /** Per principal: how often it may start a session, open a GET stream, end a session. */
    private final PrincipalBuckets starts;
    private final PrincipalBuckets streams;
    private final PrincipalBuckets ends;
    /** Ends streams whose token expired, and sweeps idle sessions out of the store. */
    private final java.util.concurrent.ScheduledThreadPoolExecutor timers;

    McpEndpoint(McpService server, HttpOptions options, JsonRpcCodec codec, SessionStore sessions, EventStore events) {
        this(server, options, codec, sessions, events, TransportLimits.DEFAULTS);
    }

    McpEndpoint(McpService server, HttpOptions options, JsonRpcCodec codec, SessionStore sessions, EventStore events,
                TransportLimits limits) {
        this.starts = new PrincipalBuckets("session-starts", limits.sessionStarts());
        this.streams = new PrincipalBuckets("session-streams", limits.sessionRequests());
        this.ends = new PrincipalBuckets("session-ends", limits.sessionRequests());
        this.timers = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("warden-stream-timers").factory());
        timers.setRemoveOnCancelPolicy(true); // a stream that ended before its token leaves nothing queued
        this.server = server;
        this.options = options;
        this.codec = codec;
        this.sessions = sessions;
        this.events = events;
        this.headers = new HeaderValidator(server.backend().definitions());
        this.securityEvents = server.controls() == null ? SecurityEvents.NONE : server.controls().events();
        server.backend().definitions().addListener(this::changed);
        // A resource that changed on another replica reaches the subscribed sessions whose streams are here.
        sessions.onResourceUpdate(uri -> broadcast(ChangeListener.Kind.RESOURCE_UPDATED, uri));
        // A session that ended elsewhere (another replica, expiry, eviction): its streams here end too.
        sessions.onEnded(this::endStreams);
        // Idle sessions end on time even when nobody asks for them: their streams and events go with them.
        long sweep = Math.max(1_000, Math.min(30_000, options.sessionIdle().toMillis() / 4));
        timers.scheduleWithFixedDelay(this::sweep, sweep, sweep, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            sessions.sweep();
        } catch (RuntimeException e) {
            LOG.warn("could not sweep idle sessions: {}", e.getMessage());
        }
    }

    /** Stops the timers (the transport is closing). */
    void close() {
        timers.shutdownNow();
    }

    Void handle(HttpExchange ex) {
        if (draining) {
            ex.response().getHeaders().put(HttpHeader.CONNECTION, "close");
            throw Rejection.unavailable("Service unavailable: this replica is shutting down; retry", 1);
        }
        switch (ex.method()) {
            case "POST" -> post(ex);
            case "GET" -> get(ex);
            case "DELETE" -> delete(ex);
            default -> throw Rejection.methodNotAllowed("Method Not Allowed", "GET, POST, DELETE");
        }
        return null;
    }

    // ---- POST

    private void post(HttpExchange ex) {
        JsonNode document = ex.document();
        if (JsonRpcCodec.isBatch(document)) {
            throw Rejection.badRequest("Invalid request: JSON-RPC batches are not supported");
        }
        JsonRpcMessage message = codec.read(document);
        String sessionId = ex.header(SESSION_HEADER);
        if (sessionId == null && isModern(ex, message)) {
            modern(ex, message);
        } else {
            legacy(ex, message, sessionId);
        }
    }

    private static boolean isModern(HttpExchange ex, JsonRpcMessage message) {
        ObjectNode params = switch (message) {
            case JsonRpcMessage.Request r -> r.params();
            case JsonRpcMessage.Notification n -> n.params();
            default -> null;
        };
        if (params != null && params.get("_meta") instanceof ObjectNode) {
            return true;
        }
        String version = ex.header(VERSION_HEADER);
        return version != null && !ProtocolVersion.legacyIds().contains(version);
    }

    // ---- 2026-07-28: stateless

    private void modern(HttpExchange ex, JsonRpcMessage message) {
        if (message instanceof JsonRpcMessage.Notification) {
            accepted(ex); // the 2026 wire defines no client notifications over HTTP; accept and ignore
            return;
        }
        if (!(message instanceof JsonRpcMessage.Request request)) {
            throw Rejection.badRequest("Invalid request: the 2026-07-28 wire carries no responses from clients");
        }
        try {
            if (ex.header(VERSION_HEADER) == null) {
                throw new McpError(ErrorCodes.HEADER_MISMATCH,
                        "Header mismatch: MCP-Protocol-Version header is required", null, 400);
            }
            ModernMeta meta = ModernMeta.read(request.params(), ex.header(VERSION_HEADER));
            headers.validate(ex, request);
            if (!server.knows(request.method(), true)) {
                throw McpError.methodNotFound(request.method(), true);
            }
            Responder responder = responder(ex, null, false);
            Call call = new Call(request, meta.version(), null, meta.clientCapabilities(), meta.logLevel(),
                    responder);
            call.principal(ex.principal());
            presented(ex, call);
            traced(ex, call);
            call.remoteAddress(ex.remoteAddress());
            call.correlationId(ex.correlationId());
            call.inline(ex.inline());
            ex.markCallStarted();
            responder.bind(call);
            ex.request().addFailureListener(t -> call.cancel());
            run(call, responder);
        } catch (McpError e) {
            throw asRejection(e, request.id(), true);
        }
    }

    // ---- 2025: sessions

    private void legacy(HttpExchange ex, JsonRpcMessage message, String sessionId) {
        String versionHeader = ex.header(VERSION_HEADER);
        if (versionHeader != null && !ProtocolVersion.legacyIds().contains(versionHeader)) {
            throw Rejection.badRequest("Bad Request: unsupported MCP-Protocol-Version " + versionHeader);
        }
        if (sessionId == null) {
            if (message instanceof JsonRpcMessage.Request r && "initialize".equals(r.method())) {
                initialize(ex, r);
                return;
            }
            throw Rejection.badRequest("Bad Request: Mcp-Session-Id header is required; send initialize first "
                    + "or use protocol version 2026-07-28");
        }
        Session session = ownSession(ex, sessionId);
        switch (message) {
            case JsonRpcMessage.Request r -> {
                if ("initialize".equals(r.method())) {
                    throw Rejection.badRequest("Bad Request: session already initialized");
                }
                Responder responder = responder(ex, session, true);
                Call call = new Call(r, session.version(), session, session.clientCapabilities(), null, responder);
                call.principal(ex.principal());
                presented(ex, call);
                traced(ex, call);
            traced(ex, call);
                call.remoteAddress(ex.remoteAddress());
                call.correlationId(ex.correlationId());
                ex.markCallStarted();
                responder.bind(call);
                session.inFlight().put(r.id(), call::cancel);
                try {
                    run(call, responder);
                } catch (McpError e) {
                    throw asRejection(e, r.id(), false);
                } finally {
                    session.inFlight().remove(r.id());
                }
            }
            case JsonRpcMessage.Notification n -> {
                switch (n.method()) {
                    case "notifications/initialized" -> session.markInitialized();
                    case "notifications/cancelled" -> {
                        Runnable cancel = session.inFlight().get(n.params() == null ? null
                                : n.params().get("requestId"));
                        if (cancel != null) {
                            cancel.run();
                        }
                    }
                    default -> {
                        // roots/list_changed, progress: nothing to do
                    }
                }
                accepted(ex);
            }
            case JsonRpcMessage.Response r -> {
                var pending = session.pendingClientRequests().get(r.id().asString(""));
                if (pending != null) {
                    pending.complete(r.result());
                } else {
                    sessions.relayAnswer(session.id(), r.id().asString(""), r.result(), false);
                }
                accepted(ex);
            }
            case JsonRpcMessage.ErrorResponse e -> {
                var pending = e.id() == null ? null : session.pendingClientRequests().get(e.id().asString(""));
                if (pending != null) {
                    pending.completeExceptionally(new McpError(ErrorCodes.INTERNAL_ERROR,
                            "The client answered with an error"));
                } else if (e.id() != null) {
                    sessions.relayAnswer(session.id(), e.id().asString(""), null, true);
                }
                accepted(ex);
            }
        }
    }

    /**
     * Whose bucket a session request is paid from: the principal's, or for anonymous callers (every one of them is
     * the same principal) their network's, so that one anonymous caller churning sessions does not spend the
     * budget of every other.
     */
    static String bucketKey(HttpExchange ex) {
        Principal p = ex.principal();
        if (p != Principal.ANONYMOUS) {
            return p.key();
        }
        return "anonymous\u0000" + network(ex.remoteAddress());
    }

    /** An IPv4 address as it is; an IPv6 address by its /64 (one subscriber usually holds a whole /64). */
    static String network(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return String.valueOf(address);
        }
        try {
            byte[] b = java.net.InetAddress.getByName(address.startsWith("[") ? address.substring(1,
                    address.length() - 1) : address).getAddress();
            if (b.length != 16) {
                return address;
            }
            return java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64";
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }

    private void initialize(HttpExchange ex, JsonRpcMessage.Request r) {
        try {
            starts.take(bucketKey(ex));
        } catch (Rejection limited) {
            throw limited.withId(r.id());
        }
        Handshake handshake;
        try {
            handshake = Handshake.read(r.params());
        } catch (McpError e) {
            throw asRejection(e, r.id(), false);
        }
        ProtocolVersion negotiated = handshake.version();
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Session session = new Session(id, negotiated, handshake.capabilities(), handshake.clientInfo(),
                ex.principal().key(),
                server.clock().instant());
        // Reported before it exists: a session whose start cannot be recorded is never created.
        securityEvents.sessionStarted(ex, id);
        sessions.put(session);
        ex.response().getHeaders().put(SESSION_HEADER, id);
        Responder responder = responder(ex, session, false);
        responder.finish(new JsonRpcMessage.Response(r.id(), server.backend().initializeResult(negotiated)), 200);
    }

    // ---- GET: standalone or resumed stream (2025)

    private void get(HttpExchange ex) {
        String sessionId = ex.header(SESSION_HEADER);
        if (sessionId == null) {
            throw Rejection.methodNotAllowed(
                    "Method Not Allowed: GET needs a 2025 session; the 2026-07-28 wire uses POST only", "POST");
        }
        streams.take(bucketKey(ex));
        Session session = ownSession(ex, sessionId);
        String lastEventId = ex.header("Last-Event-ID");
        sseHeaders(ex);
        SseStream.Sink sink = new SseStream.Sink(ex.response(), ex.callback());
        if (lastEventId != null) {
            Optional<String> streamId = events.streamOf(session.id(), lastEventId);
            if (streamId.isEmpty()) {
                throw Rejection.badRequest("Bad Request: unknown Last-Event-ID");
            }
            SseStream live = liveStreams.get(session.id() + "/" + streamId.get());
            if (live == null && isStandalone(streamId.get())
                    && !(session.standaloneStream() instanceof SseStream other && other.attached())
                    && events.claim(session.id(), streamId.get())) {
                // A session's GET stream that ended elsewhere (its replica stopped) or here: it carries on here.
                SseStream adopted = new SseStream(streamId.get(), session.id(), events, () -> { });
                session.standaloneStream(adopted);
                register(session, adopted);
                adopted.resume(sink, lastEventId);
                await(adopted, sink, ex);
                return;
            }
            if (live == null) {
                // Not live here: it ended (replay what is left and close), or another replica is writing it.
                follow(session.id(), streamId.get(), lastEventId, sink);
                return;
            }
            live.resume(sink, lastEventId);
            await(live, sink, ex);
            return;
        }
        if (session.standaloneStream() instanceof SseStream existing && !existing.ended()) {
            if (existing.attached()) {
                throw Rejection.conflict("Conflict: this session already has a GET stream");
            }
            existing.end(); // its connection is gone: a new stream replaces it
            liveStreams.remove(session.id() + "/" + existing.id());
        }
        SseStream stream = new SseStream(newStreamId(), session.id(), events, () -> { });
        session.standaloneStream(stream);
        register(session, stream);
        stream.open(sink, options.sseRetry().toMillis(), primes(session));
        await(stream, sink, ex);
    }

    /**
     * Replays a stream from the shared event store, and while another replica is still writing it, follows it
     * (reading new events a page at a time) until it ends, the client goes away, another connection of this replica
     * follows it instead, or nothing has come for three keep-alive periods (its writer may have died; the client can
     * resume again). Whether it is still written, and whether the session still exists, is asked once a second.
     */
    private void follow(String sessionId, String streamId, String lastEventId, SseStream.Sink sink) {
        String key = sessionId + "/" + streamId;
        Object me = new Object();
        followers.put(key, me); // a newer connection for the same stream replaces this one, as resume does
        String cursor = lastEventId;
        long quietLimit = options.keepAlive().toMillis() * 3;
        long lastNews = System.nanoTime();
        long lastWrite = System.nanoTime();
        long lastCheck = 0;
        boolean writing = true;
        try {
            while (followers.get(key) == me) {
                long now = System.nanoTime();
                if (now - lastCheck >= 1_000_000_000L) {
                    writing = events.writing(sessionId, streamId);
                    if (sessions.find(sessionId).isEmpty()) {
                        break;
                    }
                    lastCheck = now;
                }
                EventStore.Page page = events.scan(sessionId, cursor, FOLLOW_PAGE);
                for (EventStore.Event e : page.events()) {
                    sink.write(SseStream.replayEvent(e));
                    lastNews = lastWrite = System.nanoTime();
                }
                boolean moved = !page.cursor().equals(cursor);
                cursor = page.cursor();
                if (moved) {
                    continue; // more may be waiting: read on before sleeping
                }
                if (!writing || draining || (System.nanoTime() - lastNews) / 1_000_000 > quietLimit) {
                    break;
                }
                if ((System.nanoTime() - lastWrite) / 1_000_000 >= options.keepAlive().toMillis()) {
                    sink.write(": keep-alive\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    lastWrite = System.nanoTime();
                }
                Thread.sleep(FOLLOW_POLL_MILLIS);
            }
        } catch (java.io.IOException e) {
            sink.abort(e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Rejection e) {
            // The store went away while following: end this connection; the client resumes later.
        } finally {
            followers.remove(key, me);
        }
        sink.complete();
    }

    private void await(SseStream stream, SseStream.Sink sink, HttpExchange ex) {
        java.util.concurrent.Future<?> expiry = expireAtTokenEnd(ex, stream);
        try {
            stream.awaitRelease(sink, options.keepAlive().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sink.complete();
        } finally {
            expiry.cancel(false);
        }
    }

    /**
     * Ends the connection carrying {@code stream} when the token that opened it expires (when the authenticator stops
     * accepting it, {@link dev.mcpwarden.server.auth.Authenticator#validUntil}): a
     * long-lived stream is not a way to keep a credential working past its life. The client reconnects with a
     * fresh token (a 2025 stream resumes with {@code Last-Event-ID}); a 2026 request's stream ends and its call is
     * cancelled.
     */
    private java.util.concurrent.Future<?> expireAtTokenEnd(HttpExchange ex, SseStream stream) {
        java.time.Instant until = ex.credentialValidUntil();
        if (until == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        long delay = until.toEpochMilli() - server.clock().millis();
        try {
            // ended on a thread of its own: writing the last line waits for the client, and a client that stopped
            // reading must not hold up the one timer thread every other stream's expiry and the sweep run on
            return timers.schedule(() -> Thread.ofVirtual().name("warden-stream-expiry").start(stream::expire),
                    Math.max(0, delay), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(null); // closing
        }
    }

    // ---- DELETE: end a 2025 session

    private void delete(HttpExchange ex) {
        String sessionId = ex.header(SESSION_HEADER);
        if (sessionId == null) {
            throw Rejection.methodNotAllowed("Method Not Allowed: DELETE needs a 2025 session", "POST");
        }
        ends.take(bucketKey(ex));
        Session owned = ownSession(ex, sessionId);
        securityEvents.sessionEnded(ex, sessionId);
        if (owned.standaloneStream() instanceof SseStream s) {
            s.end(); // before the session goes, so that nothing of it is written after
        }
        Session session = sessions.remove(sessionId).orElseThrow(() -> Rejection.notFound("Session not found"));
        events.drop(session.id());
        liveStreams.keySet().removeIf(k -> k.startsWith(session.id() + "/"));
        ex.response().setStatus(200);
        ex.response().write(true, null, ex.callback());
    }

    // ---- shared

    /**
     * The session, if it exists and belongs to the caller. A session id presented by another principal is answered
     * exactly like an unknown one (404), so ids cannot be probed, and the attempt is logged as a security event.
     */
    private Session ownSession(HttpExchange ex, String sessionId) {
        Session session = sessions.find(sessionId).orElseThrow(
                () -> Rejection.notFound("Session not found").because("session_unknown"));
        if (!session.principalKey().equals(ex.principal().key())) {
            SECURITY.warn("session presented by another principal: subject={} issuer={}", ex.principal().subject(),
                    ex.principal().issuer());
            throw Rejection.notFound("Session not found").because("session_principal_mismatch");
        }
        session.touch(server.clock().instant());
        return session;
    }

    /**
     * Starts draining: every later request is refused (503, so a load balancer sends it elsewhere), and every open
     * stream is handed over: a call's stream lets go of its connection while the call goes on writing its events to
     * the store (the client resumes on another replica), a session's GET stream ends (the client resumes elsewhere,
     * where it becomes that replica's stream).
     */
    void drain() {
        draining = true;
        for (SseStream s : liveStreams.values()) {
            if (isStandalone(s.id())) {
                s.end();
            } else {
                s.detach();
            }
        }
    }

    int liveStreams() {
        return liveStreams.size();
    }

    int callsInFlight() {
        return callsInFlight.get();
    }

    private void run(Call call, Responder responder) {
        callsInFlight.incrementAndGet();
        try {
            serve(call, responder);
        } finally {
            callsInFlight.decrementAndGet();
            responder.close();
            if (call.session() != null && responder.streamId() != null) {
                liveStreams.remove(call.session().id() + "/" + responder.streamId());
                droppedIfEnded(call.session().id());
            }
        }
    }

    private void serve(Call call, Responder responder) {
        JsonNode result;
        try {
            result = server.handle(call);
        } catch (McpError e) {
            if (!responder.streaming()) {
                throw e;
            }
            responder.fail(call.request().id(), e.toError(), 200);
            return;
        } catch (Rejection e) {
            if (!responder.streaming()) {
                throw e.id() == null ? e.withId(call.request().id()) : e;
            }
            responder.fail(call.request().id(), e.toError(), 200);
            return;
        } catch (RuntimeException e) {
            String errorId = java.util.UUID.randomUUID().toString();
            LOG.error("request {} failed (error id {})", call.method(), errorId, e);
            responder.fail(call.request().id(), new JsonRpcError(ErrorCodes.INTERNAL_ERROR,
                    "Internal error (error id " + errorId + ")", null), 500);
            return;
        }
        if (call.cancelled() && call.modern()) {
            return; // the client closed the stream: nothing more may be sent
        }
        responder.finish(new JsonRpcMessage.Response(call.request().id(), result), 200);
    }

    /**
     * The caller's bearer token, for a backend that exchanges it: only when the authenticator proved the principal
     * by that very token.
     */
    /**
     * Hands the request's W3C trace context headers, if any, to a tracer (one header look-up when absent), and the
     * time its credential took to verify, if it was timed.
     */
    private static void traced(HttpExchange ex, Call call) {
        if (ex.tokenVerification() != null) {
            call.attribute(Call.TOKEN_VERIFICATION, ex.tokenVerification());
        }
        String parent = ex.header("traceparent");
        if (parent != null) {
            dev.mcpwarden.server.events.TraceContext context =
                    dev.mcpwarden.server.events.TraceContext.of(parent, ex.header("tracestate"));
            if (context != null) {
                call.attribute(Call.HTTP_TRACE_CONTEXT, context);
            }
        }
    }

    private static void presented(HttpExchange ex, Call call) {
        String authorization = ex.header("Authorization");
        if (ex.principalFromBearer() && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && !Principal.ANONYMOUS.equals(call.principal())) {
            String token = authorization.substring(7).strip();
            if (!token.isEmpty()) {
                call.presentedToken(token);
            }
        }
    }

    private Responder responder(HttpExchange ex, Session session, boolean prime) {
        return new Responder(codec, ex.response(), ex.callback(), session, events, options.sseRetry(),
                java.time.Duration.ofMinutes(5), prime && session != null && primes(session), ex.inline(),
                stream -> {
                    if (session != null) {
                        register(session, stream);
                    }
                    return expireAtTokenEnd(ex, stream);
                });
    }

    private void register(Session session, SseStream stream) {
        liveStreams.put(session.id() + "/" + stream.id(), stream);
    }

    /** SSE polling (priming event, retry) is a 2025-11-25 feature. */
    private static boolean primes(Session session) {
        return session.version() == ProtocolVersion.V2025_11_25;
    }

    /** A GET stream's id: marked, so that any replica resuming it knows it is a session's standalone stream. */
    private String newStreamId() {
        return STANDALONE_PREFIX + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    private static final String STANDALONE_PREFIX = "g";

    private static boolean isStandalone(String streamId) {
        return streamId.startsWith(STANDALONE_PREFIX);
    }

    private static void sseHeaders(HttpExchange ex) {
        ex.response().setStatus(200);
        ex.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        ex.response().getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
        ex.response().getHeaders().put("X-Accel-Buffering", "no");
    }

    private static void accepted(HttpExchange ex) {
        ex.response().setStatus(202);
        ex.response().write(true, null, ex.callback());
    }

    /** A protocol error as the rejection that carries it (see {@link Rejection#protocol}). */
    static Rejection asRejection(McpError e, JsonNode id, boolean modern) {
        return Rejection.protocol(e, id, modern);
    }

    /**
     * A change here: the sessions whose streams are here hear of it, and a resource update goes to the other
     * replicas too (list changes come from each replica's own definitions, so each tells its own sessions).
     */
    private void changed(ChangeListener.Kind kind, String uri) {
        broadcast(kind, uri);
        if (kind == ChangeListener.Kind.RESOURCE_UPDATED && uri != null) {
            try {
                sessions.publishResourceUpdate(uri);
            } catch (RuntimeException e) {
                LOG.warn("could not tell the other replicas that {} changed: {}", uri, e.getMessage());
            }
        }
    }

    /**
     * A session ended other than by DELETE here (expired, evicted, ended on another replica): its streams here end
     * and its stored events go, so nothing of it outlives it.
     */
    private void endStreams(String sessionId) {
        String prefix = sessionId + "/";
        liveStreams.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(prefix)) {
                e.getValue().end();
                return true;
            }
            return false;
        });
        followers.keySet().removeIf(k -> k.startsWith(prefix));
        dropEvents(sessionId);
    }

    /**
     * A call that streamed may have stored events after its session ended (the end dropped what was there before):
     * those go too.
     */
    private void droppedIfEnded(String sessionId) {
        try {
            if (sessions.find(sessionId).isEmpty()) {
                dropEvents(sessionId);
            }
        } catch (RuntimeException e) {
            // The store is unreachable: its own expiry takes the events.
        }
    }

    private void dropEvents(String sessionId) {
        try {
            events.drop(sessionId);
        } catch (RuntimeException e) {
            LOG.warn("could not drop the events of an ended session: {}", e.getMessage());
        }
    }

    /** Tells 2025 sessions about list changes on their GET streams. */
    private void broadcast(ChangeListener.Kind kind, String uri) {
        // Sessions are reached through their standalone streams registered in liveStreams.
        for (Map.Entry<String, SseStream> e : liveStreams.entrySet()) {
            SseStream s = e.getValue();
            String sessionId = e.getKey().substring(0, e.getKey().indexOf('/'));
            Optional<Session> session = sessions.find(sessionId);
            if (session.isEmpty() || s.ended()) {
                liveStreams.remove(e.getKey(), s); // its session or stream is gone: nothing to keep
                continue;
            }
            if (session.get().standaloneStream() != s) {
                continue;
            }
            if (kind == ChangeListener.Kind.RESOURCE_UPDATED && !session.get().subscribed(uri)) {
                continue;
            }
            s.send(codec.encode(new JsonRpcMessage.Notification(kind.method(), ChangeListener.params(kind, uri))));
        }
    }
}
