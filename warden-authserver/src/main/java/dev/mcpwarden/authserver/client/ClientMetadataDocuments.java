package dev.mcpwarden.authserver.client;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import dev.mcpwarden.security.guard.FetchRefusedException;
import dev.mcpwarden.security.guard.HostResolver;
import dev.mcpwarden.security.guard.SafeHttpFetcher;
import dev.mcpwarden.security.guard.UrlGuard;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import net.minidev.json.JSONObject;

/**
 * Resolves Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): the client id is an https
 * URL with a path, the document found there must name exactly that URL as its {@code client_id}, and its
 * {@code redirect_uris} are the client's.
 *
 * <p>Fetching is the dangerous part (the URL comes from whoever sends the authorization request), so it goes through
 * the SSRF-safe {@link SafeHttpFetcher}: https only, no private, loopback or link-local destination (checked on the
 * addresses actually connected to), no redirects, at most {@value #MAX_BYTES} bytes, {@code 5 s} to connect and
 * {@code 10 s} in all. Documents are cached for their {@code Cache-Control: max-age} (1 minute to 1 day; 5 minutes
 * if none). Only when the insecure development flag is on are loopback URLs (http or https) fetched, directly.
 */
public final class ClientMetadataDocuments {

    static final int MAX_BYTES = 16 * 1024;
    /** The one answer to every failed fetch. */
    static final String NOT_FETCHED = "client metadata document could not be fetched";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClientMetadataDocuments.class);
    private static final int MAX_CACHED = 10_000;
    private static final Pattern MAX_AGE = Pattern.compile("(?i)(?:^|[,\\s])max-age=(\\d{1,9})");

    private record Cached(Client client, Instant until) {
    }

    private final SafeHttpFetcher fetcher;
    private final boolean allowLoopback;
    private final HttpClient loopbackClient;
    private final InstantSource clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param allowLoopback DEVELOPMENT ONLY: also fetch documents from 127.0.0.1, [::1] and localhost
     * @param loopbackTls   trust for https loopback documents (e.g. a test's self-signed certificate), or null
     * @param resolver      the DNS resolver the SSRF guard uses
     */
    public ClientMetadataDocuments(boolean allowLoopback, SSLContext loopbackTls, HostResolver resolver,
                                   InstantSource clock) {
        UrlGuard guard = UrlGuard.of(new UrlGuard.Config(Set.of("https"), Set.of(),
                UrlGuard.DEFAULT_DENIED_HOSTS, 2048), resolver);
        this.fetcher = SafeHttpFetcher.create(guard, new SafeHttpFetcher.Limits(0, MAX_BYTES,
                Duration.ofSeconds(5), Duration.ofSeconds(10)));
        this.allowLoopback = allowLoopback;
        HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).proxy(HttpClient.Builder.NO_PROXY);
        if (loopbackTls != null) {
            b.sslContext(loopbackTls);
        }
        this.loopbackClient = allowLoopback ? b.build() : null;
        this.clock = clock;
    }

    /** Whether {@code clientId} has the shape of a metadata document URL (so it is resolved here). */
    public static boolean isMetadataUrl(String clientId) {
        return clientId != null && (clientId.startsWith("https://") || clientId.startsWith("http://"));
    }

    /** The client described by the document at {@code url}. */
    public Client resolve(String url) throws ClientRejected {
        try {
            return resolve(url, Clients.FetchPermit.PAID);
        } catch (Clients.TooManyFetches e) {
            throw new IllegalStateException(e); // PAID never refuses
        }
    }

    /** The client described by the document at {@code url}, fetched (when not cached) only with {@code permit}. */
    public Client resolve(String url, Clients.FetchPermit permit) throws ClientRejected, Clients.TooManyFetches {
        Instant now = clock.instant();
        Cached c = cache.get(url);
        if (c != null && now.isBefore(c.until())) {
            return c.client();
        }
        URI uri = checkUrl(url);
        permit.take();
        Fetched fetched = fetch(url, uri);
        Client client = parse(url, fetched.body());
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(url, new Cached(client, now.plus(fetched.maxAge())));
        return client;
    }

    private URI checkUrl(String url) throws ClientRejected {
        if (url.length() > 2048) {
            throw new ClientRejected("client_id URL is too long");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ClientRejected("client_id is not a valid URL");
        }
        boolean loopback = RedirectUris.isLoopbackHost(uri.getHost());
        if (!"https".equals(uri.getScheme()) && !(allowLoopback && loopback && "http".equals(uri.getScheme()))) {
            throw new ClientRejected("client_id URL must use https");
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new ClientRejected("client_id URL must not contain user information or a fragment");
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            throw new ClientRejected("client_id URL must have a path");
        }
        if (path.contains("/./") || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
            throw new ClientRejected("client_id URL must not contain dot segments");
        }
        return uri;
    }

    private record Fetched(byte[] body, Duration maxAge) {
    }

    /**
     * Whatever stops a fetch (a refused destination, a name that does not resolve, a failed connection, a status
     * other than 200) gives the caller one message: the caller is anonymous, and telling these apart would let it
     * map how this server resolves and reaches internal names. The reason is logged for the operator.
     */
    private Fetched fetch(String url, URI uri) throws ClientRejected {
        try {
            if (allowLoopback && RedirectUris.isLoopbackHost(uri.getHost())) {
                return fetchLoopback(uri);
            }
            SafeHttpFetcher.Response r = fetcher.get(url);
            if (r.status() != 200) {
                throw notFetched(url, "HTTP " + r.status());
            }
            checkType(r.contentType());
            return new Fetched(r.body(), Duration.ofMinutes(5));
        } catch (FetchRefusedException e) {
            throw notFetched(url, "refused: " + e.block().reason());
        } catch (IOException e) {
            throw notFetched(url, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notFetched(url, "interrupted");
        }
    }

    private static ClientRejected notFetched(String url, String reason) {
        LOG.info("client metadata document {} not fetched: {}", url.length() > 200 ? url.substring(0, 200) : url,
                reason);
        return new ClientRejected(NOT_FETCHED);
    }

    private Fetched fetchLoopback(URI uri) throws IOException, InterruptedException, ClientRejected {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<InputStream> r = loopbackClient.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw notFetched(uri.toString(), "HTTP " + r.statusCode());
            }
            checkType(r.headers().firstValue("Content-Type"));
            byte[] body = in.readNBytes(MAX_BYTES + 1);
            if (body.length > MAX_BYTES) {
                throw new ClientRejected("client metadata document is larger than " + MAX_BYTES + " bytes");
            }
            return new Fetched(body, maxAge(r.headers().firstValue("Cache-Control")));
        }
    }

    private static void checkType(Optional<String> contentType) throws ClientRejected {
        String t = contentType.orElse("").toLowerCase(java.util.Locale.ROOT);
        if (!t.startsWith("application/json") && !t.contains("+json")) {
            throw new ClientRejected("client metadata document must be served as application/json");
        }
    }

    static Duration maxAge(Optional<String> cacheControl) {
        Matcher m = MAX_AGE.matcher(cacheControl.orElse(""));
        long seconds = m.find() ? Long.parseLong(m.group(1)) : 300;
        return Duration.ofSeconds(Math.max(60, Math.min(86_400, seconds)));
    }

    private static Client parse(String url, byte[] body) throws ClientRejected {
        JSONObject json;
        try {
            json = JSONObjectUtils.parse(new String(body, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new ClientRejected("client metadata document is not a JSON object");
        }
        if (!url.equals(json.get("client_id"))) {
            throw new ClientRejected("client metadata document names a different client_id than its URL");
        }
        if (json.containsKey("client_secret") || json.containsKey("client_secret_expires_at")) {
            throw new ClientRejected("client metadata document must not contain a client secret");
        }
        MetadataValidation.Checked checked;
        try {
            checked = MetadataValidation.check(json, Set.of("none"), "none");
        } catch (MetadataValidation.Invalid e) {
            throw new ClientRejected("client metadata document is invalid: " + e.getMessage());
        }
        String name = checked.name() == null ? URI.create(url).getHost() : checked.name();
        return new Client(url, name, checked.redirectUris(), ClientKind.METADATA_DOCUMENT, null,
                checked.grantTypes(), Set.of(), checked.applicationType());
    }
}
