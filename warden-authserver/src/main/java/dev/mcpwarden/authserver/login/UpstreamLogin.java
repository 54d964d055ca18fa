package dev.mcpwarden.authserver.login;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.mcpwarden.authserver.client.SecretHash;
import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.store.UpstreamState;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in at an upstream OpenID provider, the OAuth-proxy shape: Warden is one client there (a static client id), runs
 * the code flow with PKCE S256, {@code state} and {@code nonce}, validates the ID token (signature from the
 * provider's keys, issuer, audience, expiry, nonce) and keeps only the identity. The upstream's tokens are dropped
 * here: they never reach an MCP client. Per-client consent in Warden stays in front of this (the confused-deputy
 * defence): the upstream sees only Warden, so its consent cookie says nothing about which MCP client asked.
 */
public final class UpstreamLogin {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamLogin.class);
    private static final Duration STATE_TTL = Duration.ofMinutes(10);
    private static final int TIMEOUT_MS = 5_000;

    /** The sign-in failed; the message is safe to show. */
    public static final class Failed extends Exception {
        public Failed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param issuer       the provider's issuer
     * @param clientId     Warden's client id there
     * @param clientSecret Warden's secret there
     * @param scopes       scopes to request
     * @param subjectClaim claim naming the local subject
     * @param copiedClaims claims copied into access tokens
     */
    public record Settings(URI issuer, String clientId, String clientSecret, Set<String> scopes,
                           String subjectClaim, Set<String> copiedClaims) {
    }

    private final Settings settings;
    private final URI callback;
    private final AuthStore store;
    private final InstantSource clock;
    private volatile OIDCProviderMetadata metadata;
    private volatile IDTokenValidator validator;

    public UpstreamLogin(Settings settings, URI callback, AuthStore store, InstantSource clock) {
        this.settings = settings;
        this.callback = callback;
        this.store = store;
        this.clock = clock;
    }

    /** Where to send the browser to sign in upstream for the pending request {@code pendingId}. */
    public URI start(String pendingId, String browserBinding) throws Failed {
        OIDCProviderMetadata m = metadata();
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        store.putUpstreamState(new UpstreamState(SecretHash.sha256(state.getValue()), pendingId, nonce.getValue(),
                verifier.getValue(), browserBinding, clock.instant().plus(STATE_TTL)));
        Set<String> scopes = new LinkedHashSet<>();
        scopes.add("openid");
        scopes.addAll(settings.scopes());
        return new AuthenticationRequest.Builder(new ResponseType(ResponseType.Value.CODE),
                new Scope(scopes.toArray(String[]::new)), new ClientID(settings.clientId()), callback)
                .endpointURI(m.getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build()
                .toURI();
    }

    /** The sign-in result: who signed in, and for which pending request. */
    public record Result(String pendingId, Identity identity) {
    }

    /** Completes the sign-in from the provider's redirect back to Warden. */
    public Result complete(Map<String, String> params, String browserBinding) throws Failed {
        String stateValue = params.get("state");
        UpstreamState s = stateValue == null ? null
                : store.takeUpstreamState(SecretHash.sha256(stateValue), clock.instant()).orElse(null);
        if (s == null) {
            throw new Failed("The sign-in has expired or was not started here. Return to the application and "
                    + "start again.");
        }
        if (browserBinding == null || !browserBinding.equals(s.browserBinding())) {
            throw new Failed("The sign-in was started in another browser.");
        }
        OIDCProviderMetadata m = metadata();
        String iss = params.get("iss");
        if (iss != null && !iss.equals(m.getIssuer().getValue())) {
            throw new Failed("The response came from an unexpected identity provider."); // RFC 9207 mix-up defence
        }
        if (params.get("error") != null) {
            throw new Failed("The identity provider did not sign you in (" + clip(params.get("error")) + ").");
        }
        String code = params.get("code");
        if (code == null) {
            throw new Failed("The identity provider sent no authorization code.");
        }
        JWT idToken = exchange(m, code, s.codeVerifier());
        IDTokenClaimsSet claims;
        try {
            claims = validator(m).validate(idToken, new Nonce(s.nonce()));
        } catch (Exception e) {
            LOG.warn("upstream ID token rejected: {}", e.getMessage());
            throw new Failed("The identity provider's ID token was not valid.");
        }
        Object subject = claims.getClaim(settings.subjectClaim());
        if (!(subject instanceof String sub) || sub.isBlank()) {
            throw new Failed("The identity provider did not say who you are (" + settings.subjectClaim()
                    + " missing).");
        }
        String flag = VERIFIED_BY.get(settings.subjectClaim());
        if (flag != null && !verified(claims.getClaim(flag))) {
            // anyone can put someone else's address in their upstream profile until the provider checks it
            LOG.warn("upstream sign-in refused: {} is not verified by the provider", settings.subjectClaim());
            throw new Failed("The identity provider has not verified your " + settings.subjectClaim() + ".");
        }
        Map<String, Object> copied = new HashMap<>();
        for (String c : settings.copiedClaims()) {
            Object v = claims.getClaim(c);
            String needs = VERIFIED_BY.get(c);
            if (v != null && (needs == null || verified(claims.getClaim(needs)))) {
                copied.put(c, v);
            }
        }
        return new Result(s.pendingId(), new Identity(subjectPrefix(settings.issuer()) + sub, copied));
    }

    /**
     * Claims a user can change at the provider that are only trustworthy once the provider says it verified them,
     * with the claim that says so (OpenID Connect Core §5.1).
     */
    static final Map<String, String> VERIFIED_BY = Map.of("email", "email_verified",
            "phone_number", "phone_number_verified");

    /** {@code true} as a JSON boolean, or the string {@code "true"} that some providers send. */
    private static boolean verified(Object flag) {
        return Boolean.TRUE.equals(flag) || "true".equals(flag);
    }

    /**
     * What every local subject of a user signed in at {@code issuer} starts with: the issuer and {@code #}. Upstream
     * identities thus never collide with built-in usernames (the configuration refuses usernames with this prefix)
     * nor with another provider's, and a user called {@code alice} upstream is not the local {@code alice}.
     */
    public static String subjectPrefix(URI issuer) {
        return issuer + "#";
    }

    private JWT exchange(OIDCProviderMetadata m, String code, String verifier) throws Failed {
        try {
            TokenRequest request = new TokenRequest(m.getTokenEndpointURI(),
                    new ClientSecretBasic(new ClientID(settings.clientId()), new Secret(settings.clientSecret())),
                    new AuthorizationCodeGrant(new AuthorizationCode(code), callback, new CodeVerifier(verifier)));
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(TIMEOUT_MS);
            http.setReadTimeout(TIMEOUT_MS);
            TokenResponse response = OIDCTokenResponseParser.parse(http.send());
            if (!response.indicatesSuccess()) {
                TokenErrorResponse error = response.toErrorResponse();
                LOG.warn("upstream token request refused: {}", error.getErrorObject().getCode());
                throw new Failed("The identity provider refused the sign-in.");
            }
            JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
            if (idToken == null) {
                throw new Failed("The identity provider sent no ID token.");
            }
            return idToken; // the upstream access and refresh tokens are deliberately dropped here
        } catch (Failed f) {
            throw f;
        } catch (Exception e) {
            LOG.warn("upstream token request failed: {}", e.toString());
            throw new Failed("The identity provider could not be reached.");
        }
    }

    private OIDCProviderMetadata metadata() throws Failed {
        OIDCProviderMetadata m = metadata;
        if (m == null) {
            try {
                m = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), TIMEOUT_MS, TIMEOUT_MS);
            } catch (Exception e) {
                LOG.warn("upstream discovery of {} failed: {}", settings.issuer(), e.toString());
                throw new Failed("The identity provider could not be reached.");
            }
            metadata = m;
        }
        return m;
    }

    private IDTokenValidator validator(OIDCProviderMetadata m) throws Exception {
        IDTokenValidator v = validator;
        if (v == null) {
            var keys = JWKSourceBuilder.<SecurityContext>create(m.getJWKSetURI().toURL()).build();
            v = new IDTokenValidator(m.getIssuer(), new ClientID(settings.clientId()),
                    new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256,
                            JWSAlgorithm.PS256), keys), null);
            v.setMaxClockSkew(60);
            validator = v;
        }
        return v;
    }

    private static String clip(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_.-]", "");
        return t.length() > 40 ? t.substring(0, 40) : t;
    }
}
