package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.guard.Verdict.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Fetches a URL with GET so that neither the URL, nor a redirect, nor a DNS answer that changes between check and
 * connect (rebinding) can reach a non-public address.
 *
 * <p>Each hop is vetted by the {@link UrlGuard} (which resolves the host) and then requested through a private
 * loopback proxy that connects only to the vetted addresses: the HTTP client never resolves the name itself, while
 * TLS still sends SNI and checks the certificate against the original host name, and the {@code Host} header names
 * it. Automatic redirects are off; up to {@link Limits#maxRedirects()} redirects are followed here, each one vetted
 * and resolved afresh. The body is capped at {@link Limits#maxBodyBytes()} and the whole chain at
 * {@link Limits#totalTimeout()}. Proxy settings of the JVM are not used.
 */
public final class SafeHttpFetcher {

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /**
     * Limits of one fetch.
     *
     * @param maxRedirects   redirects followed (0 to 20)
     * @param maxBodyBytes   largest body accepted; a larger one fails the fetch
     * @param connectTimeout time to open one connection
     * @param totalTimeout   time for the whole chain, body included
     */
    public record Limits(int maxRedirects, long maxBodyBytes, Duration connectTimeout, Duration totalTimeout) {
        public Limits {
            if (maxRedirects < 0 || maxRedirects > 20) {
                throw new IllegalArgumentException("maxRedirects must be between 0 and 20, was " + maxRedirects);
            }
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxBodyBytes must be between 1 and 2^31-9, was " + maxBodyBytes);
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
            }
            if (totalTimeout.isNegative() || totalTimeout.isZero()) {
                throw new IllegalArgumentException("totalTimeout must be positive, was " + totalTimeout);
            }
        }

        /** 5 redirects, 1 MiB, 5 s to connect, 20 s in all. */
        public static Limits defaults() {
            return new Limits(5, 1024 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(20));
        }
    }

    /**
     * A fetched response (any status other than a followed redirect).
     *
     * @param url         the URL finally requested
     * @param status      its HTTP status
     * @param contentType its Content-Type, if any
     * @param body        its body (at most {@link Limits#maxBodyBytes()})
     * @param redirects   how many redirects were followed
     */
    public record Response(URI url, int status, Optional<String> contentType, byte[] body, int redirects) {
    }

    private final UrlGuard guard;
    private final Limits limits;
    private final PinnedTunnel.Dialer dialer;
    private final SSLContext sslContext;

    private SafeHttpFetcher(UrlGuard guard, Limits limits, PinnedTunnel.Dialer dialer, SSLContext sslContext) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.dialer = dialer;
        this.sslContext = sslContext;
    }

    /** A fetcher that vets with {@code guard} and enforces {@code limits}. */
    public static SafeHttpFetcher create(UrlGuard guard, Limits limits) {
        return new SafeHttpFetcher(guard, limits, PinnedTunnel.Dialer.direct(), null);
    }

    /** For tests: a fetcher whose connections to vetted addresses are opened by {@code dialer}. */
    static SafeHttpFetcher create(UrlGuard guard, Limits limits, PinnedTunnel.Dialer dialer, SSLContext sslContext) {
        return new SafeHttpFetcher(guard, limits, dialer, sslContext);
    }

    /**
     * GETs {@code url}, following redirects itself.
     *
     * @throws FetchRefusedException if the URL or a redirect is refused, or there are too many redirects
     * @throws HttpTimeoutException  if the chain takes longer than the total timeout
     * @throws IOException           if the connection fails or the body is larger than allowed
     */
    public Response get(String url) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(limits.totalTimeout());
        String current = url;
        for (int hop = 0; ; hop++) {
            UrlGuard.Vetting vetting = guard.vet(current);
            if (vetting instanceof UrlGuard.Unsafe(Verdict.Block block)) {
                throw new FetchRefusedException(block, hop);
            }
            UrlGuard.Target target = ((UrlGuard.Safe) vetting).target();
            Duration remaining = Duration.between(Instant.now(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                throw new HttpTimeoutException("fetch took longer than " + limits.totalTimeout());
            }
            try (PinnedTunnel tunnel = PinnedTunnel.open(target, dialer, limits.connectTimeout());
                    HttpClient client = client(tunnel)) {
                Thread watchdog = Thread.ofVirtual().start(() -> closeAt(tunnel, remaining));
                try {
                    HttpRequest request = HttpRequest.newBuilder(target.uri()).GET().timeout(remaining).build();
                    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    Optional<String> location = response.headers().firstValue("Location");
                    if (REDIRECTS.contains(response.statusCode()) && location.isPresent()) {
                        response.body().close();
                        if (hop >= limits.maxRedirects()) {
                            throw new FetchRefusedException(Verdict.block(Kind.SSRF,
                                    "more than " + limits.maxRedirects() + " redirects"), hop + 1);
                        }
                        current = resolveLocation(target.uri(), location.get(), hop + 1);
                        continue;
                    }
                    byte[] body = readLimited(response.body(), deadline);
                    return new Response(target.uri(), response.statusCode(),
                            response.headers().firstValue("Content-Type"), body, hop);
                } catch (IOException e) {
                    if (!(e instanceof FetchRefusedException) && Instant.now().isAfter(deadline)) {
                        throw new HttpTimeoutException("fetch took longer than " + limits.totalTimeout());
                    }
                    throw e;
                } finally {
                    watchdog.interrupt();
                }
            }
        }
    }

    private HttpClient client(PinnedTunnel tunnel) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(limits.connectTimeout())
                .proxy(ProxySelector.of(tunnel.address()));
        if (sslContext != null) {
            builder.sslContext(sslContext);
        }
        return builder.build();
    }

    private static void closeAt(PinnedTunnel tunnel, Duration after) {
        try {
            Thread.sleep(after);
            tunnel.close();
        } catch (InterruptedException e) {
            // the hop finished in time
        }
    }

    private static String resolveLocation(URI base, String location, int hop) throws FetchRefusedException {
        if (location.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return location;
        }
        try {
            return base.resolve(new URI(location)).toString();
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new FetchRefusedException(Verdict.block(Kind.SSRF, "malformed redirect location"), hop);
        }
    }

    private byte[] readLimited(InputStream in, Instant deadline) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (out.size() > limits.maxBodyBytes()) {
                    throw new IOException("response body larger than " + limits.maxBodyBytes() + " bytes");
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new HttpTimeoutException("fetch took longer than " + limits.totalTimeout());
                }
            }
            return out.toByteArray();
        }
    }
}
