package dev.mcpwarden.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An issuer for tests: an RSA signing key, its public JWKS, and tokens minted with any claims, including the
 * malformed and hostile ones attack tests need.
 */
public final class TestTokens {

    private final String issuer;
    private final RSAKey key;

    private TestTokens(String issuer, RSAKey key) {
        this.issuer = issuer;
        this.key = key;
    }

    public static TestTokens issuer(String issuer) {
        return new TestTokens(issuer, newKey("k-" + Long.toHexString(System.nanoTime())));
    }

    public static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String issuer() {
        return issuer;
    }

    public RSAKey key() {
        return key;
    }

    /** The public key set, as an issuer would publish it. */
    public JWKSet publicJwks() {
        return new JWKSet(key.toPublicJWK());
    }

    public String publicJwksJson() {
        return publicJwks().toString(true);
    }

    /** Claims a valid token for {@code audience} carries, for {@code subject} with {@code scope}. */
    public Map<String, Object> claims(String subject, String audience, String scope) {
        Map<String, Object> c = new LinkedHashMap<>();
        long now = Instant.now().getEpochSecond();
        c.put("iss", issuer);
        c.put("sub", subject);
        c.put("aud", audience);
        c.put("iat", now);
        c.put("exp", now + 300);
        c.put("client_id", "test-client");
        if (scope != null) {
            c.put("scope", scope);
        }
        return c;
    }

    /** A token signed with this issuer's key ({@code typ: at+jwt}). Null claim values are left out. */
    public String sign(Map<String, Object> claims) {
        return sign(claims, key, new JOSEObjectType("at+jwt"));
    }

    public static String sign(Map<String, Object> claims, RSAKey with, JOSEObjectType type) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
                    .type(type).build(), claimsSet(claims));
            jwt.sign(new RSASSASigner(with));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token ({@code alg: none}). */
    public static String unsigned(Map<String, Object> claims) {
        return new PlainJWT(claimsSet(claims)).serialize();
    }

    /** HS256 with this issuer's public key bytes as the secret: the algorithm-confusion attack. */
    public String hmacWithPublicKey(Map<String, Object> claims) {
        try {
            byte[] secret = key.toPublicJWK().toRSAPublicKey().getEncoded();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                    claimsSet(claims));
            jwt.sign(new MACSigner(java.util.Arrays.copyOf(secret, Math.max(secret.length, 32))));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A validly signed token whose payload was then altered (the signature no longer matches). */
    public String tampered(Map<String, Object> claims) {
        String[] parts = sign(claims).split("\\.");
        Map<String, Object> changed = new LinkedHashMap<>(claims);
        changed.put("scope", "admin tickets:read tickets:write");
        String payload = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claimsSet(changed).toString().getBytes(StandardCharsets.UTF_8));
        return parts[0] + "." + payload + "." + parts[2];
    }

    /** A token signed by {@code attackerKey} that embeds that key in its own {@code jwk} header. */
    public String withEmbeddedJwk(Map<String, Object> claims, RSAKey attackerKey) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .jwk(attackerKey.toPublicJWK()).type(new JOSEObjectType("at+jwt")).build(), claimsSet(claims));
            jwt.sign(new RSASSASigner(attackerKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static JWTClaimsSet claimsSet(Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach((k, v) -> {
            if (v == null) {
                return;
            }
            switch (k) {
                case "exp", "nbf", "iat" -> b.claim(k, new Date(((Number) v).longValue() * 1000));
                case "aud" -> b.audience(v instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                        : List.of(String.valueOf(v)));
                default -> b.claim(k, v);
            }
        });
        return b.build();
    }
}
