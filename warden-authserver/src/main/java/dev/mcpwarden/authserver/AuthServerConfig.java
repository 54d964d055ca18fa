package dev.mcpwarden.authserver;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the authorization server needs to know, validated on construction. Start from
 * {@link #defaults(URI, Set)} and change what you need with the {@code with...} methods.
 *
 * @param issuer              this server's issuer: an https origin (or http on a loopback address) with no path;
 *                            all endpoints hang off it (/authorize, /token, ...)
 * @param resources           the resources (MCP servers' canonical URIs) tokens may be issued for; a request
 *                            for anything else fails with {@code invalid_target}
 * @param scopesSupported     scopes clients may request
 * @param defaultScopes       scopes granted when a request names none (a subset of scopesSupported)
 * @param users               built-in users
 * @param clients             pre-registered clients
 * @param upstream            an upstream OpenID provider to sign in with, or null
 * @param dynamicRegistration whether clients may register themselves (RFC 7591) at /register
 * @param clientMetadataDocuments whether https client ids are resolved as Client ID Metadata Documents
 * @param offlineAccess       whether the {@code offline_access} scope is offered (longer-lived refresh tokens)
 * @param accessTokenTtl      access token lifetime (1 minute to 1 hour)
 * @param codeTtl             authorization code lifetime (1 to 60 seconds)
 * @param refreshTokenTtl     refresh token family lifetime without offline access
 * @param offlineRefreshTokenTtl refresh token family lifetime with offline access
 * @param loginSessionTtl     how long a browser stays signed in
 * @param signingAlgorithm    ES256 or RS256
 * @param tokenExchange       who may exchange tokens for which audiences (RFC 8693)
 * @param insecureAllowLoopbackClientMetadata DEVELOPMENT ONLY: fetch client metadata documents from loopback
 *                            addresses (127.0.0.1, [::1]) too; logged as a warning at start
 * @param insecureAllowHttpUpstream DEVELOPMENT ONLY: talk to an upstream provider over plain http; logged as a
 *                            warning at start
 */
public record AuthServerConfig(URI issuer, Set<String> resources, Set<String> scopesSupported,
                               Set<String> defaultScopes, List<BuiltInUser> users, List<StaticClient> clients,
                               UpstreamProvider upstream, boolean dynamicRegistration,
                               boolean clientMetadataDocuments, boolean offlineAccess, Duration accessTokenTtl,
                               Duration codeTtl, Duration refreshTokenTtl, Duration offlineRefreshTokenTtl,
                               Duration loginSessionTtl, String signingAlgorithm, TokenExchangePolicy tokenExchange,
                               boolean insecureAllowLoopbackClientMetadata, boolean insecureAllowHttpUpstream) {

    public AuthServerConfig {
        Objects.requireNonNull(issuer, "issuer");
        String scheme = issuer.getScheme() == null ? "" : issuer.getScheme();
        if (!scheme.equals("https") && !(scheme.equals("http") && isLoopback(issuer.getHost()))) {
            throw new IllegalArgumentException("issuer must be https (or http on 127.0.0.1 or [::1]), was " + issuer);
        }
        if (issuer.getRawPath() != null && !issuer.getRawPath().isEmpty() || issuer.getRawQuery() != null
                || issuer.getRawFragment() != null || issuer.getRawUserInfo() != null) {
            throw new IllegalArgumentException("issuer must be an origin without path, query or fragment "
                    + "(e.g. https://login.example.com), was " + issuer);
        }
        if (!issuer.toString().equals(issuer.toString().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("issuer must be lower case, was " + issuer);
        }
        resources = Set.copyOf(resources);
        if (resources.isEmpty()) {
            throw new IllegalArgumentException("at least one resource (an MCP server's canonical URI) is required");
        }
        for (String r : resources) {
            URI u = URI.create(r);
            String s = u.getScheme() == null ? "" : u.getScheme();
            if (!u.isAbsolute() || u.getRawFragment() != null
                    || !(s.equals("https") || s.equals("http") && isLoopback(u.getHost()))) {
                throw new IllegalArgumentException("resource must be an absolute https URI (http on loopback) "
                        + "without fragment, was " + r);
            }
        }
        scopesSupported = Set.copyOf(scopesSupported);
        for (String s : scopesSupported) {
            if (!s.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
                throw new IllegalArgumentException("invalid scope token '" + s + "'");
            }
        }
        if (scopesSupported.contains("offline_access")) {
            throw new IllegalArgumentException("do not list offline_access in scopesSupported; set offlineAccess");
        }
        defaultScopes = Set.copyOf(defaultScopes);
        if (!scopesSupported.containsAll(defaultScopes)) {
            throw new IllegalArgumentException("defaultScopes " + defaultScopes + " must be a subset of "
                    + "scopesSupported " + scopesSupported);
        }
        users = List.copyOf(users);
        Set<String> names = new HashSet<>();
        for (BuiltInUser u : users) {
            if (!names.add(u.username())) {
                throw new IllegalArgumentException("user " + u.username() + " is configured twice");
            }
        }
        clients = List.copyOf(clients);
        Set<String> ids = new HashSet<>();
        for (StaticClient c : clients) {
            if (!ids.add(c.clientId())) {
                throw new IllegalArgumentException("client " + c.clientId() + " is configured twice");
            }
            if (!resources.containsAll(c.introspects())) {
                throw new IllegalArgumentException("client " + c.clientId() + " would introspect tokens for "
                        + "resources this server does not issue them for: " + new java.util.TreeSet<>(c.introspects())
                        + " (resources: " + new java.util.TreeSet<>(resources) + ")");
            }
        }
        if (upstream != null) {
            for (BuiltInUser u : users) {
                if (u.username().startsWith(upstream.subjectPrefix())) {
                    throw new IllegalArgumentException("user " + u.username() + " would share the namespace of "
                            + "the upstream provider's users (" + upstream.subjectPrefix() + "...)");
                }
            }
        }
        if (upstream != null && !upstream.isHttps() && !insecureAllowHttpUpstream) {
            throw new IllegalArgumentException("upstream issuer must be https, was " + upstream.issuer()
                    + " (insecureAllowHttpUpstream permits http for development)");
        }
        between("accessTokenTtl", accessTokenTtl, Duration.ofMinutes(1), Duration.ofHours(1));
        between("codeTtl", codeTtl, Duration.ofSeconds(1), Duration.ofSeconds(60));
        between("refreshTokenTtl", refreshTokenTtl, accessTokenTtl, Duration.ofDays(90));
        between("offlineRefreshTokenTtl", offlineRefreshTokenTtl, refreshTokenTtl, Duration.ofDays(365));
        between("loginSessionTtl", loginSessionTtl, Duration.ofMinutes(1), Duration.ofDays(30));
        if (!Set.of("ES256", "RS256").contains(signingAlgorithm)) {
            throw new IllegalArgumentException("signingAlgorithm must be ES256 or RS256, was " + signingAlgorithm);
        }
        Objects.requireNonNull(tokenExchange, "tokenExchange");
    }

    private static void between(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + d);
        }
    }

    static boolean isLoopback(String host) {
        return host != null && (host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1")
                || host.equals("localhost"));
    }

    /**
     * Secure defaults: no users or clients yet, dynamic registration and metadata documents on, 5-minute ES256
     * access tokens, 60-second codes, 8-hour refresh families, no offline access, no token exchange.
     */
    public static AuthServerConfig defaults(URI issuer, Set<String> resources) {
        return new AuthServerConfig(issuer, resources, Set.of(), Set.of(), List.of(), List.of(), null, true, true,
                false, Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofHours(8), Duration.ofDays(30),
                Duration.ofHours(8), "ES256", TokenExchangePolicy.none(), false, false);
    }

    public AuthServerConfig withScopes(Set<String> supported, Set<String> defaults) {
        return new AuthServerConfig(issuer, resources, supported, defaults, users, clients, upstream,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    public AuthServerConfig withUsers(List<BuiltInUser> u) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, u, clients, upstream,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    public AuthServerConfig withClients(List<StaticClient> c) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, c, upstream,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    public AuthServerConfig withUpstream(UpstreamProvider up, boolean allowHttp) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, clients, up,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                insecureAllowLoopbackClientMetadata, allowHttp);
    }

    public AuthServerConfig withRegistration(boolean dynamic, boolean metadataDocuments) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, clients, upstream,
                dynamic, metadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    public AuthServerConfig withOfflineAccess(boolean offline) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, clients, upstream,
                dynamicRegistration, clientMetadataDocuments, offline, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    public AuthServerConfig withAccessTokenTtl(Duration ttl) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, clients, upstream,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, ttl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    public AuthServerConfig withSigningAlgorithm(String alg) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, clients, upstream,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, alg, tokenExchange,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    public AuthServerConfig withTokenExchange(TokenExchangePolicy policy) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, clients, upstream,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, policy,
                insecureAllowLoopbackClientMetadata, insecureAllowHttpUpstream);
    }

    /** DEVELOPMENT ONLY: also accept client metadata documents served from loopback addresses. */
    public AuthServerConfig withInsecureAllowLoopbackClientMetadata(boolean allow) {
        return new AuthServerConfig(issuer, resources, scopesSupported, defaultScopes, users, clients, upstream,
                dynamicRegistration, clientMetadataDocuments, offlineAccess, accessTokenTtl, codeTtl,
                refreshTokenTtl, offlineRefreshTokenTtl, loginSessionTtl, signingAlgorithm, tokenExchange,
                allow, insecureAllowHttpUpstream);
    }

    /** Whether the issuer is served over https (cookies then get {@code Secure} and the {@code __Host-} prefix). */
    public boolean secureTransport() {
        return "https".equals(issuer.getScheme());
    }

    /** An endpoint URL under the issuer. */
    public URI endpoint(String path) {
        return URI.create(issuer + path);
    }
}
