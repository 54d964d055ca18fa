package dev.mcpwarden.client.oauth;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Finds what protects an MCP server: its protected resource metadata (RFC 9728) from the 401 challenge or the
 * well-known URLs, and its authorization server's metadata (RFC 8414, OpenID Connect Discovery) with the
 * path-insertion variants, each checked against what named it.
 */
final class Discovery {

    /** Protected resource metadata: the exact {@code resource} string, its servers and scopes, and where it was. */
    record ProtectedResource(String resource, List<String> authorizationServers, List<String> scopesSupported,
                             URI location) {
    }

    /** What the client uses of an authorization server's metadata; {@code issuer} is byte-exact. */
    record ServerMetadata(String issuer, URI authorizationEndpoint, URI tokenEndpoint, URI registrationEndpoint,
                          List<String> scopesSupported, List<String> authMethods, List<String> challengeMethods,
                          boolean issParameterSupported, boolean clientMetadataDocumentSupported,
                          List<String> dpopAlgorithms, List<String> grantTypes) {
    }

    private final Transport transport;

    Discovery(Transport transport) {
        this.transport = transport;
    }

    /**
     * The metadata of {@code endpoint}'s resource: from {@code fromChallenge} when the 401 named it, else (or when
     * that URL has none) the path-based well-known URL, then the root one; the first found is used.
     *
     * @throws OAuthException when none is found or it does not describe {@code endpoint}
     */
    ProtectedResource protectedResource(URI endpoint, Optional<URI> fromChallenge) throws OAuthException {
        List<URI> candidates = new ArrayList<>();
        fromChallenge.ifPresent(candidates::add);
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        if (!path.isEmpty() && !path.equals("/")) {
            candidates.add(origin(endpoint).resolve("/.well-known/oauth-protected-resource" + trimSlash(path)));
        }
        candidates.add(origin(endpoint).resolve("/.well-known/oauth-protected-resource"));
        for (URI u : candidates) {
            Optional<JsonNode> doc = getJson(u);
            if (doc.isEmpty()) {
                continue;
            }
            JsonNode d = doc.get();
            String resource = d.path("resource").asString("");
            if (resource.isEmpty()) {
                throw new OAuthException("the protected resource metadata at " + u + " names no resource");
            }
            if (!describes(resource, endpoint)) {
                // RFC 9728 §3.3 / MCP: a client must not use metadata for another resource, nor send its token there
                throw new OAuthException("the protected resource metadata at " + u + " is for " + resource
                        + ", not for " + endpoint);
            }
            return new ProtectedResource(resource, strings(d.get("authorization_servers")),
                    strings(d.get("scopes_supported")), u);
        }
        throw new OAuthException("no protected resource metadata for " + endpoint + " (tried " + candidates + ")");
    }

    /**
     * Whether the resource identifier {@code resource} covers {@code endpoint}: the same scheme, host and port, and
     * a path that is the endpoint's or one of its parent paths.
     */
    static boolean describes(String resource, URI endpoint) {
        URI r;
        try {
            r = URI.create(resource);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (r.getScheme() == null || r.getHost() == null || r.getRawFragment() != null
                || !r.getScheme().equalsIgnoreCase(endpoint.getScheme())
                || !r.getHost().equalsIgnoreCase(endpoint.getHost()) || port(r) != port(endpoint)) {
            return false;
        }
        String rp = trimSlash(r.getRawPath() == null ? "" : r.getRawPath());
        String ep = trimSlash(endpoint.getRawPath() == null ? "" : endpoint.getRawPath());
        return rp.isEmpty() || ep.equals(rp) || ep.startsWith(rp + "/");
    }

    /**
     * The metadata of the authorization server {@code issuer}: for an issuer with a path {@code /p},
     * {@code /.well-known/oauth-authorization-server/p}, {@code /.well-known/openid-configuration/p}, then
     * {@code /p/.well-known/openid-configuration}; without one, the first two at the root. The first document found
     * must name exactly {@code issuer} (RFC 8414 §3.3), or the server is refused.
     */
    ServerMetadata serverMetadata(String issuer) throws OAuthException {
        URI iss;
        try {
            iss = URI.create(issuer);
        } catch (IllegalArgumentException e) {
            throw new OAuthException("the authorization server " + issuer + " is not a URL");
        }
        if (iss.getScheme() == null || iss.getHost() == null || iss.getRawQuery() != null
                || iss.getRawFragment() != null) {
            throw new OAuthException("the authorization server " + issuer + " is not a valid issuer URL");
        }
        String path = trimSlash(iss.getRawPath() == null ? "" : iss.getRawPath());
        URI origin = origin(iss);
        List<URI> candidates = path.isEmpty()
                ? List.of(origin.resolve("/.well-known/oauth-authorization-server"),
                        origin.resolve("/.well-known/openid-configuration"))
                : List.of(origin.resolve("/.well-known/oauth-authorization-server" + path),
                        origin.resolve("/.well-known/openid-configuration" + path),
                        origin.resolve(path + "/.well-known/openid-configuration"));
        for (URI u : candidates) {
            Optional<JsonNode> doc = getJson(u);
            if (doc.isEmpty()) {
                continue;
            }
            JsonNode d = doc.get();
            String named = d.path("issuer").asString("");
            if (!named.equals(issuer)) {
                throw new OAuthException("the authorization server metadata at " + u + " names the issuer \""
                        + named + "\", not " + issuer);
            }
            return new ServerMetadata(issuer, uri(d, "authorization_endpoint"), uri(d, "token_endpoint"),
                    uri(d, "registration_endpoint"), strings(d.get("scopes_supported")),
                    strings(d.get("token_endpoint_auth_methods_supported")),
                    strings(d.get("code_challenge_methods_supported")),
                    d.path("authorization_response_iss_parameter_supported").asBoolean(false),
                    d.path("client_id_metadata_document_supported").asBoolean(false),
                    strings(d.get("dpop_signing_alg_values_supported")),
                    strings(d.get("grant_types_supported")));
        }
        throw new OAuthException("no authorization server metadata for " + issuer + " (tried " + candidates + ")");
    }

    private Optional<JsonNode> getJson(URI u) throws OAuthException {
        HTTPRequest get = new HTTPRequest(HTTPRequest.Method.GET, u);
        get.setAccept("application/json");
        HTTPResponse r;
        try {
            r = transport.send(get);
        } catch (IOException | IllegalArgumentException e) {
            throw new OAuthException("cannot fetch " + u + ": " + e.getMessage(), e);
        }
        if (r.getStatusCode() != 200) {
            return Optional.empty();
        }
        try {
            JsonNode doc = Json.standard().parse(r.getBody() == null ? "" : r.getBody());
            return doc.isObject() ? Optional.of(doc) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    private static URI uri(JsonNode d, String field) throws OAuthException {
        String v = d.path(field).asString("");
        if (v.isEmpty()) {
            return null;
        }
        try {
            URI u = URI.create(v);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null) {
                throw new OAuthException("the authorization server's " + field + " is not an http(s) URL: " + v);
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new OAuthException("the authorization server's " + field + " is not a URL: " + v);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(v -> {
                if (v.isString()) {
                    out.add(v.asString());
                }
            });
        }
        return List.copyOf(out);
    }

    static URI origin(URI u) {
        return URI.create(u.getScheme() + "://" + u.getRawAuthority());
    }

    private static String trimSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
