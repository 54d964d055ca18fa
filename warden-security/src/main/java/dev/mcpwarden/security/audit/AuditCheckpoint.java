package dev.mcpwarden.security.audit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * The head of an audit log as its writer last saw it on stable storage: the last record's {@code seq} and hash,
 * signed. A hash chain cannot show records cut from its end; the checkpoint can: a log that ends before the
 * checkpoint's record, or whose record there is another one, lost its tail. The writer replaces it (atomically) at
 * least every second while records are written and when the log closes, beside the log as
 * {@code <log>.checkpoint}; copy it elsewhere (another machine, object storage) if whoever can cut the log could
 * also replace the file beside it.
 *
 * <p>A keyed log's checkpoint is an HMAC-SHA256 under the log's key, so it cannot be forged without the key. An
 * unkeyed log's carries a SHA-256 checksum only: it shows accidental truncation and cuts by someone who did not
 * also rewrite the checkpoint.
 *
 * @param seq   the last record's sequence number
 * @param hash  the last record's hash
 * @param at    when the checkpoint was written
 * @param keyId the log key's id, or null for an unkeyed log
 * @param mac   HMAC-SHA256 (keyed) or SHA-256 (unkeyed) of the other fields, in hex
 */
public record AuditCheckpoint(long seq, String hash, Instant at, String keyId, String mac) {

    private static final String LABEL = "warden-audit-checkpoint-v1";

    public AuditCheckpoint {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(mac, "mac");
    }

    /** Where the writer keeps the checkpoint of the log at {@code log}. */
    public static Path beside(Path log) {
        return log.resolveSibling(log.getFileName() + ".checkpoint");
    }

    /** A checkpoint of record {@code seq} with {@code hash}, signed with {@code key} (null: unkeyed). */
    static AuditCheckpoint of(long seq, String hash, Instant at, AuditKey key) {
        String keyId = key == null ? null : key.id();
        return new AuditCheckpoint(seq, hash, at, keyId, mac(seq, hash, at, keyId, key));
    }

    private static String mac(long seq, String hash, Instant at, String keyId, AuditKey key) {
        byte[] text = (LABEL + "\n" + seq + "\n" + hash + "\n" + at + "\n" + (keyId == null ? "" : keyId))
                .getBytes(StandardCharsets.UTF_8);
        return RecordFormat.hex(key == null ? RecordFormat.sha256(text) : key.newMac().doFinal(text));
    }

    /** Whether the checkpoint is one the writer made with {@code key} (null: an unkeyed log's checksum). */
    public boolean verifies(AuditKey key) {
        String expected = key == null ? null : key.id();
        if (!Objects.equals(expected, keyId)) {
            return false;
        }
        return java.security.MessageDigest.isEqual(mac.getBytes(StandardCharsets.US_ASCII),
                mac(seq, hash, at, keyId, key).getBytes(StandardCharsets.US_ASCII));
    }

    /** One JSON line, as written to the checkpoint file. */
    public String toJson() {
        var o = dev.mcpwarden.core.json.Json.object();
        o.put("checkpoint", 1).put("seq", seq).put("hash", hash).put("at", at.toString());
        if (keyId != null) {
            o.put("keyId", keyId);
        }
        o.put("mac", mac);
        return o.toString();
    }

    /**
     * Reads a checkpoint line.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static AuditCheckpoint parse(String json) {
        try {
            var n = dev.mcpwarden.core.json.Json.standard().parse(json.strip());
            if (n.path("checkpoint").asInt(0) != 1 || !n.path("seq").isIntegralNumber() || !n.path("hash").isString()
                    || !n.path("at").isString() || !n.path("mac").isString()) {
                throw new IllegalArgumentException("not an audit checkpoint");
            }
            return new AuditCheckpoint(n.get("seq").asLong(), n.get("hash").asString(),
                    Instant.parse(n.get("at").asString()), n.path("keyId").isString() ? n.get("keyId").asString() : null,
                    n.get("mac").asString());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an audit checkpoint", e);
        }
    }
}
