package dev.mcpwarden.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * HTTP/1.1 exchanges read and written on the calling thread, over a pool of kept-alive connections (Apache
 * HttpClient's classic API). A request costs no hand-off between threads, which matters for a gateway forwarding
 * every call: the JDK's client moves each exchange through its selector and executor threads, several times the CPU
 * of the exchange itself. A virtual thread interrupted while it waits has its socket closed by the JDK, which is how
 * an interrupt cancels a request.
 */
final class HttpExchanges implements AutoCloseable {

    /** Connections kept to one server; the gateway's per-upstream concurrency limit is the real bound. */
    private static final int MAX_CONNECTIONS = 1024;
    /** Kept-alive connections idle longer than this are closed before the server's idle timeout (Jetty: 30 s). */
    private static final TimeValue MAX_IDLE = TimeValue.ofSeconds(20);
    /** A connection idle this long is checked before reuse, so a request is not lost on one the server closed. */
    private static final TimeValue VALIDATE_AFTER = TimeValue.ofSeconds(1);

    /** A response: its status, lower-case headers (repeated ones joined by commas) and its body. */
    record Response(int status, Map<String, String> headers, InputStream body) {
    }

    /** The request was cut off at its deadline before the response's head arrived. */
    static final class DeadlinePassed extends IOException {
        DeadlinePassed() {
            super("deadline passed", null);
        }
    }

    private final CloseableHttpClient http;
    private final PoolingHttpClientConnectionManager pool;
    private final ScheduledExecutorService watchdog;

    HttpExchanges(Duration connectTimeout, ScheduledExecutorService watchdog) {
        this.watchdog = watchdog;
        this.pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(MAX_CONNECTIONS).setMaxConnPerRoute(MAX_CONNECTIONS)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout)).setSocketTimeout(Timeout.DISABLED)
                        .setValidateAfterInactivity(VALIDATE_AFTER)
                        .setTimeToLive(TimeValue.NEG_ONE_MILLISECOND).build())
                .build();
        // No redirects (an MCP endpoint that redirects is refused), no retries (the caller knows which methods are
        // safe to send again), no cookies, no content decoding: the exchange is exactly what was asked.
        this.http = HttpClients.custom().setConnectionManager(pool).disableRedirectHandling()
                .disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .disableContentCompression().setUserAgent("warden-client")
                .evictIdleConnections(MAX_IDLE).evictExpiredConnections().build();
    }

    /**
     * Sends one request and returns once the response's head has arrived; the body is read from the stream returned,
     * and closing that stream early aborts the exchange (its connection is not reused).
     *
     * @param method   GET, POST or DELETE
     * @param body     the request body, or null
     * @param deadline {@link System#nanoTime()} by which the response's head must have arrived
     * @throws DeadlinePassed when it did not
     * @throws IOException    when the exchange failed (refused, broken, interrupted)
     */
    Response send(String method, URI uri, Map<String, String> headers, byte[] body, long deadline)
            throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new DeadlinePassed();
        }
        HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
        headers.forEach(request::setHeader);
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, ContentType.parse(headers.getOrDefault("Content-Type",
                    "application/json"))));
            request.removeHeaders("Content-Type"); // the entity's own
        }
        // No socket timeout: the deadline is the watchdog's, and a timed read would cost a virtual thread a timer
        // per read.
        request.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.DISABLED)
                .setConnectionRequestTimeout(Timeout.of(remaining, TimeUnit.NANOSECONDS)).build());
        AtomicBoolean cut = new AtomicBoolean();
        ScheduledFuture<?> alarm = watchdog.schedule(() -> {
            cut.set(true);
            request.cancel();
        }, remaining, TimeUnit.NANOSECONDS);
        ClassicHttpResponse response;
        try {
            response = http.executeOpen(null, request, null);
        } catch (IOException e) {
            if (cut.get()) {
                throw new DeadlinePassed();
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
        Map<String, String> h = new LinkedHashMap<>();
        for (Header header : response.getHeaders()) {
            h.merge(header.getName().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + "," + b);
        }
        HttpEntity entity = response.getEntity();
        InputStream content = entity == null ? InputStream.nullInputStream() : entity.getContent();
        return new Response(response.getCode(), h, new Body(content, request, response));
    }

    /**
     * A response body whose early close aborts the exchange: closing a kept-alive response would otherwise read the
     * rest of it, which for an event stream never ends. Read to its end, the connection goes back to the pool.
     */
    private static final class Body extends FilterInputStream {
        private final HttpUriRequestBase request;
        private final ClassicHttpResponse response;
        private volatile boolean ended;
        private final AtomicBoolean closed = new AtomicBoolean();

        Body(InputStream in, HttpUriRequestBase request, ClassicHttpResponse response) {
            super(in);
            this.request = request;
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                ended = true;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n < 0) {
                ended = true;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (!ended) {
                request.cancel(); // unblocks a reader on another thread, and the connection is closed, not reused
            }
            try {
                super.close();
            } finally {
                response.close();
            }
        }
    }

    @Override
    public void close() {
        http.close(CloseMode.IMMEDIATE);
        pool.close(CloseMode.IMMEDIATE);
    }
}
