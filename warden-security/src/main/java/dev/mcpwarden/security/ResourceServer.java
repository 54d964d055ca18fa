package dev.mcpwarden.security;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.oauth.AccessPolicy;
import dev.mcpwarden.security.oauth.Dpop;
import dev.mcpwarden.security.oauth.Introspection;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.ScopeRequirements;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.replay.ReplayCache;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Stage;
import java.net.URI;
import org.slf4j.LoggerFactory;
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
 * McpServer server = McpServer.builder("acme", "1.0").controls(rs.controls()).tool(...).build();
 * HttpTransport http = server.serveHttp(HttpOptions.loopback(8080));
 * }</pre>
 */
public final class ResourceServer {

    private final ResourceServerConfig config;
    private final Dpop dpop;
    private final dev.mcpwarden.security.oauth.OAuthProtection protection;

    private ResourceServer(Builder b) {
        this.config = b.config;
        this.dpop = b.dpop;
        this.protection = new dev.mcpwarden.security.oauth.OAuthProtection(b.config, b.introspection, b.dpop,
                b.scopes, b.policy, b.clock, b.replayCache == null ? ReplayCache.inMemory() : b.replayCache);
    }

    /** Starts describing a resource server; everything but the configuration is optional. */
    public static Builder builder(ResourceServerConfig config) {
        return new Builder(config);
    }

    /** A resource server with no extra scope requirements and no access policy. */
    public static ResourceServer create(ResourceServerConfig config) {
        return builder(config).build();
    }

    public static ResourceServer create(ResourceServerConfig config, ScopeRequirements scopes, AccessPolicy policy,
                                        InstantSource clock) {
        return builder(config).scopes(scopes).policy(policy).clock(clock).build();
    }

    /** Builds a {@link ResourceServer}. */
    public static final class Builder {
        private final ResourceServerConfig config;
        private Introspection introspection;
        private Dpop dpop;
        private ReplayCache replayCache;
        private ScopeRequirements scopes = ScopeRequirements.none();
        private AccessPolicy policy;
        private InstantSource clock = InstantSource.system();

        private Builder(ResourceServerConfig config) {
            this.config = java.util.Objects.requireNonNull(config, "config");
        }

        /** Also accept opaque tokens, checked by introspection (RFC 7662). */
        public Builder introspection(Introspection introspection) {
            this.introspection = introspection;
            return this;
        }

        /** Accept (or require) DPoP sender-constrained tokens (RFC 9449). */
        public Builder dpop(Dpop dpop) {
            this.dpop = dpop;
            return this;
        }

        /**
         * Where DPoP proofs' {@code jti}s are remembered. By default this process's memory, which lets a proof
         * replayed to another replica through; with several replicas give them one shared cache (Redis, in
         * warden-redis). A shared cache that cannot be reached refuses DPoP requests with 503.
         */
        public Builder replayCache(ReplayCache replayCache) {
            this.replayCache = java.util.Objects.requireNonNull(replayCache, "replayCache");
            return this;
        }

        /** Scopes required per method, tool, prompt or resource, beyond those tools declare. */
        public Builder scopes(ScopeRequirements scopes) {
            this.scopes = java.util.Objects.requireNonNull(scopes);
            return this;
        }

        /** Who may use which tool, prompt or resource at all. */
        public Builder policy(AccessPolicy policy) {
            this.policy = java.util.Objects.requireNonNull(policy);
            return this;
        }

        /**
         * No access policy, by choice: every authenticated caller holding the required scopes reaches every tool,
         * prompt and resource. Without this or a {@link #policy}, the same holds but a warning says so at start.
         */
        public Builder scopesOnly() {
            this.policy = AccessPolicy.ALLOW_ALL;
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = java.util.Objects.requireNonNull(clock);
            return this;
        }

        public ResourceServer build() {
            if (policy == null) {
                LoggerFactory.getLogger(ResourceServer.class).warn("No access policy for {}: every authenticated "
                        + "caller with the required scopes reaches every tool, prompt and resource; set one with "
                        + "policy(...) (docs/policies.md), or say scopesOnly()", config.resource());
                policy = AccessPolicy.ALLOW_ALL;
            }
            return new ResourceServer(this);
        }
    }

    /**
     * The controls of this resource server at their positions of the recipe: bearer authentication and the protected
     * resource metadata at the HTTP level, authorization (scopes, policy, list filtering) at the MCP level. To add
     * audit, integrity, rate limits and guards, use {@link Security#builder(ResourceServer)}.
     */
    public Controls controls() {
        return addTo(Controls.builder()).build();
    }

    Controls.Builder addTo(Controls.Builder controls) {
        controls.authenticator(authenticator()).authorization(authorizationStage())
                .report("issuer-keys", protection::issuerKeysState);
        for (String path : metadataPaths()) {
            controls.route(path, this::metadata);
        }
        return controls;
    }

    public Authenticator authenticator() {
        return protection.authenticator();
    }

    /** Method scopes, the access policy on the target, the target's scopes, and lists filtered per caller. */
    public Stage<Call, JsonNode> authorizationStage() {
        return protection.authorizationStage();
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
        // No resource_signing_alg_values_supported: RFC 9728 means the algorithms this resource signs its responses
        // with, and it signs none. The algorithms of accepted DPoP proofs are listed under their own name.
        if (dpop != null) {
            dev.mcpwarden.security.oauth.OAuthProtection.proofAlgorithms(config.algorithms()).stream()
                    .map(a -> a.getName()).sorted()
                    .forEach(doc.putArray("dpop_signing_alg_values_supported")::add);
            doc.put("dpop_bound_access_tokens_required", dpop.mode() == Dpop.Mode.REQUIRED);
        }
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
