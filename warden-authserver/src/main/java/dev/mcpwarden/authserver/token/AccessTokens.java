package dev.mcpwarden.authserver.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * JWT access tokens in the RFC 9068 profile: header {@code typ: at+jwt}; claims {@code iss}, {@code sub},
 * {@code aud} (the one resource), {@code client_id}, {@code scope}, {@code iat}, {@code exp}, {@code jti}, plus the
 * user's configured claims.
 */
public final class AccessTokens {

    static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

    /** A signed token and what the store must remember about it. */
    public record Minted(String token, String jti, Instant expiresAt, Set<String> scopes) {
    }

    private final String issuer;
    private final SigningKeys keys;
    private final Duration ttl;
    private final InstantSource clock;

    public AccessTokens(String issuer, SigningKeys keys, Duration ttl, InstantSource clock) {
        this.issuer = issuer;
        this.keys = keys;
        this.ttl = ttl;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * Signs a token.
     *
     * @param act the RFC 8693 actor claim, or null
     */
    public Minted mint(String subject, String clientId, String audience, Set<String> scopes,
                       Map<String, Object> claims, Map<String, Object> act) {
        return mint(subject, clientId, audience, scopes, claims, act, null);
    }

    /**
     * Signs a token that expires after the usual lifetime or at {@code notAfter}, whichever comes first.
     *
     * @param act      the RFC 8693 actor claim, or null
     * @param notAfter the latest expiry (an exchanged token's subject token's), or null
     */
    public Minted mint(String subject, String clientId, String audience, Set<String> scopes,
                       Map<String, Object> claims, Map<String, Object> act, Instant notAfter) {
        Instant now = clock.instant();
        Instant exp = now.plus(ttl);
        if (notAfter != null && notAfter.isBefore(exp)) {
            exp = notAfter;
        }
        String jti = UUID.randomUUID().toString();
        JWTClaimsSet.Builder c = new JWTClaimsSet.Builder();
        claims.forEach(c::claim);
        c.issuer(issuer).subject(subject).audience(audience).claim("client_id", clientId)
                .issueTime(Date.from(now)).expirationTime(Date.from(exp)).jwtID(jti);
        if (!scopes.isEmpty()) {
            c.claim("scope", String.join(" ", new TreeSet<>(scopes)));
        }
        if (act != null) {
            c.claim("act", act);
        }
        JWK key = keys.current();
        JWSHeader header = new JWSHeader.Builder(keys.algorithm()).type(AT_JWT).keyID(key.getKeyID()).build();
        SignedJWT jwt = new SignedJWT(header, c.build());
        try {
            JWSSigner signer = key.getKeyType().getValue().equals("EC")
                    ? new ECDSASigner(key.toECKey()) : new RSASSASigner(key.toRSAKey());
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
        return new Minted(jwt.serialize(), jti, exp, Set.copyOf(scopes));
    }

    /** The claims of a token this server issued and that is still valid (signature, issuer, type, expiry). */
    public Optional<JWTClaimsSet> verify(String token) {
        try {
            DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
            p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(AT_JWT));
            p.setJWSKeySelector(new JWSVerificationKeySelector<>(keys.algorithm(),
                    new ImmutableJWKSet<>(keys.publicKeys())));
            DefaultJWTClaimsVerifier<SecurityContext> v = new DefaultJWTClaimsVerifier<>(null,
                    new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp", "jti", "aud")) {
                @Override
                protected Date currentTime() {
                    return Date.from(clock.instant());
                }
            };
            v.setMaxClockSkew(0);
            p.setJWTClaimsSetVerifier(v);
            return Optional.of(p.process(SignedJWT.parse(token), null));
        } catch (java.text.ParseException | com.nimbusds.jose.proc.BadJOSEException | JOSEException e) {
            return Optional.empty();
        }
    }
}
