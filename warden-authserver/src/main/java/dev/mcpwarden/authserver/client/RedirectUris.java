package dev.mcpwarden.authserver.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Redirect URI rules: registration admits https URIs and http URIs on a loopback host; matching is exact string
 * equality, except that a native client's loopback IP redirect may use any port (RFC 8252 §7.3).
 */
public final class RedirectUris {

    private RedirectUris() {
    }

    /** Why {@code uri} cannot be registered, or null if it can. */
    public static String whyInvalid(String uri) {
        if (uri == null || uri.isEmpty() || uri.length() > 2048) {
            return "must be 1 to 2048 characters";
        }
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            return "is not a valid URI";
        }
        if (!u.isAbsolute() || u.getRawAuthority() == null || u.getHost() == null) {
            return "must be an absolute URI with a host";
        }
        if (u.getRawFragment() != null) {
            return "must not contain a fragment";
        }
        if (u.getRawUserInfo() != null) {
            return "must not contain user information";
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return null;
        }
        if (scheme.equals("http") && isLoopbackHost(u.getHost())) {
            return null;
        }
        return "must use https, or http on a loopback address (127.0.0.1, [::1], localhost)";
    }

    /** Whether {@code host} (as {@link URI#getHost()} returns it) names the loopback interface. */
    public static boolean isLoopbackHost(String host) {
        return host != null && (host.equals("127.0.0.1") || host.equals("[::1]") || host.equalsIgnoreCase("localhost"));
    }

    /**
     * Whether a code sent to {@code redirectUri} might be received by another program on the user's computer, so
     * that it must never be issued without the user's click (RFC 8252 §8.6): any http URI, and any URI whose host is
     * an IP literal in any notation (dotted, decimal, hex, octal, IPv6, IPv4-mapped) or a {@code localhost} name,
     * since on a loopback address any local process can listen on any port. Only an https URI on a DNS name counts
     * as reaching the client it was registered for. Unparseable URIs count as local.
     */
    public static boolean reachableByLocalPrograms(String redirectUri) {
        URI u;
        try {
            u = new URI(redirectUri);
        } catch (URISyntaxException | NullPointerException e) {
            return true;
        }
        String host = u.getHost();
        if (!"https".equalsIgnoreCase(u.getScheme()) || host == null || host.isEmpty()) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.startsWith("[") || h.contains(":") || h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        // a browser reads a host whose last label is a number (decimal, 0x hex, 0 octal) as an IPv4 address
        String last = h.substring(h.lastIndexOf('.') + 1);
        return last.isEmpty() || last.matches("[0-9]+|0x[0-9a-f]*");
    }

    /** Whether {@code presented} is one of {@code registered}, by the rules above. */
    public static boolean matches(List<String> registered, String presented) {
        if (presented == null) {
            return false;
        }
        for (String r : registered) {
            if (r.equals(presented) || loopbackPortAgnostic(r, presented)) {
                return true;
            }
        }
        return false;
    }

    /** http://127.0.0.1:ANY/path or http://[::1]:ANY/path against the same URI registered with another port. */
    private static boolean loopbackPortAgnostic(String registered, String presented) {
        try {
            URI r = new URI(registered);
            URI p = new URI(presented);
            if (!"http".equals(r.getScheme()) || !"http".equals(p.getScheme())) {
                return false; // exact scheme, lower case only
            }
            String host = p.getHost();
            if (host == null || !(host.equals("127.0.0.1") || host.equals("[::1]")) || !host.equals(r.getHost())) {
                return false; // IP literals only: "localhost" may resolve elsewhere
            }
            if (p.getRawUserInfo() != null || p.getRawFragment() != null || p.getPort() < 1) {
                return false;
            }
            // the presented URI must be exactly scheme://host:port + the registered path and query
            String tail = (r.getRawPath() == null ? "" : r.getRawPath())
                    + (r.getRawQuery() == null ? "" : "?" + r.getRawQuery());
            return presented.equals("http://" + host + ":" + p.getPort() + tail);
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
