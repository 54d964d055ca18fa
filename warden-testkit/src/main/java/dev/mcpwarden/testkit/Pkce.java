package dev.mcpwarden.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** A PKCE verifier and its S256 challenge. */
public record Pkce(String verifier, String challenge) {

    public static Pkce fresh() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        String v = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        return new Pkce(v, s256(v));
    }

    public static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
