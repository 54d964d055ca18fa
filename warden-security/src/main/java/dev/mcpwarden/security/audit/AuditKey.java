package dev.mcpwarden.security.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret for keyed mode: records are chained with HMAC-SHA256 instead of plain SHA-256, so someone who can
 * rewrite the whole file but does not hold the key cannot produce a chain that verifies. Keep it away from the
 * machine (or at least the account) that writes the log if that is the threat.
 *
 * <p>The log's genesis record names the key by {@link #id()} (a one-way fingerprint, not the key), so
 * verification with another key is reported as {@code BAD_KEY} rather than as an edit.
 */
public final class AuditKey {

    /** Minimum key length in bytes (256 bits). */
    public static final int MIN_BYTES = 32;

    private static final byte[] ID_LABEL = "warden-audit-key-id-v1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] key;
    private final String id;

    private AuditKey(byte[] key) {
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException("an audit key needs at least " + MIN_BYTES + " bytes, was "
                    + key.length);
        }
        this.key = key.clone();
        this.id = RecordFormat.hex(Arrays.copyOf(mac(ID_LABEL), 8));
    }

    /** A key from raw bytes (copied). */
    public static AuditKey of(byte[] key) {
        return new AuditKey(key);
    }

    /** A new random key, for tests and for {@code openssl rand -base64 32}-style set-up. */
    public static AuditKey generate() {
        byte[] bytes = new byte[MIN_BYTES];
        new SecureRandom().nextBytes(bytes);
        return new AuditKey(bytes);
    }

    /**
     * Reads a key file: the key in base64 (standard or URL-safe alphabet), surrounding whitespace ignored, at least
     * {@value #MIN_BYTES} bytes once decoded. Create one with {@code openssl rand -base64 32 > audit.key}.
     */
    public static AuditKey fromFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("audit key file " + file + " is empty");
        }
        byte[] bytes;
        try {
            bytes = text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("audit key file " + file + " is not base64: " + e.getMessage());
        }
        try {
            return new AuditKey(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The key in standard base64, for writing a key file. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(key);
    }

    /** A fingerprint of the key (16 hex digits), safe to store in the log. */
    public String id() {
        return id;
    }

    /** A new MAC instance keyed with this key (instances are not thread-safe). */
    Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private byte[] mac(byte[] data) {
        return newMac().doFinal(data);
    }

    @Override
    public String toString() {
        return "AuditKey[id=" + id + "]";
    }
}
