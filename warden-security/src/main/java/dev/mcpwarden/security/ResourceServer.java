package dev.mcpwarden.security;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.oauth.AccessPolicy;
import dev.mcpwarden.security.oauth.Introspection;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.ScopeRequirements;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Stage;
import java.net.URI;
import java.time.InstantSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes an MCP server an OAuth 2.1 resource server: every request carries a bearer token issued for this server
 * by a trusted authorization server; scopes are enforced per method, tool, prompt and resource; the protected
 * resource metadata (RFC 9728) tells clients where to get tokens.
 *
 * <pre>{@code
 * ResourceServer rs = ResourceServer.create(ResourceServerConfig.of(
 *         URI.create("https://mcp.example.com/mcp"),
 *         List.of(TrustedIssuer.discover("https://login.example.com/realms/acme")),
 *         Set.of("mcp:tools")));
 * McpServer server = rs.protect(McpServer.builder("acme", "1.0")).tool(...).build();
 * HttpTransport http = rs.protect(HttpTransport.builder(server, HttpOptions.loopback(8080))).start();
 * }</pre>
 */
public final class ResourceServer {

    private final ResourceServerConfig config;
    private final dev.mcpwarden.security.oauth.OAuthProtection protection;

    private ResourceServer(ResourceServerConfig config, Introspection introspection, ScopeRequirements scopes,
                           AccessPolicy policy, InstantSource clock) {
        this.config = config;
        this.protection = new dev.mcpwarden.security.oauth.OAuthProtection(config, introspection, scopes, policy,
                clock);
    }

    /** A resource server with no extra scope requirements and no access policy. */
    public static ResourceServer create(ResourceServerConfig config) {
        return create(config, new ScopeRequirements(), AccessPolicy.ALLOW_ALL, InstantSource.system());
    }

    public static ResourceServer create(ResourceServerConfig config, ScopeRequirements scopes, AccessPolicy policy,
                                        InstantSource clock) {
        return new ResourceServer(config, null, scopes, policy, clock);
    }

    /** A resource server that also accepts opaque tokens, checked by introspection (RFC 7662). */
    public static ResourceServer create(ResourceServerConfig config, Introspection introspection,
                                        ScopeRequirements scopes, AccessPolicy policy, InstantSource clock) {
        return new ResourceServer(config, java.util.Objects.requireNonNull(introspection), scopes, policy, clock);
    }

    /** Adds the access stage (scopes, policy) to the server's MCP pipeline. */
    public McpServer.Builder protect(McpServer.Builder server) {
        return server.stage(accessStage());
    }

    /** Installs bearer authentication and serves the protected resource metadata beside the endpoint. */
    public HttpTransport.Builder protect(HttpTransport.Builder http) {
        http.authenticator(authenticator());
        for (String path : metadataPaths()) {
            http.route(path, this::metadata);
        }
        return http;
    }

    public Authenticator authenticator() {
        return protection.authenticator();
    }

    public Stage<Call, JsonNode> accessStage() {
        return protection.accessStage();
    }

    /** The URL of the metadata document, as advertised in challenges. */
    public String metadataUrl() {
        return protection.metadataUrl();
    }

    /** Where the metadata is served: the path-specific well-known URL, and the root one for a root endpoint. */
    public java.util.List<String> metadataPaths() {
        return protection.metadataPaths();
    }

    /** The protected resource metadata document (RFC 9728). */
    public ObjectNode metadata() {
        ObjectNode doc = Json.object();
        doc.put("resource", config.resource().toString());
        config.issuers().stream().map(TrustedIssuer::issuer).forEach(doc.putArray("authorization_servers")::add);
        new java.util.TreeSet<>(config.scopesSupported()).forEach(doc.putArray("scopes_supported")::add);
        doc.putArray("bearer_methods_supported").add("header");
        config.algorithms().stream().map(a -> a.getName()).sorted()
                .forEach(doc.putArray("resource_signing_alg_values_supported")::add);
        return doc;
    }

    public ResourceServerConfig config() {
        return config;
    }

    /** The canonical resource URI tokens must name. */
    public URI resource() {
        return config.resource();
    }
}
