package dev.mcpwarden.client.oauth;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sends the OAuth client's requests (Nimbus {@link HTTPRequest} in, {@link HTTPResponse} out) without following
 * redirects and reading at most {@link #MAX_BODY} bytes of any answer, so a hostile server cannot fill memory.
 */
final class Transport {

    /** The largest metadata, registration or token answer read; real ones are a few kilobytes. */
    static final int MAX_BODY = 256 * 1024;
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect",
            "upgrade");

    private final HttpClient http;
    private final Duration timeout;

    Transport(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    HTTPResponse send(HTTPRequest request) throws IOException {
        URI uri = request.getURI(); // with its query: GETs here are made from whole URLs
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        for (Map.Entry<String, List<String>> h : request.getHeaderMap().entrySet()) {
            if (RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String v : h.getValue()) {
                b.header(h.getKey(), v);
            }
        }
        String body = request.getBody();
        b.method(request.getMethod().name(), body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<InputStream> r;
        try {
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (java.net.http.HttpTimeoutException e) {
                throw e;
            } catch (IOException e) {
                // a kept-alive connection the server closed while idle ends before any answer: sent once more
                // on a new one (a token request sent twice exchanges its single-use code at most once)
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        byte[] bytes;
        try (InputStream in = r.body()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new IOException(uri.getHost() + " answered with more than " + MAX_BODY + " bytes");
        }
        HTTPResponse out = new HTTPResponse(r.statusCode());
        r.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                out.setHeader(name, values.toArray(String[]::new));
            }
        });
        out.setBody(new String(bytes, StandardCharsets.UTF_8));
        return out;
    }
}
