package dev.mcpwarden.authserver.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The token signing keys: one current private key, and the public halves of retired keys, which stay in the key
 * set until every token they signed has expired (so rotation never breaks a token in flight).
 */
public final class SigningKeys {

    private record Retired(JWK publicKey, Instant until) {
    }

    private final JWSAlgorithm algorithm;
    private final InstantSource clock;
    private final Duration retention;
    private volatile JWK current;
    private volatile Instant currentSince;
    private final List<Retired> retired = new ArrayList<>();

    /**
     * @param algorithm ES256 or RS256
     * @param retention how long a retired public key is still published (the longest token lifetime plus skew)
     */
    public SigningKeys(JWSAlgorithm algorithm, InstantSource clock, Duration retention) {
        this(algorithm, clock, retention, null);
    }

    /**
     * @param initial the key to start with (e.g. loaded from a key file so that restarts and other processes sign
     *                alike), or null to generate one; it must be private, have a key id, and suit the algorithm
     */
    public SigningKeys(JWSAlgorithm algorithm, InstantSource clock, Duration retention, JWK initial) {
        this.algorithm = algorithm;
        this.clock = clock;
        this.retention = retention;
        if (initial != null) {
            check(algorithm, initial);
        }
        this.current = initial != null ? initial : generate();
        this.currentSince = clock.instant();
    }

    private static void check(JWSAlgorithm algorithm, JWK key) {
        if (!key.isPrivate() || key.getKeyID() == null || key.getKeyID().isBlank()) {
            throw new IllegalArgumentException("the signing key must be a private key with a key id (kid)");
        }
        boolean ok = JWSAlgorithm.ES256.equals(algorithm)
                ? key instanceof com.nimbusds.jose.jwk.ECKey ec && Curve.P_256.equals(ec.getCurve())
                : key instanceof com.nimbusds.jose.jwk.RSAKey rsa && rsa.size() >= 2048;
        if (!ok) {
            throw new IllegalArgumentException("the signing key does not suit " + algorithm
                    + " (ES256 needs an EC P-256 key, RS256 an RSA key of at least 2048 bits)");
        }
    }

    public JWSAlgorithm algorithm() {
        return algorithm;
    }

    /** The key new tokens are signed with (private). */
    public JWK current() {
        return current;
    }

    /** Starts signing with a new key; the old public key is kept for {@code retention}. */
    public synchronized void rotate() {
        retired.add(new Retired(current.toPublicJWK(), clock.instant().plus(retention)));
        current = generate();
        currentSince = clock.instant();
    }

    /** Rotates if the current key has signed for {@code period} or longer; returns whether it rotated. */
    public synchronized boolean rotateIfOlderThan(Duration period) {
        if (clock.instant().isBefore(currentSince.plus(period))) {
            return false;
        }
        rotate();
        return true;
    }

    /** The public keys to publish at /jwks and to verify with: the current one and unexpired retired ones. */
    public synchronized JWKSet publicKeys() {
        Instant now = clock.instant();
        retired.removeIf(r -> !now.isBefore(r.until()));
        List<JWK> keys = new ArrayList<>();
        keys.add(current.toPublicJWK());
        retired.forEach(r -> keys.add(r.publicKey()));
        return new JWKSet(keys);
    }

    private JWK generate() {
        String kid = UUID.randomUUID().toString();
        try {
            if (JWSAlgorithm.ES256.equals(algorithm)) {
                return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(algorithm)
                        .generate();
            }
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(algorithm).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a signing key", e);
        }
    }
}
