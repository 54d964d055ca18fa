package dev.mcpwarden.authserver.client;

import dev.mcpwarden.authserver.login.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Client secrets are stored only as hashes: Argon2id for secrets chosen by people (configuration), SHA-256 for the
 * 256-bit random secrets this server generates (a slow hash adds nothing to a random secret).
 */
public final class SecretHash {

    private static final String SHA256 = "sha256:";

    private SecretHash() {
    }

    /** The stored form of a generated, high-entropy secret. */
    public static String ofRandomSecret(String secret) {
        return SHA256 + sha256(secret);
    }

    /** Whether {@code presented} matches {@code stored}, compared in constant time. */
    public static boolean matches(String stored, String presented) {
        if (stored == null || presented == null || presented.isEmpty() || presented.length() > 512) {
            return false;
        }
        if (stored.startsWith(SHA256)) {
            return MessageDigest.isEqual(stored.substring(SHA256.length()).getBytes(StandardCharsets.US_ASCII),
                    sha256(presented).getBytes(StandardCharsets.US_ASCII));
        }
        return PasswordHash.verify(presented.toCharArray(), stored);
    }

    /** Whether checking a secret against {@code stored} is slow (Argon2id, chosen by a person) rather than SHA-256. */
    public static boolean isSlow(String stored) {
        return stored != null && !stored.startsWith(SHA256);
    }

    /** Base64url SHA-256 of {@code value}: how codes, tokens and session ids are keyed in the store. */
    public static String sha256(String value) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
