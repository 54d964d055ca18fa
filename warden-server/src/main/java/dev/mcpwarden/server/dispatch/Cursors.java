package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.jsonrpc.McpError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Opaque, tamper-evident pagination cursors: an offset and the list it belongs to, under an HMAC. */
final class Cursors {

    private static final int TAG = 16;
    private final SecretKeySpec key;

    Cursors() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
    }

    String encode(String list, int offset) {
        byte[] off = ByteBuffer.allocate(4).putInt(offset).array();
        byte[] tag = Arrays.copyOf(mac(list, off), TAG);
        byte[] out = ByteBuffer.allocate(4 + TAG).put(off).put(tag).array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** The offset a cursor points at; -32602 for anything not issued by this server for this list. */
    int decode(String list, String cursor) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw McpError.invalidParams("Invalid cursor");
        }
        if (raw.length != 4 + TAG) {
            throw McpError.invalidParams("Invalid cursor");
        }
        byte[] off = Arrays.copyOf(raw, 4);
        byte[] tag = Arrays.copyOfRange(raw, 4, 4 + TAG);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(mac(list, off), TAG))) {
            throw McpError.invalidParams("Invalid cursor");
        }
        return ByteBuffer.wrap(off).getInt();
    }

    private byte[] mac(String list, byte[] off) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(list.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0);
            return m.doFinal(off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
