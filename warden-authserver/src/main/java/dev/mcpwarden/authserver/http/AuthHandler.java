package dev.mcpwarden.authserver.http;

import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientRegistrar;
import dev.mcpwarden.authserver.store.StoreUnavailableException;
import dev.mcpwarden.authserver.token.TokenError;
import dev.mcpwarden.core.json.Json;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * All endpoints of the authorization server as one Jetty core handler. It answers only its own {@link #PATHS} and
 * declines everything else (returns false), so it can sit in a handler sequence beside an MCP endpoint.
 */
public final class AuthHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);

    /** The exact paths served, relative to the issuer (which is the server root). */
    public static final List<String> PATHS = List.of("/authorize", "/token", "/register", "/revoke", "/introspect",
            "/jwks",
            "/login", "/login/upstream", "/login/callback", "/consent",
            "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration");

    /** The pages a browser sends its cookies to: a cross-origin form post to them is refused. */
    private static final java.util.Set<String> BROWSER_PATHS = java.util.Set.of("/authorize", "/login",
            "/login/upstream", "/login/callback", "/consent");

    private final Settings s;
    private final BrowserFlow browser;
    private final Quotas quotas;

    public AuthHandler(Settings settings) {
        super(InvocationType.BLOCKING);
        this.s = settings;
        this.quotas = new Quotas(settings.rateLimiter(), settings.limits().registrationsPerAddress(),
                settings.limits().registrations(), settings.limits().authorizationsPerAddress(),
                settings.limits().authorizations());
        this.browser = new BrowserFlow(settings, quotas);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!PATHS.contains(path)) {
            return false;
        }
        var h = response.getHeaders();
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        h.put("X-Frame-Options", "DENY");
        try {
            String misdirected = OriginCheck.refusal(s.issuer(), request, BROWSER_PATHS.contains(path));
            if (misdirected != null) {
                if (BROWSER_PATHS.contains(path)) {
                    Html.error(response, callback, 403, "access_denied", misdirected);
                } else {
                    error(response, callback, new TokenError(403, "invalid_request", misdirected));
                }
                return true;
            }
            switch (path) {
                case "/authorize" -> browser.authorize(request, response, callback);
                case "/login" -> browser.login(request, response, callback);
                case "/login/upstream" -> browser.upstreamStart(request, response, callback);
                case "/login/callback" -> browser.upstreamCallback(request, response, callback);
                case "/consent" -> browser.consent(request, response, callback);
                case "/token" -> api(request, response, callback, this::token);
                case "/revoke" -> api(request, response, callback, this::revoke);
                case "/introspect" -> api(request, response, callback, this::introspect);
                case "/register" -> api(request, response, callback, this::register);
                case "/jwks" -> document(request, response, callback, s.jwks().get().toString(), "max-age=60");
                default -> document(request, response, callback, s.metadata(), "max-age=300");
            }
        } catch (StoreUnavailableException e) {
            // the state lives in another service (e.g. Redis) that did not answer: a retry may succeed, and
            // answering as if the code, token or session were unknown would be wrong
            LOG.warn("authorization server state unavailable: {}", e.getMessage());
            if (!response.isCommitted()) {
                ObjectNode err = Json.object();
                err.put("error", "temporarily_unavailable");
                err.put("error_description", "the authorization server cannot reach its state; try again shortly");
                Web.noStore(response);
                response.getHeaders().put("Retry-After", "5");
                Web.json(response, callback, 503, err);
            } else {
                callback.failed(e);
            }
        } catch (RuntimeException e) {
            String id = java.util.UUID.randomUUID().toString();
            LOG.error("authorization server request failed (error id {})", id, e);
            if (!response.isCommitted()) {
                ObjectNode err = Json.object();
                err.put("error", "server_error");
                err.put("error_description", "internal error (error id " + id + ")");
                Web.noStore(response);
                Web.json(response, callback, 500, err);
            } else {
                callback.failed(e);
            }
        }
        return true;
    }

    private static void cors(Response response) {
        // Public documents and credential-less API calls: any origin may read them; cookies are never involved.
        response.getHeaders().put("Access-Control-Allow-Origin", "*");
    }

    private void document(Request request, Response response, Callback callback, String json, String cache) {
        cors(response);
        if ("OPTIONS".equals(request.getMethod())) {
            preflight(response, callback, "GET");
            return;
        }
        if (!"GET".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            Web.text(response, callback, 405, "text/plain;charset=utf-8", "Method Not Allowed");
            return;
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, cache);
        Web.text(response, callback, 200, "application/json;charset=UTF-8", json);
    }

    private static void preflight(Response response, Callback callback, String methods) {
        response.getHeaders().put("Access-Control-Allow-Methods", methods);
        response.getHeaders().put("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version");
        response.getHeaders().put("Access-Control-Max-Age", "600");
        response.setStatus(204);
        response.write(true, null, callback);
    }

    @FunctionalInterface
    private interface Api {
        /** Returns the JSON body and status, or throws. */
        Reply handle(Request request) throws TokenError, Web.BadRequest, Quotas.Exceeded;
    }

    private record Reply(int status, ObjectNode body) {
    }

    private void api(Request request, Response response, Callback callback, Api api) {
        cors(response);
        Web.noStore(response);
        if ("OPTIONS".equals(request.getMethod())) {
            preflight(response, callback, "POST");
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            error(response, callback, new TokenError(405, "invalid_request", "use POST"));
            return;
        }
        try {
            Reply r = api.handle(request);
            if (r.body() == null) {
                response.setStatus(r.status());
                response.write(true, null, callback);
            } else {
                Web.json(response, callback, r.status(), r.body());
            }
        } catch (Web.BadRequest e) {
            error(response, callback, new TokenError(e.status, "invalid_request", e.getMessage()));
        } catch (TokenError e) {
            error(response, callback, e);
        } catch (Quotas.Exceeded e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds));
            error(response, callback, new TokenError(429, "too_many_requests", e.getMessage()));
        }
    }

    private static void error(Response response, Callback callback, TokenError e) {
        if (e.status() == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"warden\"");
        }
        if (e.retryAfterSeconds() > 0) {
            response.getHeaders().put("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        ObjectNode body = Json.object();
        body.put("error", e.error());
        body.put("error_description", e.getMessage());
        Web.json(response, callback, e.status(), body);
    }

    /**
     * A client id given here may be a metadata document URL the server then fetches: paid from the same quota as
     * sign-in requests (per address and for everyone), as at the authorization endpoint.
     */
    private dev.mcpwarden.authserver.client.Clients.FetchPermit metadataFetches(Request request) {
        return () -> {
            try {
                quotas.authorize(request);
            } catch (Quotas.Exceeded e) {
                throw new dev.mcpwarden.authserver.client.Clients.TooManyFetches(e.getMessage(), e.retryAfterSeconds);
            }
        };
    }

    private Reply token(Request request) throws TokenError, Web.BadRequest {
        Map<String, String> form = Web.single(Web.form(request));
        Client client = s.clientAuth().authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION), form,
                Request.getRemoteAddr(request), metadataFetches(request));
        return new Reply(200, s.tokens().handle(client, form));
    }

    private Reply revoke(Request request) throws TokenError, Web.BadRequest {
        Map<String, String> form = Web.single(Web.form(request));
        Client client = s.clientAuth().authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION), form,
                Request.getRemoteAddr(request), metadataFetches(request));
        s.tokens().revoke(client, form);
        return new Reply(200, null);
    }

    /**
     * RFC 7662 for resource servers: only a pre-registered confidential client configured to introspect (a resource
     * server's own credentials) may ask, since anyone can register a dynamic client with a secret; and it learns
     * only about tokens for its own resources (RFC 7662 §4: a token meant for another resource server is
     * {@code "active": false} to it).
     */
    private Reply introspect(Request request) throws TokenError, Web.BadRequest {
        Map<String, String> form = Web.single(Web.form(request));
        Client client = s.clientAuth().authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION), form,
                Request.getRemoteAddr(request), metadataFetches(request));
        if (client.isPublic()) {
            throw TokenError.invalidClient("client authentication failed: introspection needs client credentials");
        }
        java.util.Set<String> audiences = s.introspectors().get(client.id());
        if (client.kind() != dev.mcpwarden.authserver.client.ClientKind.PRE_REGISTERED || audiences == null) {
            throw new TokenError(403, "unauthorized_client", "this client may not introspect tokens");
        }
        return new Reply(200, s.tokens().introspect(form, audiences));
    }

    private Reply register(Request request) throws TokenError, Web.BadRequest, Quotas.Exceeded {
        ClientRegistrar registrar = s.registrar();
        if (registrar == null) {
            throw new TokenError(403, "access_denied", "dynamic client registration is disabled");
        }
        quotas.register(request);
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new TokenError(400, "invalid_client_metadata", "the request body must be application/json");
        }
        try {
            return new Reply(201, registrar.register(Web.body(request, 16 * 1024)));
        } catch (ClientRegistrar.Refused e) {
            throw new TokenError(400, e.error(), e.getMessage());
        }
    }
}
