package dev.mcpwarden.server.http;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Response;

/**
 * Cross-origin access for browser clients, only for origins configured by name: the response names the one
 * requesting origin (never {@code *}), and preflights are answered here, before authentication, listing exactly
 * the methods and headers MCP uses. Credentials (cookies) are never allowed; MCP clients send bearer tokens.
 */
final class CorsStage implements Stage<HttpExchange, Void> {

    /** Looks at the request head or parsed body only. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private static final String ALLOW_METHODS = "GET, POST, DELETE";
    private static final Set<String> METHODS = Set.of("GET", "POST", "DELETE");
    private static final Set<String> ALLOWED_HEADERS = Set.of("authorization", "content-type", "accept",
            "mcp-protocol-version", "mcp-session-id", "mcp-method", "mcp-name", "last-event-id", "dpop");
    private static final Pattern PARAM_HEADER = Pattern.compile("mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+");
    private static final String EXPOSE = "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, DPoP-Nonce, "
            + "Retry-After";

    private final Set<String> origins;

    public CorsStage(Set<String> origins) {
        this.origins = Set.copyOf(origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList());
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        String origin = ex.header("Origin");
        boolean allowed = origin != null && origins.contains(origin.toLowerCase(Locale.ROOT));
        if ("OPTIONS".equals(ex.method())) {
            if (!allowed || ex.header("Access-Control-Request-Method") == null) {
                throw Rejection.forbidden( "Forbidden: cross-origin request not allowed");
            }
            String method = ex.header("Access-Control-Request-Method");
            if (!METHODS.contains(method)) { // an exact method name: "GET, POST" or "ET" name none
                throw Rejection.forbidden( "Forbidden: method not allowed cross-origin");
            }
            String requested = ex.header("Access-Control-Request-Headers");
            if (requested != null) {
                for (String h : requested.split(",")) {
                    String name = h.strip().toLowerCase(Locale.ROOT);
                    if (!name.isEmpty() && !ALLOWED_HEADERS.contains(name) && !PARAM_HEADER.matcher(name).matches()) {
                        throw Rejection.forbidden(
                                "Forbidden: header not allowed cross-origin: " + name);
                    }
                }
            }
            Response r = ex.response();
            allowOrigin(r, origin);
            r.getHeaders().put("Access-Control-Allow-Methods", ALLOW_METHODS);
            if (requested != null) {
                r.getHeaders().put("Access-Control-Allow-Headers", requested.strip());
            }
            r.getHeaders().put("Access-Control-Max-Age", "600");
            r.setStatus(204);
            r.write(true, null, ex.callback());
            return null;
        }
        if (allowed) {
            allowOrigin(ex.response(), origin);
            ex.response().getHeaders().put("Access-Control-Expose-Headers", EXPOSE);
        }
        return chain.proceed(ex);
    }

    private static void allowOrigin(Response r, String origin) {
        r.getHeaders().put("Access-Control-Allow-Origin", origin);
        r.getHeaders().add("Vary", "Origin");
    }
}
