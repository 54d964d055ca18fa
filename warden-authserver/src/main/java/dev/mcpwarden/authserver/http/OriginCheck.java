package dev.mcpwarden.authserver.http;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The authorization server's own Host and Origin checks, which it needs whether it listens alone or is mounted
 * beside an MCP endpoint (whose checks do not cover mounted handlers).
 *
 * <p>Host: every request must name the issuer's host and port (DNS-rebinding defence: a page whose name an
 * attacker points at this server's address sends its own name). A loopback issuer also answers to the other
 * loopback names with the same port, which no rebinding can produce.
 *
 * <p>Origin: a state-changing browser request (a POST to the sign-in and consent pages) sent from another origin
 * is refused, even from another port of the same loopback host, which counts as same-site for cookies
 * ({@code SameSite=Lax} does not stop it). Without an {@code Origin} (or with {@code null}, which Chromium sends
 * for forms on pages with {@code Referrer-Policy: no-referrer}), {@code Sec-Fetch-Site} decides when sent; a
 * browser that sends neither is left to the CSRF token and the browser binding.
 */
final class OriginCheck {

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private OriginCheck() {
    }

    /** Why the request is refused (a message safe to show), or null when it may go on. */
    static String refusal(URI issuer, Request request, boolean browserPath) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (host == null) {
            host = request.getHttpURI().getAuthority();
        }
        if (host == null || !namesIssuer(issuer, host)) {
            return "The Host header does not name this authorization server.";
        }
        if (!browserPath || !"POST".equals(request.getMethod())) {
            return null;
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        // "null" is what Chromium sends for a form on a page with Referrer-Policy: no-referrer (ours): then, as
        // without an Origin, Sec-Fetch-Site says where the form came from
        if (origin != null && !origin.equals("null")) {
            return sameOrigin(issuer, origin) ? null
                    : "The form was not sent from a page of this authorization server (Origin " + Web.clip(origin)
                            + ").";
        }
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "The form was not sent from a page of this authorization server (Sec-Fetch-Site " + Web.clip(site)
                    + ").";
        }
        return null;
    }

    private static boolean namesIssuer(URI issuer, String hostHeader) {
        String h = hostHeader.toLowerCase(Locale.ROOT);
        String name;
        int port;
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) {
            name = h.substring(0, colon);
            try {
                port = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        } else {
            name = h;
            port = defaultPort(issuer.getScheme());
        }
        return port == port(issuer) && matchesHost(issuer, name);
    }

    private static boolean sameOrigin(URI issuer, String origin) {
        URI o;
        try {
            o = URI.create(origin.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (o.getScheme() == null || o.getHost() == null || o.getRawPath() != null && !o.getRawPath().isEmpty()
                || !o.getScheme().equalsIgnoreCase(issuer.getScheme())) {
            return false; // anything malformed
        }
        int port = o.getPort() != -1 ? o.getPort() : defaultPort(o.getScheme().toLowerCase(Locale.ROOT));
        return port == port(issuer) && matchesHost(issuer, o.getHost().toLowerCase(Locale.ROOT));
    }

    private static boolean matchesHost(URI issuer, String name) {
        String own = issuer.getHost().toLowerCase(Locale.ROOT);
        if (name.endsWith(".") && !name.endsWith("..")) {
            name = name.substring(0, name.length() - 1); // the absolute form of the same name
        }
        return name.equals(own) || LOOPBACK.contains(own) && LOOPBACK.contains(name);
    }

    private static int port(URI issuer) {
        return issuer.getPort() != -1 ? issuer.getPort() : defaultPort(issuer.getScheme());
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }
}
