package dev.mcpwarden.server.http;

import dev.mcpwarden.server.session.EventStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * One logical SSE stream. On the 2025 wire its events are kept in the {@link EventStore}, so the connection
 * carrying it can drop (or be closed for polling) and a GET with {@code Last-Event-ID} can take it over; on the
 * 2026 wire a dropped connection is the end of the stream and cancels the request.
 */
final class SseStream {

    /** A connection currently carrying the stream. */
    static final class Sink {
        private final Response response;
        private final Callback callback;
        private boolean done;
        /** Non-null for a gathering sink: events wait here and go out in one write at the end. */
        private final java.io.ByteArrayOutputStream gathered;

        Sink(Response response, Callback callback) {
            this(response, callback, null);
        }

        private Sink(Response response, Callback callback, java.io.ByteArrayOutputStream gathered) {
            this.response = response;
            this.callback = callback;
            this.gathered = gathered;
        }

        /**
         * A sink that never waits: it keeps the events and writes them all when the stream completes. For a
         * request served on an I/O thread, where waiting for the client to read could stall other connections.
         */
        static Sink gathering(Response response, Callback callback) {
            return new Sink(response, callback, new java.io.ByteArrayOutputStream(512));
        }

        void write(byte[] bytes) throws IOException {
            if (gathered != null) {
                synchronized (gathered) {
                    gathered.write(bytes);
                }
                return;
            }
            try (Blocker.Callback cb = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(bytes), cb);
                cb.block();
            }
        }

        void complete() {
            if (done) {
                return;
            }
            done = true;
            if (gathered != null) {
                byte[] all;
                synchronized (gathered) {
                    all = gathered.toByteArray();
                }
                response.write(true, ByteBuffer.wrap(all), callback);
                return;
            }
            response.write(true, null, callback);
        }

        void abort(Throwable t) {
            if (!done) {
                done = true;
                callback.failed(t);
            }
        }
    }

    private final String streamId;
    private final String sessionId;
    private final EventStore store;
    private final Runnable onDisconnect;
    private Sink sink;
    private boolean ended;

    /** @param store null on the 2026 wire (no resumption) */
    SseStream(String streamId, String sessionId, EventStore store, Runnable onDisconnect) {
        this.streamId = streamId;
        this.sessionId = sessionId;
        this.store = store;
        this.onDisconnect = onDisconnect;
    }

    String id() {
        return streamId;
    }

    /** Starts the stream on a connection whose SSE headers are set but not yet sent. */
    synchronized void open(Sink first, long retryMillis, boolean prime) {
        this.sink = first;
        StringBuilder head = new StringBuilder();
        if (prime && store != null) {
            String id = store.append(sessionId, streamId, new byte[0]);
            head.append("id: ").append(id).append('\n');
            head.append("retry: ").append(retryMillis).append('\n');
            head.append("data: \n\n");
        } else {
            head.append(": stream open\n\n");
        }
        writeRaw(head.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one JSON-RPC message as an event. Returns false when no connection carries it any more. */
    synchronized boolean send(byte[] json) {
        String id = store == null ? null : store.append(sessionId, streamId, json);
        return writeRaw(event(id, json));
    }

    /** A comment line, to keep intermediaries from timing out and to notice a client that went away. */
    synchronized boolean keepAlive() {
        return writeRaw(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
    }

    private boolean writeRaw(byte[] bytes) {
        if (sink == null) {
            return false;
        }
        try {
            sink.write(bytes);
            return true;
        } catch (IOException | RuntimeException e) {
            sink.abort(e);
            sink = null;
            onDisconnect.run();
            return false;
        }
    }

    private static byte[] event(String id, byte[] json) {
        byte[] prefix = ((id == null ? "" : "id: " + id + "\n") + "data: ").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[prefix.length + json.length + 2];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(json, 0, out, prefix.length, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    /** Ends the logical stream: the current connection (if any) is completed. */
    synchronized void end() {
        if (!ended && store != null) {
            try {
                store.end(sessionId, streamId);
            } catch (RuntimeException e) {
                // The stream still ends here; a replica resuming it stops following when events stop coming.
            }
        }
        ended = true;
        if (sink != null) {
            sink.complete();
            sink = null;
        }
        notifyAll();
    }

    /** Completes the current connection but keeps the stream alive for a resuming GET (SSE polling). */
    synchronized void detach() {
        if (sink != null) {
            sink.complete();
            sink = null;
        }
        notifyAll();
    }

    /** The comment that ends a connection whose token expired (see docs/transport-safety.md). */
    static final byte[] TOKEN_EXPIRED = ": token expired; reconnect with a fresh token\n\n"
            .getBytes(StandardCharsets.UTF_8);

    /**
     * The token that opened the connection carrying this stream expired: the connection ends after
     * {@link #TOKEN_EXPIRED}. A 2025 stream lives on for a client that resumes it with a fresh token; a 2026 stream
     * is its request, which ends and is cancelled.
     */
    synchronized void expire() {
        if (ended || sink == null) {
            return;
        }
        writeRaw(TOKEN_EXPIRED);
        if (store != null) {
            detach();
            return;
        }
        ended = true;
        if (sink != null) {
            sink.complete();
            sink = null;
        }
        onDisconnect.run();
        notifyAll();
    }

    /** Hands the stream to a resuming connection: replays what it missed, then carries it on. */
    synchronized void resume(Sink next, String lastEventId) {
        if (sink != null) {
            sink.complete();
        }
        sink = next;
        List<EventStore.Event> missed = store.after(sessionId, lastEventId);
        for (EventStore.Event e : missed) {
            if (!writeRaw(event(e.id(), e.data()))) {
                return;
            }
        }
        if (ended && sink != null) {
            sink.complete();
            sink = null;
        }
        notifyAll();
    }

    /** Whether a connection currently carries the stream. */
    synchronized boolean attached() {
        return sink != null;
    }

    synchronized boolean ended() {
        return ended;
    }

    /** Waits until the stream ends or {@code sink} no longer carries it. */
    synchronized void awaitRelease(Sink carrier, long keepAliveMillis) throws InterruptedException {
        while (!ended && sink == carrier) {
            wait(keepAliveMillis);
            if (!ended && sink == carrier) {
                keepAlive();
            }
        }
    }

    static byte[] replayEvent(EventStore.Event e) {
        return event(e.id(), e.data());
    }
}
