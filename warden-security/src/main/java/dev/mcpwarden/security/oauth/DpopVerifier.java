package dev.mcpwarden.security.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.security.replay.ReplayCache;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Set;

/**
 * Checks DPoP proofs (RFC 9449 §4.3 and §7): a {@code dpop+jwt} signed with an allowed asymmetric algorithm by the
 * public key in its own header, for this request's method and this resource, recent, never seen before
 * ({@code jti}), hashing the access token it accompanies ({@code ath}), carrying a nonce we issued when nonces are
 * required, and made with the key the token is bound to ({@code cnf.jkt}). "Never seen" is as wide as the
 * {@link ReplayCache}: this process by default, every replica when they share one.
 */
final class DpopVerifier {

    /**
     * Why a proof failed; {@code useNonce} asks the client to retry with the nonce we send; {@code unavailable}
     * means the proof could not be checked (the shared replay cache is down), not that the client erred.
     */
    record Failure(String description, boolean useNonce, boolean unavailable, long retryAfterSeconds) {
        Failure(String description, boolean useNonce) {
            this(description, useNonce, false, 0);
        }

        Failure(String description, boolean useNonce, boolean unavailable) {
            this(description, useNonce, unavailable, 0);
        }

        /** The key's share of the replay cache is spent: 429, retry after that many seconds. */
        boolean limited() {
            return retryAfterSeconds > 0;
        }
    }

    /** Keys whose proofs are counted at once (bound on the counters themselves). */
    private static final int COUNTED_KEYS = 100_000;

    static final String REPLAYED = "the DPoP proof was already used";

    private static final JOSEObjectType DPOP_JWT = new JOSEObjectType("dpop+jwt");

    private final Dpop config;
    private final Set<JWSAlgorithm> algorithms;
    private final String resource;
    private final InstantSource clock;
    private final ReplayCache seen;
    private final Duration remembered;
    private final DpopNonces nonces;
    private final int proofsPerKey;
    /** Proofs recorded per key thumbprint in the current window (which starts at the key's first proof). */
    private final com.github.benmanes.caffeine.cache.Cache<String, java.util.concurrent.atomic.AtomicInteger> perKey;

    DpopVerifier(Dpop config, Set<JWSAlgorithm> algorithms, String resource, InstantSource clock) {
        this(config, algorithms, resource, clock, ReplayCache.inMemory());
    }

    DpopVerifier(Dpop config, Set<JWSAlgorithm> algorithms, String resource, InstantSource clock, ReplayCache seen) {
        this(config, algorithms, resource, clock, seen, config.proofsPerKey());
    }

    DpopVerifier(Dpop config, Set<JWSAlgorithm> algorithms, String resource, InstantSource clock, ReplayCache seen,
                 int proofsPerKey) {
        this.proofsPerKey = proofsPerKey;
        this.perKey = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumSize(COUNTED_KEYS)
                .expireAfterWrite(config.proofWindow().multipliedBy(2))
                .build();
        this.config = config;
        this.algorithms = algorithms;
        this.resource = strip(resource);
        this.clock = clock;
        this.seen = java.util.Objects.requireNonNull(seen, "replay cache");
        // a proof is accepted while its iat is within the window either side of now, so one received at the
        // earliest (iat - window) stays acceptable until iat + window: two windows later
        this.remembered = config.proofWindow().multipliedBy(2);
        this.nonces = new DpopNonces(config.nonceSecret().map(k -> k.reveal().getBytes(StandardCharsets.UTF_8))
                .orElse(null), this.resource, clock);
    }

    Dpop config() {
        return config;
    }

    /**
     * The nonce clients must use now. Nonces are stateless (see {@link DpopNonces}): good for five to ten minutes,
     * on every replica holding the same {@link Dpop#nonceSecret()}.
     */
    String currentNonce() {
        return nonces.current();
    }

    /** Null when the proof is good for this request and token, otherwise why not. */
    Failure check(String proof, String method, String accessToken, Map<String, Object> tokenClaims) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(proof);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return new Failure("the DPoP proof is not a signed JWT", false);
        }
        if (!DPOP_JWT.equals(jwt.getHeader().getType())) {
            return new Failure("the DPoP proof must have typ dpop+jwt", false);
        }
        if (!algorithms.contains(jwt.getHeader().getAlgorithm())) {
            return new Failure("the DPoP proof's algorithm is not allowed", false);
        }
        JWK key = jwt.getHeader().getJWK();
        if (!(key instanceof AsymmetricJWK) || key.isPrivate()) {
            return new Failure("the DPoP proof must carry a public key", false);
        }
        try {
            if (!jwt.verify(new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(),
                    ((AsymmetricJWK) key).toPublicKey()))) {
                return new Failure("the DPoP proof's signature does not verify", false);
            }
        } catch (JOSEException e) {
            return new Failure("the DPoP proof's signature does not verify", false);
        }
        if (!method.equals(stringClaim(claims, "htm"))) {
            return new Failure("the DPoP proof is for another HTTP method", false);
        }
        String htu = stringClaim(claims, "htu");
        if (htu == null || !strip(htu).equals(resource)) {
            return new Failure("the DPoP proof is for another URL", false);
        }
        Date iat = claims.getIssueTime();
        Instant now = clock.instant();
        if (iat == null || iat.toInstant().isBefore(now.minus(config.proofWindow()))
                || iat.toInstant().isAfter(now.plus(config.proofWindow()))) {
            return new Failure("the DPoP proof is too old or from the future", false);
        }
        if (!sha256(accessToken).equals(stringClaim(claims, "ath"))) {
            return new Failure("the DPoP proof does not match the access token", false);
        }
        if (config.requireNonce()) {
            String n = stringClaim(claims, "nonce");
            if (n == null || !nonces.valid(n)) {
                return new Failure("a fresh DPoP nonce is required", true);
            }
        }
        String thumbprint;
        try {
            thumbprint = key.computeThumbprint().toString();
        } catch (JOSEException e) {
            return new Failure("the DPoP key has no thumbprint", false);
        }
        if (!(tokenClaims.get("cnf") instanceof Map<?, ?> cnf) || !thumbprint.equals(cnf.get("jkt"))) {
            return new Failure("the access token is not bound to the DPoP key", false);
        }
        String jti = stringClaim(claims, "jti");
        if (jti == null || jti.length() > 256) {
            return new Failure("the DPoP proof needs a jti", false);
        }
        java.util.concurrent.atomic.AtomicInteger counted = perKey.get(thumbprint,
                k -> new java.util.concurrent.atomic.AtomicInteger());
        if (counted.incrementAndGet() > proofsPerKey) {
            return new Failure("too many DPoP proofs with this key", false, false,
                    Math.max(1, remembered.toSeconds()));
        }
        // the resource is in the key because a shared cache may serve several resource servers
        boolean first;
        try {
            first = seen.firstSeen("dpop\u0000" + resource + "\u0000" + thumbprint + "\u0000" + jti, remembered);
        } catch (ReplayCache.ReplayCacheUnavailable e) {
            // fail closed: a proof that cannot be checked for replay is not accepted
            return new Failure("the DPoP proof cannot be checked for replay right now: " + e.getMessage(), false,
                    true);
        }
        if (!first) {
            return new Failure(REPLAYED, false);
        }
        return null;
    }

    private static String stringClaim(JWTClaimsSet c, String name) {
        Object v = c.getClaim(name);
        return v instanceof String s ? s : null;
    }

    private static String strip(String url) {
        int q = url.indexOf('?');
        int f = url.indexOf('#');
        int end = q < 0 ? (f < 0 ? url.length() : f) : (f < 0 ? q : Math.min(q, f));
        String u = url.substring(0, end);
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    static String sha256(String token) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
