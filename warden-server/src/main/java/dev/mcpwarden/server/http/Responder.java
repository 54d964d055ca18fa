package dev.mcpwarden.server.http;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcError;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.session.EventStore;
import dev.mcpwarden.server.session.Session;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers one POSTed request. It answers with plain JSON unless something must be sent before the result
 * (progress, a log message, a server-to-client request), in which case it switches to an SSE stream scoped to the
 * request: cheap for the common case, streaming when needed.
 */
final class Responder implements Outbound {

    private final JsonRpcCodec codec;
    private final Response response;
    private final Callback callback;
    private final Session session;
    private final EventStore store;
    private final Duration retry;
    private final Duration clientRequestTimeout;
    /** Registers a new stream and schedules its end at the token's expiry (the future cancels that). */
    private final java.util.function.Function<SseStream, java.util.concurrent.Future<?>> registerStream;
    private java.util.concurrent.Future<?> expiry;
    private final boolean prime;
    /** On an I/O thread: a stream is gathered and sent at the end, since waiting for a write could block it. */
    private final boolean inline;
    private Call call;
    private SseStream stream;
    private SseStream.Sink sink;

    Responder(JsonRpcCodec codec, Response response, Callback callback, Session session, EventStore store,
              Duration retry, Duration clientRequestTimeout, boolean prime, boolean inline,
              java.util.function.Function<SseStream, java.util.concurrent.Future<?>> registerStream) {
        this.codec = codec;
        this.response = response;
        this.callback = callback;
        this.session = session;
        this.store = store;
        this.retry = retry;
        this.clientRequestTimeout = clientRequestTimeout;
        this.prime = prime;
        this.inline = inline;
        this.registerStream = registerStream;
    }

    void bind(Call c) {
        this.call = c;
    }

    private synchronized SseStream stream() {
        if (stream == null) {
            String id = java.util.UUID.randomUUID().toString().replace("-", "");
            stream = new SseStream(id, session == null ? null : session.id(), session == null ? null : store,
                    () -> {
                        if (session == null && call != null) {
                            call.cancel(); // 2026: closing the response stream cancels the request
                        }
                    });
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
            response.getHeaders().put("X-Accel-Buffering", "no");
            sink = inline ? SseStream.Sink.gathering(response, callback) : new SseStream.Sink(response, callback);
            stream.open(sink, retry.toMillis(), prime);
            expiry = registerStream.apply(stream);
        }
        return stream;
    }

    /** The call is over: its stream no longer needs ending at the token's expiry. */
    synchronized void close() {
        if (expiry != null) {
            expiry.cancel(false);
        }
    }

    synchronized String streamId() {
        return stream == null ? null : stream.id();
    }

    synchronized boolean streaming() {
        return stream != null;
    }

    @Override
    public void notify(String method, ObjectNode params) {
        if (method == null) {
            if (streaming()) {
                if (!stream.keepAlive() && session == null && call != null) {
                    call.cancel();
                }
            } else {
                stream();
            }
            return;
        }
        stream().send(codec.encode(new JsonRpcMessage.Notification(method, params)));
    }

    @Override
    public JsonNode request(String method, ObjectNode params) {
        if (session == null) {
            throw new UnsupportedOperationException("the 2026 wire has no server-to-client requests");
        }
        String id = session.nextServerRequestId();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        session.pendingClientRequests().put(id, answer);
        try {
            stream().send(codec.encode(new JsonRpcMessage.Request(Json.nodes().stringNode(id), method, params)));
            return answer.get(clientRequestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "The client did not answer " + method + " in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Request cancelled");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof McpError m) {
                throw m;
            }
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "The client failed " + method);
        } catch (java.util.concurrent.CancellationException e) {
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Session ended");
        } finally {
            session.pendingClientRequests().remove(id);
        }
    }

    @Override
    public void detachForPolling() {
        if (session != null && prime) {
            stream().detach();
        }
    }

    /** Sends the final message: as the last SSE event, or as the whole JSON body. */
    void finish(JsonRpcMessage message, int statusIfPlain) {
        SseStream s;
        synchronized (this) {
            s = stream;
        }
        if (s != null) {
            s.send(codec.encode(message));
            s.end();
            return;
        }
        byte[] body = codec.encode(message);
        response.setStatus(statusIfPlain);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }

    /** An error: with its own HTTP status when nothing was sent yet, otherwise as the last event. */
    void fail(JsonNode id, JsonRpcError error, int status) {
        finish(new JsonRpcMessage.ErrorResponse(id, error), status);
    }
}
