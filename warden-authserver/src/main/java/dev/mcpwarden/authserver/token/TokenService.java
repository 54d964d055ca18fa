package dev.mcpwarden.authserver.token;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.SecretHash;
import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.store.CodeGrant;
import dev.mcpwarden.authserver.store.CodeRedemption;
import dev.mcpwarden.authserver.store.Grant;
import dev.mcpwarden.authserver.store.RefreshRotation;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import dev.mcpwarden.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * The grants of the token endpoint: authorization code (with PKCE S256, single use, bound to client, redirect URI
 * and resource), refresh token (rotated on every use; reuse revokes the family), client credentials (confidential
 * clients) and token exchange (RFC 8693, only as the policy allows).
 */
public final class TokenService {

    public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Claims copied from a subject token into an exchanged token: everything but what the server sets. */
    private static final Set<String> NOT_COPIED = Set.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti",
            "client_id", "scope", "act");

    /**
     * What the token service needs to know of the configuration.
     *
     * @param resources  resources tokens may be issued for
     * @param refreshTtl refresh family lifetime
     * @param offlineTtl refresh family lifetime with offline_access
     * @param exchange   who may exchange what for what
     * @param clientRetention how long a dynamically registered client is kept after the last token issued to it
     */
    public record Settings(Set<String> resources, Duration refreshTtl, Duration offlineTtl, ExchangeRule exchange,
                           Duration clientRetention) {
    }

    /** Whether {@code client} may exchange a token for {@code source} into one for {@code target}. */
    @FunctionalInterface
    public interface ExchangeRule {
        boolean allows(String client, String source, String target);
    }

    private final AuthStore store;
    private final AccessTokens tokens;
    private final Settings settings;
    private final InstantSource clock;

    public TokenService(AuthStore store, AccessTokens tokens, Settings settings, InstantSource clock) {
        this.store = store;
        this.tokens = tokens;
        this.settings = settings;
        this.clock = clock;
    }

    /** Handles one token request from an authenticated client. */
    public ObjectNode handle(Client client, Map<String, String> form) throws TokenError {
        String grantType = form.get("grant_type");
        if (grantType == null) {
            throw TokenError.invalidRequest("grant_type is required");
        }
        if (!client.grantTypes().contains(grantType) && StaticGrants.KNOWN.contains(grantType)) {
            throw TokenError.unauthorizedClient("this client may not use the " + grantType + " grant");
        }
        return switch (grantType) {
            case "authorization_code" -> authorizationCode(client, form);
            case "refresh_token" -> refresh(client, form);
            case "client_credentials" -> clientCredentials(client, form);
            case TOKEN_EXCHANGE -> exchange(client, form);
            default -> throw new TokenError(400, "unsupported_grant_type", "grant_type " + clip(grantType)
                    + " is not supported");
        };
    }

    private static final class StaticGrants {
        static final Set<String> KNOWN = Set.of("authorization_code", "refresh_token", "client_credentials",
                TOKEN_EXCHANGE);
    }

    private ObjectNode authorizationCode(Client client, Map<String, String> form) throws TokenError {
        String code = form.get("code");
        if (code == null || code.isEmpty()) {
            throw TokenError.invalidRequest("code is required");
        }
        String codeHash = SecretHash.sha256(code);
        // the client, redirect URI, PKCE and resource are checked before the code is used up: whoever intercepted
        // the code but is not its client (or lacks the verifier) is refused without breaking the real client's
        // exchange, and a replay by them revokes nothing
        CodeGrant presented = store.peekCode(codeHash)
                .orElseThrow(() -> TokenError.invalidGrant("authorization code is invalid or expired"));
        checkPresentation(client, form, presented);
        CodeGrant g = switch (store.redeemCode(codeHash, clock.instant())) {
            case CodeRedemption.Redeemed r -> r.grant();
            case CodeRedemption.Replayed r -> {
                store.revokeGrant(r.grant().grantId());
                throw TokenError.invalidGrant("authorization code was already used; the tokens issued for it "
                        + "are revoked");
            }
            case CodeRedemption.Invalid i -> throw TokenError.invalidGrant("authorization code is invalid or expired");
        };
        boolean offline = g.scopes().contains("offline_access");
        Instant now = clock.instant();
        Grant grant = new Grant(g.grantId(), client.id(), g.subject(), g.scopes(), g.resource(), g.claims(),
                now.plus(offline ? settings.offlineTtl() : settings.refreshTtl()));
        String refresh = client.grantTypes().contains("refresh_token") ? randomToken() : null;
        store.putGrant(grant, refresh == null ? null : SecretHash.sha256(refresh));
        store.extendClient(client.id(), now.plus(settings.clientRetention()), now); // in use: kept
        return issue(grant, g.scopes(), refresh);
    }

    /** Refuses unless this client, with this redirect URI, verifier and resource, may redeem the code {@code g}. */
    private static void checkPresentation(Client client, Map<String, String> form, CodeGrant g) throws TokenError {
        if (!g.clientId().equals(client.id())) {
            throw TokenError.invalidGrant("authorization code was issued to another client");
        }
        String redirect = form.get("redirect_uri");
        if (g.redirectUriGiven() ? !g.redirectUri().equals(redirect)
                : redirect != null && !redirect.equals(g.redirectUri())) {
            throw TokenError.invalidGrant("redirect_uri does not match the authorization request");
        }
        String verifier = form.get("code_verifier");
        if (verifier == null) {
            throw TokenError.invalidGrant("code_verifier is required (PKCE)");
        }
        if (!pkceMatches(verifier, g.codeChallenge())) {
            throw TokenError.invalidGrant("code_verifier does not match the code_challenge");
        }
        String resource = form.get("resource");
        if (resource != null && !resource.equals(g.resource())) {
            throw TokenError.invalidTarget("resource does not match the authorization request");
        }
    }

    static boolean pkceMatches(String verifier, String challenge) {
        try {
            String computed = CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier(verifier)).getValue();
            return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                    challenge.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return false; // not 43-128 unreserved characters
        }
    }

    private ObjectNode refresh(Client client, Map<String, String> form) throws TokenError {
        String presented = form.get("refresh_token");
        if (presented == null || presented.isEmpty()) {
            throw TokenError.invalidRequest("refresh_token is required");
        }
        String hash = SecretHash.sha256(presented);
        Instant now = clock.instant();
        Grant known = store.grantByRefresh(hash, now)
                .orElseThrow(() -> TokenError.invalidGrant("refresh token is invalid, expired or revoked"));
        if (!known.clientId().equals(client.id())) {
            throw TokenError.invalidGrant("refresh token was issued to another client");
        }
        String resource = form.get("resource");
        if (resource != null && !resource.equals(known.resource())) {
            throw TokenError.invalidTarget("resource does not match the original grant");
        }
        Set<String> scopes = known.scopes();
        if (form.get("scope") != null) {
            scopes = scopes(form.get("scope"));
            if (!known.scopes().containsAll(scopes)) {
                throw TokenError.invalidScope("scope exceeds the original grant");
            }
        }
        String next = randomToken();
        Grant grant = switch (store.rotateRefresh(hash, SecretHash.sha256(next), now)) {
            case RefreshRotation.Rotated r -> r.grant();
            case RefreshRotation.Reused r -> throw TokenError.invalidGrant(
                    "refresh token was already used; the whole token family is revoked");
            case RefreshRotation.Invalid i -> throw TokenError.invalidGrant(
                    "refresh token is invalid, expired or revoked");
        };
        store.extendClient(client.id(), now.plus(settings.clientRetention()), now);
        return issue(grant, scopes, next);
    }

    private ObjectNode clientCredentials(Client client, Map<String, String> form) throws TokenError {
        if (client.isPublic()) {
            throw TokenError.unauthorizedClient("public clients may not use client_credentials");
        }
        String resource = requireResource(form.get("resource"));
        Set<String> scopes = form.get("scope") == null ? client.scopes() : scopes(form.get("scope"));
        if (!client.scopes().containsAll(scopes)) {
            throw TokenError.invalidScope("scope is not allowed for this client");
        }
        AccessTokens.Minted t = tokens.mint(client.id(), client.id(), resource, scopes, Map.of(), null);
        return response(t, null);
    }

    private ObjectNode exchange(Client client, Map<String, String> form) throws TokenError {
        if (client.isPublic()) {
            throw TokenError.unauthorizedClient("public clients may not exchange tokens");
        }
        String subjectToken = form.get("subject_token");
        if (subjectToken == null || subjectToken.isEmpty()) {
            throw TokenError.invalidRequest("subject_token is required");
        }
        if (!ACCESS_TOKEN_TYPE.equals(form.get("subject_token_type"))) {
            throw TokenError.invalidRequest("subject_token_type must be " + ACCESS_TOKEN_TYPE);
        }
        if (form.get("actor_token") != null) {
            throw TokenError.invalidRequest("actor_token is not supported");
        }
        String requested = form.get("requested_token_type");
        if (requested != null && !requested.equals(ACCESS_TOKEN_TYPE)) {
            throw TokenError.invalidRequest("requested_token_type must be " + ACCESS_TOKEN_TYPE);
        }
        JWTClaimsSet subject = tokens.verify(subjectToken)
                .filter(c -> !store.isAccessTokenRevoked(c.getJWTID()))
                .orElseThrow(() -> TokenError.invalidGrant("subject_token is invalid, expired or revoked"));
        String target = form.get("resource") != null ? form.get("resource") : form.get("audience");
        if (target == null) {
            throw TokenError.invalidRequest("resource or audience is required");
        }
        if (form.get("resource") != null && form.get("audience") != null
                && !form.get("resource").equals(form.get("audience"))) {
            throw TokenError.invalidTarget("resource and audience name different targets");
        }
        String source = subject.getAudience().size() == 1 ? subject.getAudience().get(0) : null;
        if (source == null || !settings.exchange().allows(client.id(), source, target)) {
            throw TokenError.invalidTarget("this client may not exchange tokens for " + clip(source) + " into "
                    + clip(target));
        }
        Set<String> held = scopes((String) subject.getClaim("scope"));
        Set<String> scopes = form.get("scope") == null ? held : scopes(form.get("scope"));
        if (!held.containsAll(scopes)) {
            throw TokenError.invalidScope("scope exceeds the subject token's scope");
        }
        Map<String, Object> claims = new HashMap<>();
        subject.getClaims().forEach((k, v) -> {
            if (!NOT_COPIED.contains(k) && v != null) {
                claims.put(k, v instanceof java.util.Date d ? d.getTime() / 1000 : v);
            }
        });
        Map<String, Object> act = new LinkedHashMap<>();
        act.put("sub", client.id());
        if (subject.getClaim("act") instanceof Map<?, ?> prior) {
            act.put("act", prior); // the chain of earlier actors (RFC 8693 §4.1)
        }
        // never outlives its subject token, so a chain of exchanges cannot renew a token for ever; recorded under
        // the subject token's grant, so revoking the grant (or a replayed code or refresh token) revokes it too
        AccessTokens.Minted t = tokens.mint(subject.getSubject(), client.id(), target, scopes, claims, act,
                subject.getExpirationTime().toInstant());
        store.grantOfAccessToken(subject.getJWTID(), clock.instant())
                .ifPresent(grantId -> store.recordAccessToken(grantId, t.jti(), t.expiresAt()));
        ObjectNode out = response(t, null);
        out.put("issued_token_type", ACCESS_TOKEN_TYPE);
        return out;
    }

    private String requireResource(String resource) throws TokenError {
        if (resource == null) {
            throw TokenError.invalidTarget("resource is required (RFC 8707)");
        }
        if (!settings.resources().contains(resource)) {
            throw TokenError.invalidTarget("resource is not served by this authorization server");
        }
        return resource;
    }

    private ObjectNode issue(Grant grant, Set<String> scopes, String refresh) {
        AccessTokens.Minted t = tokens.mint(grant.subject(), grant.clientId(), grant.resource(), scopes,
                grant.claims(), null);
        store.recordAccessToken(grant.id(), t.jti(), t.expiresAt());
        return response(t, refresh);
    }

    private ObjectNode response(AccessTokens.Minted t, String refresh) {
        ObjectNode out = Json.object();
        out.put("access_token", t.token());
        out.put("token_type", "Bearer");
        // rounded up: a token minted a moment ago for 300 s still says 300
        out.put("expires_in", Math.max(0, (Duration.between(clock.instant(), t.expiresAt()).toMillis() + 999) / 1000));
        if (!t.scopes().isEmpty()) {
            out.put("scope", String.join(" ", new TreeSet<>(t.scopes())));
        }
        if (refresh != null) {
            out.put("refresh_token", refresh);
        }
        return out;
    }

    /** Handles a revocation request (RFC 7009): unknown tokens and other clients' tokens are silently ignored. */
    public void revoke(Client client, Map<String, String> form) throws TokenError {
        String token = form.get("token");
        if (token == null || token.isEmpty()) {
            throw TokenError.invalidRequest("token is required");
        }
        Instant now = clock.instant();
        var grant = store.grantByRefresh(SecretHash.sha256(token), now);
        if (grant.isPresent()) {
            if (grant.get().clientId().equals(client.id())) {
                store.revokeGrant(grant.get().id());
            }
            return;
        }
        tokens.verify(token).ifPresent(c -> {
            if (client.id().equals(c.getClaim("client_id"))) {
                store.revokeAccessToken(c.getJWTID(), c.getExpirationTime().toInstant());
            }
        });
    }

    /**
     * Answers an introspection request (RFC 7662) from an authenticated resource server: the claims of a live
     * access token this server issued, or only {@code "active": false} for anything else (unknown, malformed,
     * expired, revoked, a refresh token, or a token for none of {@code audiences}: the resources the asking resource
     * server may learn about), so the answer tells nothing about why.
     */
    public ObjectNode introspect(Map<String, String> form, Set<String> audiences) throws TokenError {
        String token = form.get("token");
        if (token == null || token.isEmpty()) {
            throw TokenError.invalidRequest("token is required");
        }
        Optional<JWTClaimsSet> claims = tokens.verify(token)
                .filter(c -> c.getAudience() != null && c.getAudience().stream().anyMatch(audiences::contains))
                .filter(c -> !store.isAccessTokenRevoked(c.getJWTID()));
        if (claims.isEmpty()) {
            ObjectNode inactive = Json.object();
            inactive.put("active", false);
            return inactive;
        }
        JWTClaimsSet c = claims.get();
        TokenIntrospectionSuccessResponse.Builder b = new TokenIntrospectionSuccessResponse.Builder(true)
                .tokenType(AccessTokenType.BEARER)
                .issuer(new Issuer(c.getIssuer()))
                .subject(new Subject(c.getSubject()))
                .audience(c.getAudience().stream().map(Audience::new).toList())
                .expirationTime(c.getExpirationTime())
                .issueTime(c.getIssueTime())
                .jwtID(new JWTID(c.getJWTID()));
        if (c.getClaim("client_id") instanceof String id) {
            b.clientID(new ClientID(id));
        }
        if (c.getClaim("scope") instanceof String sc) {
            b.scope(Scope.parse(sc));
        }
        c.getClaims().forEach((k, v) -> {
            if (!INTROSPECTION_SET.contains(k) && v != null) {
                b.parameter(k, v instanceof java.util.Date d ? d.getTime() / 1000 : v);
            }
        });
        return (ObjectNode) Json.standard().parse(b.build().toJSONObject().toJSONString());
    }

    /** Members the introspection response sets itself. */
    private static final Set<String> INTROSPECTION_SET = Set.of("active", "iss", "sub", "aud", "exp", "iat", "nbf",
            "jti", "client_id", "scope", "token_type", "username");

    static Set<String> scopes(String scope) {
        Set<String> out = new TreeSet<>();
        if (scope != null) {
            for (String s : scope.trim().split(" +")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** A fresh 256-bit random token (codes, refresh tokens, session ids). */
    public static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    private static String clip(String s) {
        return s == null ? "(none)" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
