package dev.mcpwarden.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A headless browser for tests: plain HTTP requests that never follow redirects and keep cookies per host and port,
 * so each step of the authorization flow can be inspected.
 */
public final class UserAgent {

    /** A response: status, headers (lower-case names, first value), body. */
    public record Page(int status, Map<String, List<String>> headers, String body, URI uri) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String location() {
            String l = header("location");
            return l == null ? null : uri.resolve(l).toString();
        }

        /** The value of the hidden input {@code name}, or null. */
        public String hidden(String name) {
            Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\"").matcher(body);
            return m.find() ? m.group(1) : null;
        }

        /** The text of the element with {@code id} (no nested tags), or null. */
        public String byId(String id) {
            Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(body);
            return m.find() ? m.group(1) : null;
        }
    }

    public UserAgent() {
    }

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** cookies by "host:port", then name. */
    private final Map<String, Map<String, String>> jar = new LinkedHashMap<>();

    public Page get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), URI.create(url));
    }

    public Page post(String url, Map<String, String> form) throws IOException, InterruptedException {
        return post(url, form, Map.of());
    }

    public Page post(String url, Map<String, String> form, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form)));
        headers.forEach(b::header);
        return send(b, URI.create(url));
    }

    public Page postJson(String url, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), URI.create(url));
    }

    public static String form(Map<String, String> form) {
        return form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Page send(HttpRequest.Builder b, URI uri) throws IOException, InterruptedException {
        Map<String, String> cookies = jar.computeIfAbsent(uri.getHost() + ":" + uri.getPort(), k -> new LinkedHashMap<>());
        if (!cookies.isEmpty()) {
            b.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String set : r.headers().allValues("set-cookie")) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return new Page(r.statusCode(), headers, r.body(), uri);
    }

    public Map<String, String> cookies(String hostPort) {
        return jar.getOrDefault(hostPort, Map.of());
    }

    /** Drops all cookies (a different browser). */
    public void forget() {
        jar.clear();
    }

    /**
     * Walks an authorization from its URL to the redirect back to the client: signs in as {@code user} if asked,
     * approves the consent page, and returns the final Location (the client's redirect URI with code or error).
     */
    public String authorize(String authorizeUrl, String user, String password) throws IOException, InterruptedException {
        Page p = get(authorizeUrl);
        for (int hops = 0; hops < 10; hops++) {
            if (p.status() != 302 && p.status() != 303) {
                throw new AssertionError("expected a redirect, got " + p.status() + ": " + p.body());
            }
            String next = p.location();
            URI issuer = URI.create(authorizeUrl);
            if (!next.startsWith(issuer.getScheme() + "://" + issuer.getRawAuthority() + "/")) {
                return next; // left the authorization server: back at the client
            }
            Page page = get(next);
            if (next.contains("/login?")) {
                p = post(issuerOf(next) + "/login", Map.of("request", page.hidden("request"), "username", user,
                        "password", password));
            } else if (next.contains("/consent?") && page.status() == 200) {
                p = post(issuerOf(next) + "/consent", Map.of("request", page.hidden("request"),
                        "csrf", page.hidden("csrf"), "decision", "approve"));
            } else {
                p = page;
            }
        }
        throw new AssertionError("too many redirects");
    }

    public static String issuerOf(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    /** The query parameters of {@code url} (decoded, first value). */
    public static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(url).getRawQuery();
        if (q != null) {
            for (String part : q.split("&")) {
                int eq = part.indexOf('=');
                String k = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(k, v);
            }
        }
        return out;
    }
}
