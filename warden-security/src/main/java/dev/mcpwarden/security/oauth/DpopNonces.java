package dev.mcpwarden.security.oauth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server-issued DPoP nonces (RFC 9449 §8) that need no state: a nonce names a five-minute window of the clock and
 * carries an HMAC-SHA256, under a key, of that window and the resource. A nonce of the current or the previous
 * window under this key is good, so a nonce is good for five to ten minutes after it was issued, as the random
 * nonces rotated every five minutes were before.
 *
 * <p>Why stateless rather than nonces kept in a shared store: every replica holding the same key verifies every
 * other replica's nonces with no round trip to Redis per request and no new way to fail (a nonce check never
 * answers 503), and there is nothing to expire or clean up. What it gives up is revoking one nonce before its
 * window ends, which nonces do not need: they only bound how long a proof made in advance stays usable, while a
 * replayed proof is caught by its {@code jti} in the replay cache. The resource is in the MAC so that one key
 * shared by several resource servers does not let a nonce of one serve at another.
 *
 * <p>The key is {@link Dpop#nonceSecret()}, shared by the replicas; without one, each process draws its own random
 * key at start, so its nonces are good on that process only (and not after a restart), as before. Replicas' clocks
 * need to agree to well within the window; one whose clock runs ahead issues, in the seconds around a window's
 * turn, a nonce the others do not accept yet, and the client simply retries with the nonce it is then given.
 */
final class DpopNonces {

    /** How long one window lasts; a nonce is good in its window and the next. */
    static final Duration WINDOW = Duration.ofMinutes(5);
    private static final int WINDOW_BYTES = Long.BYTES;
    private static final int MAC_BYTES = 32;
    private static final byte[] LABEL = "warden dpop nonce\u0000".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final byte[] resource;
    private final InstantSource clock;
    private volatile long cachedWindow = Long.MIN_VALUE;
    private volatile String cachedNonce;

    /** @param secret the shared key's bytes, or null for a random key of this process's own */
    DpopNonces(byte[] secret, String resource, InstantSource clock) {
        byte[] k = secret;
        if (k == null) {
            k = new byte[32];
            new SecureRandom().nextBytes(k);
        }
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.resource = resource.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** The nonce of the current window, the one clients are told to use now. */
    String current() {
        long w = window();
        String n = cachedNonce;
        if (w != cachedWindow || n == null) {
            n = nonce(w);
            cachedNonce = n;
            cachedWindow = w;
        }
        return n;
    }

    /** Whether {@code nonce} was issued under this key for this resource in the current or the previous window. */
    boolean valid(String nonce) {
        if (nonce.length() > 64) {
            return false; // ours are 54 characters; do not decode whatever a client sends
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (raw.length != WINDOW_BYTES + MAC_BYTES) {
            return false;
        }
        long w = ByteBuffer.wrap(raw, 0, WINDOW_BYTES).getLong();
        long now = window();
        if (w != now && w != now - 1) {
            return false; // expired, or from a future this clock has not reached
        }
        byte[] expected = mac(w);
        byte[] given = new byte[MAC_BYTES];
        System.arraycopy(raw, WINDOW_BYTES, given, 0, MAC_BYTES);
        return MessageDigest.isEqual(expected, given);
    }

    private long window() {
        return Math.floorDiv(clock.instant().getEpochSecond(), WINDOW.toSeconds());
    }

    String nonce(long window) {
        ByteBuffer b = ByteBuffer.allocate(WINDOW_BYTES + MAC_BYTES);
        b.putLong(window).put(mac(window));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private byte[] mac(long window) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256"); // not thread-safe, and cheap to make
            mac.init(key);
            mac.update(LABEL);
            mac.update(resource);
            mac.update((byte) 0);
            mac.update(ByteBuffer.allocate(WINDOW_BYTES).putLong(window).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
