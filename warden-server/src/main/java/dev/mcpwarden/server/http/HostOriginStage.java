package dev.mcpwarden.server.http;

import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * DNS-rebinding defence: the {@code Host} header must name this server (a loopback name, or one configured), and
 * an {@code Origin}, when a browser sends one, must be a loopback origin or an allowed one. Otherwise 403.
 */
final class HostOriginStage implements Stage<HttpExchange, Void> {

    /** Looks at the request head or parsed body only. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;

    public HostOriginStage(Set<String> allowedHosts, Set<String> allowedOrigins) {
        this.allowedHosts = lower(allowedHosts);
        this.allowedOrigins = lower(allowedOrigins);
    }

    private static Set<String> lower(Set<String> in) {
        return Set.copyOf(in.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList());
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        check(ex.header("Host"), ex.header("Origin"));
        return chain.proceed(ex);
    }

    /** Refuses with 403 unless {@code host} (required) and {@code origin} (null when absent) are allowed. */
    void check(String host, String origin) {
        if (host == null || !hostAllowed(hostName(host.toLowerCase(Locale.ROOT)))) {
            throw Rejection.forbidden("Forbidden: Host header not allowed");
        }
        if (origin != null && !originAllowed(origin.toLowerCase(Locale.ROOT))) {
            throw Rejection.forbidden("Forbidden: Origin not allowed");
        }
    }

    private boolean hostAllowed(String name) {
        return LOOPBACK.contains(name) || allowedHosts.contains(name);
    }

    private boolean originAllowed(String origin) {
        if (allowedOrigins.contains(origin)) {
            return true;
        }
        try {
            URI u = URI.create(origin);
            String scheme = u.getScheme();
            String h = u.getHost();
            return ("http".equals(scheme) || "https".equals(scheme)) && h != null && LOOPBACK.contains(h);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The host name of a Host header value, without the port. */
    static String hostName(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int end = hostHeader.indexOf(']');
            return end < 0 ? hostHeader : hostHeader.substring(0, end + 1);
        }
        int colon = hostHeader.lastIndexOf(':');
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }
}
