package dev.mcpwarden.server.http;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.pipeline.CorrelationIds;
import dev.mcpwarden.server.pipeline.Rejection;
import java.nio.ByteBuffer;
import dev.mcpwarden.server.auth.Authenticator;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.JsonNode;

/** One HTTP request to the MCP endpoint as the HTTP-level stages see it. */
public final class HttpExchange {

    private final Request request;
    private final Response response;
    private Callback callback;
    private byte[] body;
    private JsonNode document;
    private Principal principal = Principal.ANONYMOUS;
    private volatile boolean bearerVerified;
    private volatile java.time.Instant credentialValidUntil;
    private final String correlationId;
    private volatile boolean callStarted;
    private volatile boolean authenticationRefused;
    private Authenticator.RequestHead head;
    /** The body's buffer while it is being received (see {@link #readAvailableBody}); null before. */
    private BodyIntake.Buffer early;
    private boolean earlyComplete;
    private final BodyIntake intake;
    /** When the request head was handed over, for the minimum data rate of its body. */
    private final long started = System.nanoTime();
    private boolean inline;
    private dev.mcpwarden.server.events.StageTiming tokenVerification;

    HttpExchange(Request request, Response response, Callback callback) {
        this(request, response, callback, new BodyIntake(TransportLimits.DEFAULTS));
    }

    HttpExchange(Request request, Response response, Callback callback, BodyIntake intake) {
        this.intake = intake;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.correlationId = CorrelationIds.next();
    }

    /** Ties together everything recorded about this request (audit events, logs). */
    public String correlationId() {
        return correlationId;
    }

    /**
     * Whether the request reached the MCP-level pipeline as a call. Stages that audit use it to tell refusals of the
     * HTTP layer (recorded there) from outcomes of the call (recorded by the MCP-level stages).
     */
    public boolean callStarted() {
        return callStarted;
    }

    /** Whether authentication refused this request (and reported it on the event stream itself). */
    public boolean authenticationRefused() {
        return authenticationRefused;
    }

    void markAuthenticationRefused() {
        this.authenticationRefused = true;
    }

    void markCallStarted() {
        this.callStarted = true;
    }

    /** Whether this request is served on the I/O thread that read it (every part promised not to block). */
    public boolean inline() {
        return inline;
    }

    void inline(boolean inline) {
        this.inline = inline;
    }

    /** The request as an {@link Authenticator} sees it. */
    Authenticator.RequestHead head() {
        if (head == null) {
            head = new Authenticator.RequestHead() {
                @Override
                public String method() {
                    return HttpExchange.this.method();
                }

                @Override
                public String header(String name) {
                    return HttpExchange.this.header(name);
                }

                @Override
                public java.util.List<String> headers(String name) {
                    return request.getHeaders().getValuesList(name);
                }

                @Override
                public String query() {
                    return HttpExchange.this.query();
                }

                @Override
                public String url() {
                    return HttpExchange.this.url();
                }

                @Override
                public String correlationId() {
                    return correlationId;
                }

                @Override
                public String remoteAddress() {
                    return HttpExchange.this.remoteAddress();
                }
            };
        }
        return head;
    }

    public String method() {
        return request.getMethod();
    }

    /** A request header, trimmed of optional white space; null when absent. */
    public String header(String name) {
        String v = request.getHeaders().get(name);
        return v == null ? null : v.strip();
    }

    public HttpFields headers() {
        return request.getHeaders();
    }

    /** The raw query string, or null. */
    public String query() {
        return request.getHttpURI().getQuery();
    }

    /** The peer's IP address. */
    public String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    /** The request URL as received. */
    public String url() {
        return request.getHttpURI().toString();
    }

    /** Whether the principal was proven by this request's own Bearer token (see {@link Authenticator#verifiesBearerToken}). */
    boolean principalFromBearer() {
        return bearerVerified;
    }

    /** For the authentication stage: the principal was proven by this request's Bearer token. */
    void markPrincipalFromBearer() {
        this.bearerVerified = true;
    }

    /** Until when the request's credential is accepted (null: it does not expire, or there is none). */
    java.time.Instant credentialValidUntil() {
        return credentialValidUntil;
    }

    void credentialValidUntil(java.time.Instant until) {
        this.credentialValidUntil = until;
    }

    /** Who sent the request ({@link Principal#ANONYMOUS} when no authenticator is installed). */
    /** How long verifying the credential took, when it was timed (a tracer, a cache miss); else null. */
    dev.mcpwarden.server.events.StageTiming tokenVerification() {
        return tokenVerification;
    }

    void tokenVerification(dev.mcpwarden.server.events.StageTiming timing) {
        this.tokenVerification = timing;
    }

    public Principal principal() {
        return principal;
    }

    void principal(Principal p) {
        this.principal = java.util.Objects.requireNonNull(p, "an authenticator must return a principal");
    }

    /** Every header whose name starts with {@code prefix} (case-insensitive). */
    /** A response header already set, or null (for stages that look at the outcome after the endpoint ran). */
    public String responseHeader(String name) {
        return response.getHeaders().get(name);
    }

    /** The response status, once the endpoint has set it (0 before). */
    public int responseStatus() {
        return response.getStatus();
    }

    public Iterable<HttpField> headersStartingWith(String prefix) {
        return () -> request.getHeaders().stream()
                .filter(f -> f.getName().regionMatches(true, 0, prefix, 0, prefix.length())).iterator();
    }

    /**
     * Reads the body, refusing it with 413 as soon as it is known to exceed {@code maxBytes} (from
     * {@code Content-Length}, or while reading), with 408 when it arrives slower than the intake's minimum rate, and
     * with 503 when the bytes in flight of all requests would pass the intake's budget. The buffer grows with what
     * arrives: a {@code Content-Length} reserves nothing by itself.
     */
    void readBody(int maxBytes) {
        if (earlyComplete) {
            body = early.finish();
            return;
        }
        long declared = request.getLength();
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        BodyIntake.Buffer buffer = buffer(declared, maxBytes);
        try {
            while (declared < 0 || buffer.length() < declared) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    awaitContent(buffer.length());
                    continue;
                }
                try {
                    if (Content.Chunk.isFailure(chunk)) {
                        throw Rejection.badRequest("Bad Request: the request body could not be read");
                    }
                    ByteBuffer bytes = chunk.getByteBuffer();
                    long total = buffer.length() + (long) bytes.remaining();
                    if (total > maxBytes) {
                        throw tooLarge(maxBytes);
                    }
                    if (declared >= 0 && total > declared) {
                        throw Rejection.badRequest("Bad Request: the request body is longer than its Content-Length");
                    }
                    if (!buffer.append(bytes)) {
                        throw BodyIntake.busy();
                    }
                    if (chunk.isLast()) {
                        break;
                    }
                } finally {
                    chunk.release();
                }
            }
            if (declared >= 0 && buffer.length() != declared) {
                throw Rejection.badRequest("Bad Request: the request body is incomplete");
            }
            body = buffer.finish();
        } finally {
            buffer.release();
        }
    }

    /**
     * Waits for more of the body, no longer than the minimum data rate allows for {@code received} bytes so far;
     * refuses the request with 408 when nothing came in time.
     */
    private void awaitContent(long received) {
        long wait = intake.deadline(started, received + 1) - System.nanoTime();
        if (wait <= 0) {
            throw intake.tooSlow();
        }
        java.util.concurrent.CompletableFuture<Void> ready = new java.util.concurrent.CompletableFuture<>();
        request.demand(() -> ready.complete(null));
        try {
            ready.get(wait, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw intake.tooSlow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Rejection.badRequest("Bad Request: the request body could not be read");
        } catch (java.util.concurrent.ExecutionException e) {
            throw Rejection.badRequest("Bad Request: the request body could not be read");
        }
    }

    private BodyIntake.Buffer buffer(long declared, int maxBytes) {
        if (early == null) {
            early = intake.new Buffer(declared >= 0 ? declared : maxBytes, McpEndpoint.network(remoteAddress()));
        }
        return early;
    }

    /**
     * Gives back what the body still holds of the intake's budget: a body read ahead on the I/O thread, or one
     * refused before it was finished (idempotent; the bytes handed to {@link #body()} stay as they are).
     */
    void releaseBody() {
        if (early != null) {
            early.release();
        }
    }

    /**
     * Reads as much of the body as has already arrived, without waiting: true when that is all of it. Only bodies
     * with a {@code Content-Length} within {@code maxBytes} are read; what was read is kept for {@link #readBody}.
     * For requests about to be served on an I/O thread, which must never wait for the network.
     */
    boolean readAvailableBody(int maxBytes) {
        long declared = request.getLength();
        if (declared < 0 || declared > maxBytes) {
            return false;
        }
        BodyIntake.Buffer buffer = buffer(declared, maxBytes);
        while (buffer.length() < declared) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                return false;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    return false; // readBody meets the same failure and refuses the request
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                if (bytes.remaining() > declared - buffer.length()) {
                    return false; // cannot happen with HTTP/1.1 framing; readBody refuses it
                }
                if (!buffer.append(bytes)) {
                    return false; // readBody refuses it (503) if the budget is still spent
                }
                if (chunk.isLast() && buffer.length() < declared) {
                    return false; // the body ended short: readBody refuses it
                }
            } finally {
                chunk.release();
            }
        }
        earlyComplete = true; // all that Content-Length announced; HTTP/1.1 framing allows no more
        return true;
    }

    private static Rejection tooLarge(int maxBytes) {
        return Rejection.payloadTooLarge(
                "Payload Too Large: the request body exceeds " + maxBytes + " bytes");
    }

    /** The body read by the body-limit stage. */
    /** Whether the body has been read (stages that refuse earlier leave it on the connection). */
    boolean bodyRead() {
        return body != null || earlyComplete;
    }

    public byte[] body() {
        if (body == null) {
            throw new IllegalStateException("the body has not been read: the body-limit stage must run first");
        }
        return body;
    }

    /** The body parsed as JSON by the JSON stage. */
    public JsonNode document() {
        if (document == null) {
            throw new IllegalStateException("the body has not been parsed: the JSON stage must run first");
        }
        return document;
    }

    void document(JsonNode parsed) {
        this.document = parsed;
    }

    Request request() {
        return request;
    }

    Response response() {
        return response;
    }

    Callback callback() {
        return callback;
    }

    /**
     * Holds the response's completion until {@link #releaseCompletion}: for a request handed to another thread,
     * so that stages may still read the response (status, headers) after the endpoint wrote it, as they may while
     * Jetty's handler runs. Call before any stage runs.
     */
    void holdCompletion() {
        callback = new HeldCallback(callback);
    }

    /** Lets a held completion through, now if the response already completed, else when it does. */
    void releaseCompletion() {
        if (callback instanceof HeldCallback held) {
            held.release();
        }
    }

    private static final class HeldCallback implements Callback {
        private final Callback target;
        private boolean holding = true;
        private boolean succeeded;
        private Throwable failure;

        HeldCallback(Callback target) {
            this.target = target;
        }

        @Override
        public void succeeded() {
            synchronized (this) {
                if (holding) {
                    succeeded = true;
                    return;
                }
            }
            target.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            synchronized (this) {
                if (holding) {
                    failure = x;
                    return;
                }
            }
            target.failed(x);
        }

        void release() {
            boolean ok;
            Throwable failed;
            synchronized (this) {
                holding = false;
                ok = succeeded;
                failed = failure;
            }
            if (failed != null) {
                target.failed(failed);
            } else if (ok) {
                target.succeeded();
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return target.getInvocationType();
        }
    }
}
