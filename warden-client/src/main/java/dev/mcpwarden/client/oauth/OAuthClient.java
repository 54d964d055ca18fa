package dev.mcpwarden.client.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.JWTBearerGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.JWTAuthenticationClaimsSet;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.client.ClientInformation;
import com.nimbusds.oauth2.sdk.client.ClientInformationResponse;
import com.nimbusds.oauth2.sdk.client.ClientMetadata;
import com.nimbusds.oauth2.sdk.client.ClientRegistrationErrorResponse;
import com.nimbusds.oauth2.sdk.client.ClientRegistrationRequest;
import com.nimbusds.oauth2.sdk.client.ClientRegistrationResponse;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.mcpwarden.client.HttpAuthorization;
import dev.mcpwarden.client.McpClientException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An OAuth 2.1 client of the authorization server that protects an MCP server, as the MCP authorization
 * specification has it; give it to {@link dev.mcpwarden.client.McpClient.Builder#authorization}. On a 401 it
 * discovers the protected resource metadata (RFC 9728; from the challenge's {@code resource_metadata}, else the
 * well-known URLs) and refuses metadata for another resource; discovers the authorization server (RFC 8414 and
 * OpenID Connect, path-insertion variants) and refuses metadata naming another issuer; registers (pre-registered
 * credentials, a Client ID Metadata Document URL, or dynamic registration, per issuer); and obtains a token: by the
 * authorization code flow with PKCE S256, {@code state}, the RFC 8707 {@code resource} (the metadata's, byte for
 * byte) and the RFC 9207 {@code iss} check, or by client credentials, a JWT bearer assertion, or an enterprise IdP's
 * ID-JAG. Scopes come from the challenge, else the resource's {@code scopes_supported}, else none; a 403
 * {@code insufficient_scope} asks again for the union of the scopes held and required, once per new scope set.
 * Tokens are refreshed before they expire and when refused; DPoP-bound when the server supports it.
 *
 * <pre>{@code
 * OAuthClient oauth = OAuthClient.authorizationCode(URI.create("http://127.0.0.1:8400/callback"), userAgent)
 *         .clientMetadataDocument(URI.create("https://gateway.example.com/oauth/client.json"))
 *         .build();
 * McpClient client = McpClient.http(upstream).authorization(oauth).build();
 * }</pre>
 *
 * <p>Tokens and secrets never appear in messages or exceptions. Safe for concurrent use.
 */
public final class OAuthClient implements HttpAuthorization {

    /** How the client authenticates at the token endpoint (RFC 7591 names). */
    public enum AuthMethod {
        /** HTTP Basic with the client id and secret. */
        CLIENT_SECRET_BASIC("client_secret_basic"),
        /** Client id and secret in the form body. */
        CLIENT_SECRET_POST("client_secret_post"),
        /** A public client: only {@code client_id}. */
        NONE("none"),
        /** A JWT signed with the client's private key (RFC 7523). */
        PRIVATE_KEY_JWT("private_key_jwt");

        private final String wire;

        AuthMethod(String wire) {
            this.wire = wire;
        }

        /** The RFC 7591 name, such as {@code client_secret_basic}. */
        public String wire() {
            return wire;
        }

        static Optional<AuthMethod> of(String wire) {
            return Arrays.stream(values()).filter(m -> m.wire.equals(wire)).findFirst();
        }
    }

    /**
     * A client registered at an authorization server.
     *
     * @param secret the client secret, for the {@code client_secret_*} methods
     */
    public record Registration(String clientId, Optional<String> secret, AuthMethod method) {
        public Registration {
            if (clientId == null || clientId.isBlank()) {
                throw new IllegalArgumentException("a registration needs a client id");
            }
            Objects.requireNonNull(secret, "secret");
            Objects.requireNonNull(method, "method");
            if ((method == AuthMethod.CLIENT_SECRET_BASIC || method == AuthMethod.CLIENT_SECRET_POST)
                    && secret.isEmpty()) {
                throw new IllegalArgumentException(method.wire() + " needs a client secret");
            }
        }

        @Override
        public String toString() { // never the secret
            return "Registration[" + clientId + ", " + method.wire() + "]";
        }
    }

    /** How tokens are obtained. */
    enum Flow { AUTHORIZATION_CODE, CLIENT_CREDENTIALS, JWT_BEARER, ID_JAG }

    /** An enterprise IdP that exchanges the user's ID token for an ID-JAG (SEP-990, RFC 8693). */
    record IdentityProvider(URI tokenEndpoint, Registration client, Supplier<String> idToken) {
    }

    /** The token held: for which server and resource, with which scopes, until when. */
    private record Tokens(String access, boolean dpop, RefreshToken refresh, Instant expiresAt, String issuer,
                          String resource, Set<String> scopes) {
    }

    /** Refreshed this long before the token's expiry, so no request carries a token about to lapse. */
    static final Duration EARLY = Duration.ofSeconds(30);
    private static final int MAX_ISSUERS = 32;
    private static final String INSUFFICIENT_SCOPE = "insufficient_scope";
    private static final String USE_DPOP_NONCE = "use_dpop_nonce";
    private static final TokenTypeURI ID_JAG = tokenType("urn:ietf:params:oauth:token-type:id-jag");

    private final Flow flow;
    private final URI redirectUri;
    private final UserAgent userAgent;
    private final Registration preRegistered;
    private final String preRegisteredIssuer;
    private final URI clientMetadataDocument;
    private final boolean dynamicRegistration;
    private final String clientName;
    private final PrivateKey signingKey;
    private final JWSAlgorithm signingAlgorithm;
    private final Supplier<String> assertion;
    private final IdentityProvider identityProvider;
    private final boolean dpopAllowed;
    private final Transport transport;
    private final Discovery discovery;

    private final ReentrantLock lock = new ReentrantLock();
    /** Registrations by issuer, never shared across issuers; bounded, oldest forgotten first. */
    private final Map<String, Registration> registrations = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Registration> eldest) {
            return size() > MAX_ISSUERS;
        }
    };
    private volatile Tokens tokens;
    private volatile Discovery.ServerMetadata server;
    /** Scopes asked for last: a step-up adds to them, and asking again for the same set is pointless. */
    private Set<String> asked = Set.of();
    private DefaultDPoPProofFactory dpop;
    private volatile String resourceNonce;
    private String serverNonce;

    private OAuthClient(Builder b) {
        this.flow = b.flow;
        this.redirectUri = b.redirectUri;
        this.userAgent = b.userAgent;
        this.preRegistered = b.preRegistered;
        this.preRegisteredIssuer = b.preRegisteredIssuer;
        this.clientMetadataDocument = b.clientMetadataDocument;
        this.dynamicRegistration = b.dynamicRegistration;
        this.clientName = b.clientName;
        this.signingKey = b.signingKey;
        this.signingAlgorithm = b.signingAlgorithm;
        this.assertion = b.assertion;
        this.identityProvider = b.identityProvider;
        this.dpopAllowed = b.dpop;
        this.transport = new Transport(b.timeout);
        this.discovery = new Discovery(transport);
    }

    /**
     * A client for the authorization code flow: the user approves through {@code userAgent}, which returns the
     * redirect to {@code redirectUri}.
     */
    public static Builder authorizationCode(URI redirectUri, UserAgent userAgent) {
        Builder b = new Builder(Flow.AUTHORIZATION_CODE);
        b.redirectUri = absolute(redirectUri, "redirectUri");
        b.userAgent = Objects.requireNonNull(userAgent, "userAgent");
        return b;
    }

    /** A service client (client credentials grant) with its pre-registered credentials. */
    public static Builder clientCredentials(Registration client) {
        Builder b = new Builder(Flow.CLIENT_CREDENTIALS);
        b.preRegistered = Objects.requireNonNull(client, "client");
        return b;
    }

    /**
     * A workload presenting a JWT its platform issued (RFC 7523 {@code jwt-bearer} grant; workload identity
     * federation), asked of {@code assertion} each time a token is needed.
     */
    public static Builder jwtBearer(Registration client, Supplier<String> assertion) {
        Builder b = new Builder(Flow.JWT_BEARER);
        b.preRegistered = Objects.requireNonNull(client, "client");
        b.assertion = Objects.requireNonNull(assertion, "assertion");
        return b;
    }

    /**
     * Enterprise-managed authorization (SEP-990): the user's ID token from {@code idToken} is exchanged at the
     * enterprise IdP's token endpoint for an ID-JAG for this server's authorization server (RFC 8693), which is
     * then presented as a {@code jwt-bearer} assertion with the {@code client} credentials.
     */
    public static Builder enterprise(Registration client, URI idpTokenEndpoint, Registration idpClient,
                                     Supplier<String> idToken) {
        Builder b = new Builder(Flow.ID_JAG);
        b.preRegistered = Objects.requireNonNull(client, "client");
        b.identityProvider = new IdentityProvider(absolute(idpTokenEndpoint, "idpTokenEndpoint"),
                Objects.requireNonNull(idpClient, "idpClient"), Objects.requireNonNull(idToken, "idToken"));
        return b;
    }

    // ---- HttpAuthorization

    @Override
    public Map<String, String> headers(String httpMethod, URI uri) throws McpClientException {
        Tokens t = tokens;
        if (t == null) {
            return Map.of(); // the first request goes without, and its 401 says where to get a token
        }
        if (t.expiresAt() != null && Instant.now().isAfter(t.expiresAt().minus(EARLY)) && t.refresh() != null) {
            lock.lock();
            try {
                if (tokens == t) {
                    refresh(t);
                }
            } catch (OAuthException e) {
                tokens = null; // the server answers 401 and a new authorization follows
            } finally {
                lock.unlock();
            }
            t = tokens;
            if (t == null) {
                return Map.of();
            }
        }
        if (!t.dpop()) {
            return Map.of("Authorization", "Bearer " + t.access());
        }
        try {
            String proof = dpop.createDPoPJWT(httpMethod, uri, new com.nimbusds.oauth2.sdk.token.DPoPAccessToken(
                    t.access()), resourceNonce == null ? null : new Nonce(resourceNonce)).serialize();
            return Map.of("Authorization", "DPoP " + t.access(), "DPoP", proof);
        } catch (JOSEException e) {
            throw McpClientException.credentials("cannot sign a DPoP proof: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean retry(HttpAuthorization.Challenge refused) throws McpClientException {
        lock.lock();
        try {
            return obtain(refused);
        } catch (OAuthException e) {
            throw McpClientException.credentials("no token for " + refused.uri() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Drops the tokens held (the user signed out, the grant was revoked); the next 401 authorizes anew. */
    public void forget() {
        lock.lock();
        try {
            tokens = null;
            asked = Set.of();
        } finally {
            lock.unlock();
        }
    }

    // ---- the flows

    private boolean obtain(HttpAuthorization.Challenge refused) throws OAuthException {
        Optional<AuthChallenge> c = AuthChallenge.oauth(refused.wwwAuthenticate());
        Optional<String> error = c.flatMap(x -> x.param("error"));
        Set<String> required = c.flatMap(x -> x.param("scope")).map(OAuthClient::scopes).orElse(Set.of());
        Tokens held = tokens;
        if (refused.status() == 401 && error.filter(USE_DPOP_NONCE::equals).isPresent()) {
            String nonce = refused.headers().get("dpop-nonce");
            if (held == null || !held.dpop() || nonce == null || nonce.equals(resourceNonce)) {
                return false;
            }
            resourceNonce = nonce;
            return true;
        }
        Set<String> wanted;
        if (refused.status() == 403) {
            if (error.filter(INSUFFICIENT_SCOPE::equals).isEmpty() || required.isEmpty()
                    || asked.containsAll(required)) {
                return false; // not a matter of scope, or asking again for the same scopes cannot help
            }
            wanted = new LinkedHashSet<>(asked);
            wanted.addAll(required); // keep what was granted: a step-up must not lose the scopes already in use
        } else if (refused.status() == 401) {
            wanted = null;
        } else {
            return false;
        }
        Optional<URI> metadataUrl = c.flatMap(x -> x.param("resource_metadata")).flatMap(OAuthClient::parseUri);
        Discovery.ProtectedResource prm = discovery.protectedResource(refused.uri(), metadataUrl);
        if (prm.authorizationServers().isEmpty()) {
            throw new OAuthException("the protected resource metadata at " + prm.location()
                    + " names no authorization server");
        }
        String issuer = prm.authorizationServers().getFirst();
        Discovery.ServerMetadata md = discovery.serverMetadata(issuer);
        if (held != null && !held.issuer().equals(issuer)) {
            tokens = null; // the resource moved to another server: nothing of the old one is presented there
            held = null;
            asked = Set.of();
        }
        if (wanted == null) {
            if (held != null && held.refresh() != null) {
                try {
                    refresh(held);
                    return true;
                } catch (OAuthException e) {
                    tokens = null; // refused: authorize anew
                }
            }
            wanted = !required.isEmpty() ? required : new LinkedHashSet<>(prm.scopesSupported());
        }
        server = md;
        authorize(md, prm, wanted);
        return true;
    }

    private void authorize(Discovery.ServerMetadata md, Discovery.ProtectedResource prm, Set<String> wanted)
            throws OAuthException {
        if (md.tokenEndpoint() == null) {
            throw new OAuthException("the authorization server " + md.issuer() + " has no token endpoint");
        }
        URI resource = URI.create(prm.resource());
        Set<String> scopes = new LinkedHashSet<>(wanted);
        asked = Set.copyOf(scopes);
        switch (flow) {
            case AUTHORIZATION_CODE -> {
                if (!scopes.isEmpty() && md.scopesSupported().contains("offline_access")) {
                    scopes.add("offline_access"); // a refresh token, so the user is not asked again each hour
                }
                authorizationCode(md, resource, scopes);
            }
            case CLIENT_CREDENTIALS -> tokens = token(md, preRegistered, new ClientCredentialsGrant(), resource,
                    scopes);
            case JWT_BEARER -> tokens = token(md, preRegistered, jwtBearer(assertion.get(), "the workload's JWT"),
                    resource, scopes);
            case ID_JAG -> {
                String jag = idJag(md, resource, scopes);
                tokens = token(md, preRegistered, jwtBearer(jag, "the ID-JAG"), resource, scopes);
            }
        }
    }

    private void authorizationCode(Discovery.ServerMetadata md, URI resource, Set<String> scopes)
            throws OAuthException {
        if (md.authorizationEndpoint() == null) {
            throw new OAuthException("the authorization server " + md.issuer() + " has no authorization endpoint");
        }
        if (!md.challengeMethods().contains("S256")) {
            // MCP: without advertised S256 support the client cannot know PKCE protects the code
            throw new OAuthException("the authorization server " + md.issuer() + " does not advertise PKCE S256");
        }
        Registration reg = registration(md);
        CodeVerifier verifier = new CodeVerifier();
        State state = new State();
        AuthorizationRequest.Builder ab = new AuthorizationRequest.Builder(ResponseType.CODE,
                new ClientID(reg.clientId())).endpointURI(md.authorizationEndpoint()).redirectionURI(redirectUri)
                .state(state).codeChallenge(verifier, CodeChallengeMethod.S256).resource(resource);
        if (!scopes.isEmpty()) {
            ab.scope(new Scope(scopes.toArray(String[]::new)));
        }
        URI back;
        try {
            back = userAgent.authorize(ab.build().toURI(), redirectUri);
        } catch (OAuthException e) {
            throw e;
        } catch (Exception e) {
            throw new OAuthException("the authorization at " + md.issuer() + " did not complete: " + e.getMessage(),
                    e);
        }
        AuthorizationResponse answer;
        try {
            answer = AuthorizationResponse.parse(back);
        } catch (ParseException e) {
            throw new OAuthException("the authorization response is malformed: " + e.getMessage(), e);
        }
        // RFC 9207 first: an answer from another server (mix-up) is not even looked at further
        String iss = answer.getIssuer() == null ? null : answer.getIssuer().getValue();
        if (iss != null && !iss.equals(md.issuer())) {
            throw new OAuthException("the authorization response names the issuer \"" + iss + "\", not "
                    + md.issuer() + " (RFC 9207)");
        }
        if (iss == null && md.issParameterSupported()) {
            throw new OAuthException("the authorization response from " + md.issuer() + " has no iss parameter,"
                    + " which the server advertises (RFC 9207)");
        }
        if (!state.equals(answer.getState())) {
            throw new OAuthException("the authorization response's state does not match the request's");
        }
        if (answer instanceof AuthorizationErrorResponse err) {
            throw new OAuthException("the authorization server refused: " + err.getErrorObject().getCode());
        }
        AuthorizationGrant grant = new AuthorizationCodeGrant(answer.toSuccessResponse().getAuthorizationCode(),
                redirectUri, verifier);
        tokens = token(md, reg, grant, resource, null);
    }

    private String idJag(Discovery.ServerMetadata md, URI resource, Set<String> scopes) throws OAuthException {
        IdentityProvider idp = identityProvider;
        TokenExchangeGrant grant = new TokenExchangeGrant(new TypelessToken(idp.idToken().get()),
                TokenTypeURI.ID_TOKEN, null, null, ID_JAG, List.of(new Audience(md.issuer())));
        TokenRequest.Builder tb = builder(idp.tokenEndpoint(), idp.client(), grant, md.issuer()).resource(resource);
        if (!scopes.isEmpty()) {
            tb.scope(new Scope(scopes.toArray(String[]::new)));
        }
        AccessTokenResponse ok = send(tb.build().toHTTPRequest(), "the identity provider", false);
        return ok.getTokens().getAccessToken().getValue();
    }

    private void refresh(Tokens t) throws OAuthException {
        Discovery.ServerMetadata md = server;
        Registration reg = registrations.get(t.issuer());
        if (md == null || !md.issuer().equals(t.issuer()) || reg == null && flow != Flow.AUTHORIZATION_CODE) {
            reg = preRegistered;
        }
        if (md == null || reg == null) {
            throw new OAuthException("nothing to refresh with");
        }
        Tokens fresh = token(md, reg, new RefreshTokenGrant(t.refresh()), URI.create(t.resource()), null);
        // a server that does not rotate refresh tokens gives none back: the old one stays valid
        tokens = fresh.refresh() != null ? fresh : new Tokens(fresh.access(), fresh.dpop(), t.refresh(),
                fresh.expiresAt(), fresh.issuer(), fresh.resource(), fresh.scopes());
    }

    // ---- registration

    private Registration registration(Discovery.ServerMetadata md) throws OAuthException {
        Registration r = registrations.get(md.issuer());
        if (r != null) {
            return r;
        }
        if (preRegistered != null && (preRegisteredIssuer == null || preRegisteredIssuer.equals(md.issuer()))) {
            r = preRegistered;
        } else if (clientMetadataDocument != null && md.clientMetadataDocumentSupported()) {
            r = new Registration(clientMetadataDocument.toString(), Optional.empty(), AuthMethod.NONE);
        } else if (md.registrationEndpoint() != null && dynamicRegistration) {
            r = register(md);
        } else {
            throw new OAuthException("cannot register at " + md.issuer() + ": no pre-registered client for it, no"
                    + " client metadata document it accepts, and no dynamic registration");
        }
        registrations.put(md.issuer(), r);
        return r;
    }

    private Registration register(Discovery.ServerMetadata md) throws OAuthException {
        AuthMethod method = preferredMethod(md.authMethods());
        ClientMetadata meta = new ClientMetadata();
        meta.setRedirectionURI(redirectUri);
        meta.setGrantTypes(Set.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN));
        meta.setResponseTypes(Set.of(ResponseType.CODE));
        meta.setTokenEndpointAuthMethod(new ClientAuthenticationMethod(method.wire()));
        meta.setName(clientName);
        meta.setCustomField("application_type", loopback(redirectUri) ? "native" : "web");
        HTTPResponse r = exchange(new ClientRegistrationRequest(md.registrationEndpoint(), meta, null)
                .toHTTPRequest(), "the registration endpoint");
        ClientRegistrationResponse parsed;
        try {
            parsed = ClientRegistrationResponse.parse(r);
        } catch (ParseException e) {
            throw new OAuthException("the registration answer of " + md.issuer() + " is malformed: "
                    + e.getMessage(), e);
        }
        if (parsed instanceof ClientRegistrationErrorResponse err) {
            throw new OAuthException("the registration at " + md.issuer() + " was refused: "
                    + err.getErrorObject().getCode());
        }
        ClientInformation info = ((ClientInformationResponse) parsed).getClientInformation();
        Optional<String> secret = Optional.ofNullable(info.getSecret()).map(Secret::getValue);
        AuthMethod granted = Optional.ofNullable(info.getMetadata().getTokenEndpointAuthMethod())
                .flatMap(m -> AuthMethod.of(m.getValue())).orElse(method);
        if ((granted == AuthMethod.CLIENT_SECRET_BASIC || granted == AuthMethod.CLIENT_SECRET_POST)
                && secret.isEmpty()) {
            granted = AuthMethod.NONE;
        }
        return new Registration(info.getID().getValue(), secret, granted);
    }

    /** The method asked for at registration: the strongest the server lists (RFC 8414's default is basic). */
    static AuthMethod preferredMethod(List<String> supported) {
        if (supported.isEmpty()) {
            return AuthMethod.CLIENT_SECRET_BASIC;
        }
        for (AuthMethod m : List.of(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST, AuthMethod.NONE)) {
            if (supported.contains(m.wire())) {
                return m;
            }
        }
        return AuthMethod.NONE;
    }

    // ---- the token endpoint

    private Tokens token(Discovery.ServerMetadata md, Registration reg, AuthorizationGrant grant, URI resource,
                         Set<String> scopes) throws OAuthException {
        TokenRequest.Builder tb = builder(md.tokenEndpoint(), reg, grant, md.issuer()).resource(resource);
        if (scopes != null && !scopes.isEmpty()) {
            tb.scope(new Scope(scopes.toArray(String[]::new)));
        }
        boolean bind = dpopAllowed && md.dpopAlgorithms().contains("ES256");
        AccessTokenResponse ok = send(tb.build().toHTTPRequest(), "the token endpoint of " + md.issuer(), bind);
        AccessToken at = ok.getTokens().getAccessToken();
        long lifetime = at.getLifetime();
        Set<String> granted = at.getScope() != null ? Set.copyOf(at.getScope().toStringList())
                : scopes == null ? asked : Set.copyOf(scopes);
        return new Tokens(at.getValue(), AccessTokenType.DPOP.equals(at.getType()),
                ok.getTokens().getRefreshToken(), lifetime > 0 ? Instant.now().plusSeconds(lifetime) : null,
                md.issuer(), resource.toString(), granted);
    }

    private TokenRequest.Builder builder(URI endpoint, Registration reg, AuthorizationGrant grant, String audience)
            throws OAuthException {
        ClientID id = new ClientID(reg.clientId());
        return switch (reg.method()) {
            case CLIENT_SECRET_BASIC -> new TokenRequest.Builder(endpoint,
                    new ClientSecretBasic(id, new Secret(reg.secret().orElseThrow())), grant);
            case CLIENT_SECRET_POST -> new TokenRequest.Builder(endpoint,
                    new ClientSecretPost(id, new Secret(reg.secret().orElseThrow())), grant);
            case NONE -> new TokenRequest.Builder(endpoint, id, grant);
            case PRIVATE_KEY_JWT -> new TokenRequest.Builder(endpoint, privateKeyJwt(id, audience), grant);
        };
    }

    private ClientAuthentication privateKeyJwt(ClientID id, String audience) throws OAuthException {
        if (signingKey == null) {
            throw new OAuthException("private_key_jwt needs a signing key (Builder.signingKey)");
        }
        try {
            // aud is the issuer (RFC 7523 §3 allows it; the MCP extension asks for it), not the token endpoint
            return new PrivateKeyJWT(new JWTAuthenticationClaimsSet(id, new Audience(audience)), signingAlgorithm,
                    signingKey, null, null);
        } catch (JOSEException e) {
            throw new OAuthException("cannot sign the client assertion: " + e.getMessage(), e);
        }
    }

    private static JWTBearerGrant jwtBearer(String jwt, String what) throws OAuthException {
        try {
            return new JWTBearerGrant(SignedJWT.parse(jwt));
        } catch (java.text.ParseException | RuntimeException e) {
            throw new OAuthException(what + " is not a signed JWT");
        }
    }

    /** Sends a token request (with a DPoP proof when {@code bind}; once more with the nonce a server asks for). */
    private AccessTokenResponse send(HTTPRequest request, String what, boolean bind) throws OAuthException {
        HTTPResponse r = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            if (bind) {
                request.setDPoP(proof(request, serverNonce));
            }
            r = exchange(request, what);
            String nonce = r.getHeaderValue("DPoP-Nonce");
            if (bind && r.getStatusCode() == 400 && nonce != null && !nonce.equals(serverNonce)
                    && r.getBody() != null && r.getBody().contains(USE_DPOP_NONCE)) {
                serverNonce = nonce;
                continue;
            }
            break;
        }
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(r);
        } catch (ParseException e) {
            throw new OAuthException(what + " answered HTTP " + r.getStatusCode() + " with no token response", e);
        }
        if (parsed instanceof TokenErrorResponse err) {
            throw new OAuthException(what + " refused: " + err.getErrorObject().getCode()
                    + Optional.ofNullable(err.getErrorObject().getDescription()).map(d -> " (" + d + ")").orElse(""));
        }
        return parsed.toSuccessResponse();
    }

    private SignedJWT proof(HTTPRequest request, String nonce) throws OAuthException {
        try {
            if (dpop == null) {
                ECKey key = new ECKeyGenerator(Curve.P_256).generate(); // one key per client: tokens are bound to it
                dpop = new DefaultDPoPProofFactory(key, JWSAlgorithm.ES256);
            }
            return dpop.createDPoPJWT(request.getMethod().name(), request.getURI(),
                    nonce == null ? null : new Nonce(nonce));
        } catch (JOSEException e) {
            throw new OAuthException("cannot sign a DPoP proof: " + e.getMessage(), e);
        }
    }

    private HTTPResponse exchange(HTTPRequest request, String what) throws OAuthException {
        try {
            return transport.send(request);
        } catch (IOException | IllegalArgumentException e) {
            throw new OAuthException("cannot reach " + what + ": " + e.getMessage(), e);
        }
    }

    // ---- helpers

    static Set<String> scopes(String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : value.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static Optional<URI> parseUri(String s) {
        try {
            URI u = URI.create(s);
            return u.getScheme() != null && u.getHost() != null ? Optional.of(u) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean loopback(URI u) {
        String host = u.getHost() == null ? "" : u.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return (host.matches("[0-9.]+") || host.startsWith("[")) && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static URI absolute(URI u, String what) {
        Objects.requireNonNull(u, what);
        if (u.getScheme() == null || u.getHost() == null) {
            throw new IllegalArgumentException(what + " must be an absolute URL, was " + u);
        }
        return u;
    }

    private static TokenTypeURI tokenType(String uri) {
        try {
            return TokenTypeURI.parse(uri);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options of an {@link OAuthClient}. */
    public static final class Builder {
        private final Flow flow;
        URI redirectUri;
        UserAgent userAgent;
        Registration preRegistered;
        String preRegisteredIssuer;
        URI clientMetadataDocument;
        boolean dynamicRegistration = true;
        String clientName = "Warden";
        PrivateKey signingKey;
        JWSAlgorithm signingAlgorithm = JWSAlgorithm.ES256;
        Supplier<String> assertion;
        IdentityProvider identityProvider;
        boolean dpop = true;
        Duration timeout = Duration.ofSeconds(10);

        private Builder(Flow flow) {
            this.flow = flow;
        }

        /**
         * Credentials registered beforehand with the authorization server {@code issuer} (null: any server the
         * resource names); used there instead of a metadata document or dynamic registration.
         */
        public Builder preRegistered(Registration client, String issuer) {
            this.preRegistered = Objects.requireNonNull(client, "client");
            this.preRegisteredIssuer = issuer;
            return this;
        }

        /**
         * The HTTPS URL of this client's Client ID Metadata Document, used as its {@code client_id} at servers that
         * advertise {@code client_id_metadata_document_supported}.
         */
        public Builder clientMetadataDocument(URI url) {
            this.clientMetadataDocument = absolute(url, "clientMetadataDocument");
            return this;
        }

        /** Whether to register dynamically (RFC 7591) where nothing else identifies the client; default true. */
        public Builder dynamicRegistration(boolean allowed) {
            this.dynamicRegistration = allowed;
            return this;
        }

        /** The {@code client_name} sent at dynamic registration; default {@code Warden}. */
        public Builder clientName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a client name must not be blank");
            }
            this.clientName = name;
            return this;
        }

        /** The key that signs {@code private_key_jwt} client assertions, and its algorithm (default ES256). */
        public Builder signingKey(PrivateKey key, String algorithm) {
            this.signingKey = Objects.requireNonNull(key, "key");
            this.signingAlgorithm = JWSAlgorithm.parse(Objects.requireNonNull(algorithm, "algorithm"));
            return this;
        }

        /** Whether tokens are DPoP-bound (RFC 9449, ES256) where the server supports it; default true. */
        public Builder dpop(boolean allowed) {
            this.dpop = allowed;
            return this;
        }

        /** Time allowed for each request to an authorization server; default 10 s. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public OAuthClient build() {
            if (preRegistered != null && preRegistered.method() == AuthMethod.PRIVATE_KEY_JWT && signingKey == null) {
                throw new IllegalStateException("private_key_jwt needs a signing key (signingKey)");
            }
            return new OAuthClient(this);
        }
    }
}
