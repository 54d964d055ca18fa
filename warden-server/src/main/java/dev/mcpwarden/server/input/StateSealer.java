package dev.mcpwarden.server.input;

import dev.mcpwarden.core.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seals the {@code requestState} of multi round-trip requests with AES-256-GCM. The state is opaque to the client
 * (it may carry earlier answers), and the authenticated data binds it to the principal, the method, the target and
 * a digest of the arguments, so state issued for one request cannot be replayed against another, by another
 * caller, or after it expires.
 */
public final class StateSealer {

    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final byte VERSION = 1;

    private final SecretKeySpec key;
    private final Duration ttl;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param key 32 bytes; replicas that share requests must share the key
     */
    public StateSealer(byte[] key, Duration ttl, InstantSource clock) {
        if (key.length != 32) {
            throw new IllegalArgumentException("request-state key must be 32 bytes, was " + key.length);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("request-state ttl must be positive, was " + ttl);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A sealer with a fresh random key (state survives only within this process). */
    public static StateSealer random(Duration ttl, InstantSource clock) {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new StateSealer(k, ttl, clock);
    }

    public String seal(String binding, ObjectNode payload) {
        ObjectNode body = Json.object();
        body.put("exp", clock.millis() + ttl.toMillis());
        body.set("p", payload);
        byte[] plain = Json.standard().bytes(body);
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(binding.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain);
            ByteBuffer out = ByteBuffer.allocate(1 + NONCE + sealed.length);
            out.put(VERSION).put(nonce).put(sealed);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The payload, or empty when the state was forged, altered, bound to something else or expired. */
    public Optional<ObjectNode> open(String binding, String state) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(state);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length < 1 + NONCE + TAG_BITS / 8 || raw[0] != VERSION) {
            return Optional.empty();
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 1, NONCE));
            c.updateAAD(binding.getBytes(StandardCharsets.UTF_8));
            byte[] plain = c.doFinal(raw, 1 + NONCE, raw.length - 1 - NONCE);
            JsonNode body = Json.standard().parse(plain);
            if (body.path("exp").asLong(0) < clock.millis() || !body.path("p").isObject()) {
                return Optional.empty();
            }
            return Optional.of((ObjectNode) body.get("p"));
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
