package dev.mcpwarden.authserver;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientKind;
import dev.mcpwarden.authserver.client.ClientMetadataDocuments;
import dev.mcpwarden.authserver.client.ClientRegistrar;
import dev.mcpwarden.authserver.client.Clients;
import dev.mcpwarden.authserver.http.AuthHandler;
import dev.mcpwarden.authserver.http.Settings;
import dev.mcpwarden.authserver.login.BuiltInUsers;
import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.authserver.login.UpstreamLogin;
import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.store.InMemoryAuthStore;
import dev.mcpwarden.authserver.token.AccessTokens;
import dev.mcpwarden.authserver.token.ClientAuthenticator;
import dev.mcpwarden.authserver.token.SigningKeys;
import dev.mcpwarden.authserver.token.TokenService;
import dev.mcpwarden.security.guard.HostResolver;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warden's embedded OAuth 2.1 authorization server for MCP clients.
 *
 * <p>It issues RFC 9068 JWT access tokens for the configured resources only (the {@code resource} parameter is
 * required and becomes {@code aud}), with the authorization code grant and mandatory PKCE S256, rotating refresh
 * tokens with reuse detection, client credentials for confidential clients and policy-bound token exchange. Clients
 * are pre-registered, register themselves (RFC 7591), or are identified by a Client ID Metadata Document. Users sign in
 * with built-in passwords (Argon2id) or at an upstream OpenID provider, and approve each client on a consent page
 * before any code is issued.
 *
 * <pre>{@code
 * AuthServerConfig config = AuthServerConfig.defaults(URI.create("https://login.example.com"),
 *                 Set.of("https://mcp.example.com/mcp"))
 *         .withScopes(Set.of("tickets:read"), Set.of("tickets:read"))
 *         .withUsers(List.of(BuiltInUser.of("alice", PasswordHash.hash(password))));
 * AuthorizationServer as = AuthorizationServer.builder(config).build();
 * as.handler();            // mount beside the MCP endpoint, or:
 * as.start("0.0.0.0", 9000);
 * }</pre>
 */
public final class AuthorizationServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationServer.class);

    private final AuthServerConfig config;
    private final AuthStore store;
    private final InstantSource clock;
    private final SigningKeys keys;
    private final AccessTokens accessTokens;
    private final BuiltInUsers users;
    private final AuthHandler handler;
    private final String metadata;
    private final ScheduledExecutorService sweeper;
    private final Duration keyRotation;
    private volatile Server jetty;
    private volatile ServerConnector connector;

    private AuthorizationServer(Builder b) {
        this.config = b.config;
        this.store = b.store;
        this.clock = b.clock;
        Duration retention = config.accessTokenTtl().plus(Duration.ofMinutes(2));
        this.keys = new SigningKeys(JWSAlgorithm.parse(config.signingAlgorithm()), clock, retention, b.signingKey);
        this.accessTokens = new AccessTokens(config.issuer().toString(), keys, config.accessTokenTtl(), clock);
        Map<String, BuiltInUsers.Account> accounts = new HashMap<>();
        config.users().forEach(u -> accounts.put(u.username(), new BuiltInUsers.Account(u.passwordHash(), u.claims())));
        this.users = new BuiltInUsers(accounts, b.hashingGate);
        for (StaticClient c : config.clients()) {
            store.putClient(new Client(c.clientId(), c.name(), c.redirectUris(), ClientKind.PRE_REGISTERED,
                    c.secretHash(), c.grantTypes(), c.scopes(), "web"));
        }
        ClientMetadataDocuments documents = config.clientMetadataDocuments()
                ? new ClientMetadataDocuments(config.insecureAllowLoopbackClientMetadata(), b.loopbackTls,
                b.resolver, clock)
                : null;
        Clients clients = new Clients(store, documents, clock);
        TokenService tokens = new TokenService(store, accessTokens, new TokenService.Settings(config.resources(),
                config.refreshTokenTtl(),
                config.offlineRefreshTokenTtl(), config.tokenExchange()::allows, b.limits.clientRetention()), clock);
        UpstreamLogin upstream = null;
        if (config.upstream() != null) {
            UpstreamProvider u = config.upstream();
            upstream = new UpstreamLogin(new UpstreamLogin.Settings(u.issuer(), u.clientId(), u.clientSecret(),
                    u.scopes(), u.subjectClaim(), u.copiedClaims()), config.endpoint("/login/callback"), store, clock);
        }
        this.metadata = metadataDocument(config);
        this.handler = new AuthHandler(new Settings(config.issuer(), store, clients,
                config.dynamicRegistration() ? new ClientRegistrar(store, clock, b.limits.unusedClientTtl()) : null,
                tokens, new ClientAuthenticator(clients, b.loginAttempts, b.hashingGate, clock), users, upstream,
                config.upstream() == null ? null : config.upstream().displayName(), config.resources(),
                config.scopesSupported(), config.defaultScopes(), config.offlineAccess(), config.codeTtl(),
                config.loginSessionTtl(), keys::publicKeys, metadata, clock, b.loginAttempts, b.limits,
                b.rateLimiter, config.clients().stream().filter(c -> !c.introspects().isEmpty()).collect(
                        java.util.stream.Collectors.toMap(StaticClient::clientId, StaticClient::introspects))));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("warden-as-sweep")
                .factory());
        this.keyRotation = b.keyRotation;
        sweeper.scheduleWithFixedDelay(this::maintain, 1, 1, TimeUnit.MINUTES);
        warnAboutInsecureOptions(config);
    }

    /** Starts describing an authorization server with {@code config}. */
    public static Builder builder(AuthServerConfig config) {
        return new Builder(config);
    }

    /** Builds an {@link AuthorizationServer}. */
    public static final class Builder {
        private final AuthServerConfig config;
        private AuthStore store = new InMemoryAuthStore();
        private LoginAttempts loginAttempts;
        private dev.mcpwarden.authserver.login.HashingGate hashingGate;
        private AuthServerLimits limits = AuthServerLimits.defaults();
        private RateLimiter rateLimiter;
        private InstantSource clock = InstantSource.system();
        private HostResolver resolver = HostResolver.system();
        private SSLContext loopbackTls;
        private Duration keyRotation = Duration.ofDays(30);
        private com.nimbusds.jose.jwk.JWK signingKey;

        private Builder(AuthServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Where state is kept; in memory by default (one process only). */
        public Builder store(AuthStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Where failed sign-ins and client-secret checks are counted (per user name, remote address, pending
         * request and client id: {@link LoginAttempts.Budget}); this process's memory by default. Replicas behind one
         * load balancer must share one (e.g. {@code RedisStores.loginAttempts()} in warden-redis): with separate
         * counts an attacker gets the free guesses and the blocks once per replica.
         */
        public Builder loginAttempts(LoginAttempts attempts) {
            this.loginAttempts = Objects.requireNonNull(attempts, "attempts");
            return this;
        }

        /**
         * How many slow password and client-secret hashes (Argon2id) may run at once, and how long a check waits
         * for a slot before it is refused (429 at /login, 503 at /token, with {@code Retry-After}); by default half
         * the processors (at least one) and 100 ms, so a flood of sign-ins leaves the rest to the MCP endpoint.
         */
        public Builder passwordHashing(int concurrency, Duration maxWait) {
            return passwordHashing(new dev.mcpwarden.authserver.login.HashingGate(concurrency, maxWait));
        }

        /** The same with a gate of one's own (shared with another server of this process, or held by a test). */
        public Builder passwordHashing(dev.mcpwarden.authserver.login.HashingGate gate) {
            this.hashingGate = Objects.requireNonNull(gate, "gate");
            return this;
        }

        /** The quotas and lifetimes of state anonymous callers create; {@link AuthServerLimits#defaults()}. */
        public Builder limits(AuthServerLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Where the quotas of {@link #limits} are counted: this process's memory by default (10,000 addresses).
         * Replicas share one (e.g. warden-redis's {@code RedisRateLimiter}), or each replica grants the quotas
         * once more.
         */
        public Builder rateLimiter(RateLimiter limiter) {
            this.rateLimiter = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The DNS resolver the SSRF guard of metadata document fetches uses. */
        public Builder hostResolver(HostResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Trust for https metadata documents on loopback addresses; only used together with
         * {@link AuthServerConfig#insecureAllowLoopbackClientMetadata()} (development and tests).
         */
        public Builder loopbackClientMetadataTls(SSLContext tls) {
            this.loopbackTls = tls;
            return this;
        }

        /**
         * The private key to sign with at first (a JWK with a {@code kid}, EC P-256 for ES256 or RSA for RS256), so
         * that tokens survive restarts and another process with the same key (e.g. {@code warden token}) mints
         * tokens this server's resources accept. By default a fresh key is generated at start.
         */
        public Builder signingKey(com.nimbusds.jose.jwk.JWK key) {
            this.signingKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** How long one signing key signs before the next takes over (checked every minute); 30 days by default. */
        public Builder signingKeyRotation(Duration period) {
            if (period.compareTo(Duration.ofMinutes(10)) < 0) {
                throw new IllegalArgumentException("signingKeyRotation must be at least 10 minutes, was " + period);
            }
            this.keyRotation = period;
            return this;
        }

        public AuthorizationServer build() {
            if (loginAttempts == null) {
                loginAttempts = LoginAttempts.inMemory(); // one per server, never shared by accident
            }
            if (hashingGate == null) {
                hashingGate = dev.mcpwarden.authserver.login.HashingGate.forThisMachine();
            }
            if (rateLimiter == null) {
                rateLimiter = new LocalRateLimiter(10_000, clock);
            }
            return new AuthorizationServer(this);
        }
    }

    private static void warnAboutInsecureOptions(AuthServerConfig c) {
        if (c.insecureAllowLoopbackClientMetadata()) {
            LOG.warn("INSECURE: insecureAllowLoopbackClientMetadata is on: client metadata documents are fetched "
                    + "from loopback addresses too (development only)");
        }
        if (c.insecureAllowHttpUpstream() && c.upstream() != null && !c.upstream().isHttps()) {
            LOG.warn("INSECURE: insecureAllowHttpUpstream is on: the upstream provider {} is reached over plain "
                    + "http (development only)", c.upstream().issuer());
        }
        if (!c.secureTransport()) {
            LOG.info("Issuer {} is plain http on loopback: cookies are not Secure and are named warden-loopback-*",
                    c.issuer());
        }
        if (c.users().isEmpty() && c.upstream() == null) {
            LOG.warn("No users and no upstream provider are configured: nobody can sign in");
        }
    }

    private static String metadataDocument(AuthServerConfig c) {
        AuthorizationServerMetadata m = new AuthorizationServerMetadata(new Issuer(c.issuer()));
        m.setAuthorizationEndpointURI(c.endpoint("/authorize"));
        m.setTokenEndpointURI(c.endpoint("/token"));
        if (c.dynamicRegistration()) {
            m.setRegistrationEndpointURI(c.endpoint("/register"));
        }
        m.setRevocationEndpointURI(c.endpoint("/revoke"));
        m.setIntrospectionEndpointURI(c.endpoint("/introspect"));
        m.setJWKSetURI(c.endpoint("/jwks"));
        m.setResponseTypes(List.of(ResponseType.CODE));
        m.setResponseModes(List.of(ResponseMode.QUERY));
        List<GrantType> grants = new ArrayList<>(List.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN));
        if (c.clients().stream().anyMatch(cl -> cl.grantTypes().contains("client_credentials"))) {
            grants.add(GrantType.CLIENT_CREDENTIALS);
        }
        if (!c.tokenExchange().clients().isEmpty()) {
            grants.add(GrantType.TOKEN_EXCHANGE);
        }
        m.setGrantTypes(grants);
        m.setCodeChallengeMethods(List.of(CodeChallengeMethod.S256));
        List<ClientAuthenticationMethod> methods = List.of(ClientAuthenticationMethod.NONE,
                ClientAuthenticationMethod.CLIENT_SECRET_BASIC, ClientAuthenticationMethod.CLIENT_SECRET_POST);
        m.setTokenEndpointAuthMethods(methods);
        m.setRevocationEndpointAuthMethods(methods);
        m.setIntrospectionEndpointAuthMethods(List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
                ClientAuthenticationMethod.CLIENT_SECRET_POST));
        Set<String> scopes = new TreeSet<>(c.scopesSupported());
        if (c.offlineAccess()) {
            scopes.add("offline_access");
        }
        if (!scopes.isEmpty()) {
            m.setScopes(new Scope(scopes.toArray(String[]::new)));
        }
        m.setSupportsAuthorizationResponseIssuerParam(true);
        m.setCustomParameter("client_id_metadata_document_supported", c.clientMetadataDocuments());
        m.setCustomParameter("resource_indicators_supported", true);
        // re-serialized with Jackson: json-smart escapes every '/' in the URLs, which is valid but hard to read
        return dev.mcpwarden.core.json.Json.standard().text(dev.mcpwarden.core.json.Json.standard()
                .parse(m.toJSONObject().toJSONString()));
    }

    /** Periodic upkeep: forget expired state, rotate the signing key when due. */
    void maintain() {
        try {
            store.sweep(clock.instant());
            if (keys.rotateIfOlderThan(keyRotation)) {
                LOG.info("signing key rotated (every {})", keyRotation);
            }
        } catch (RuntimeException e) {
            LOG.error("authorization server upkeep failed", e);
        }
    }

    /** The Jetty handler serving every endpoint; it declines (returns false) paths it does not own. */
    public Handler handler() {
        return handler;
    }

    /** The paths the handler serves, for mounting beside other endpoints on the same origin. */
    public List<String> paths() {
        return AuthHandler.PATHS;
    }

    public URI issuer() {
        return config.issuer();
    }

    public AuthServerConfig config() {
        return config;
    }

    /** The RFC 8414 metadata document, also served as OpenID discovery. */
    public String metadata() {
        return metadata;
    }

    /** The public signing keys (current and not yet expired retired ones), as published at /jwks. */
    public JWKSet publicKeys() {
        return keys.publicKeys();
    }

    /** Signs new tokens with a fresh key; the old public key stays published until its tokens have expired. */
    public void rotateSigningKey() {
        keys.rotate();
        LOG.info("signing key rotated");
    }

    /**
     * Mints an access token without any flow, for development ({@code warden token}): subject {@code user}, client
     * {@code clientId}, the given scopes, for {@code resource} (which must be configured). A built-in user's
     * configured claims are included.
     */
    public String devToken(String user, String clientId, Set<String> scopes, String resource) {
        if (!config.resources().contains(resource)) {
            throw new IllegalArgumentException("resource " + resource + " is not configured; configured: "
                    + config.resources());
        }
        Set<String> unknown = new TreeSet<>(scopes);
        unknown.removeAll(config.scopesSupported());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("scopes " + unknown + " are not in scopesSupported "
                    + config.scopesSupported());
        }
        return accessTokens.mint(user, clientId, resource, scopes, users.claimsOf(user), null).token();
    }

    /** Runs the server on its own Jetty (virtual threads); port 0 picks a free one. */
    public AuthorizationServer start(String host, int port) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("warden-as");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("warden-as-", 0).factory()));
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
        c.setHost(host);
        c.setPort(port);
        server.addConnector(c);
        server.setHandler(new Handler.Sequence(handler, new NotFound()));
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the authorization server on " + host + ":" + port
                    + ": " + e.getMessage(), e);
        }
        this.jetty = server;
        this.connector = c;
        LOG.info("authorization server {} listening on {}:{}", config.issuer(), host, c.getLocalPort());
        return this;
    }

    /** The port of the standalone server. */
    public int port() {
        if (connector == null) {
            throw new IllegalStateException("not started standalone");
        }
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        Server s = jetty;
        if (s != null) {
            try {
                s.stop();
            } catch (Exception e) {
                LOG.warn("error stopping the authorization server", e);
            }
        }
    }

    /** Answers 404 for paths the authorization server does not serve. */
    private static final class NotFound extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Response.writeError(request, response, callback, 404);
            return true;
        }
    }
}
