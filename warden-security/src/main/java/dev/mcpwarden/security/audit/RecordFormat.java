package dev.mcpwarden.security.audit;

import dev.mcpwarden.core.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import javax.crypto.Mac;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit line format. A record is one line of UTF-8 JSON:
 *
 * <pre>{"seq":7,"prev":"&lt;64 hex&gt;","time":"…","type":"TOOL_CALL",…,"hash":"&lt;64 hex&gt;"}\n</pre>
 *
 * <p>The <em>body</em> is the record without its {@code hash} member, as the exact bytes the writer produced
 * (fields in a fixed order, detail keys sorted, no whitespace). {@code hash} is SHA-256 of the body, or
 * HMAC-SHA256 in keyed mode, and is always the last member, so a verifier recovers the body by cutting the fixed
 * 75-byte suffix {@code ,"hash":"<64 hex>"}} and putting back the closing brace: hashing exact bytes leaves no room
 * for canonicalisation disagreements. {@code prev} is the previous record's hash (64 zeros for the genesis record).
 */
final class RecordFormat {

    static final int HASH_HEX = 64;
    static final String ZERO_HASH = "0".repeat(HASH_HEX);
    static final int FORMAT_VERSION = 1;
    static final String ALG_PLAIN = "SHA-256";
    static final String ALG_KEYED = "HMAC-SHA256";

    static final String OUTCOME_GENESIS = "genesis";
    /** The genesis record's {@code checkpoint} detail when the writer keeps a checkpoint beside the log. */
    static final String CHECKPOINT_KEPT = "kept";
    static final String OUTCOME_REOPENED = "reopened";
    static final String OUTCOME_CLOSED = "closed";
    static final String LOG_TARGET = "audit-log";

    private static final byte[] HASH_PREFIX = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final int SUFFIX = HASH_PREFIX.length + HASH_HEX + 2; // ,"hash":"<hex>"}
    private static final HexFormat HEX = HexFormat.of();
    private static final Json JSON = Json.standard();

    private RecordFormat() {
    }

    // ---- writing -------------------------------------------------------------------------------------------------

    private static final byte[] TIME = JsonLineWriter.name("time");
    private static final byte[] TYPE = JsonLineWriter.name("type");
    private static final byte[] CORRELATION_ID = JsonLineWriter.name("correlationId");
    private static final byte[] PRINCIPAL = JsonLineWriter.name("principal");
    private static final byte[] ISSUER = JsonLineWriter.name("issuer");
    private static final byte[] SUBJECT = JsonLineWriter.name("subject");
    private static final byte[] CLIENT_ID = JsonLineWriter.name("clientId");
    private static final byte[] TENANT = JsonLineWriter.name("tenant");
    private static final byte[] TARGET = JsonLineWriter.name("target");
    private static final byte[] OUTCOME = JsonLineWriter.name("outcome");
    private static final byte[] LATENCY = JsonLineWriter.name("latencyMicros");
    private static final byte[] DETAIL = JsonLineWriter.name("detail");

    /**
     * The event's members as a JSON object, in the fixed order; seq and prev are spliced in front by the writer.
     * Written straight to bytes (no tree, no generator); the bytes are exactly those of the tree the format
     * describes, serialised by {@link Json#standard()}.
     */
    static byte[] eventJson(AuditEvent e) {
        JsonLineWriter w = new JsonLineWriter(512);
        w.raw('{').raw(TIME).string(e.time().toString());
        w.raw(',').raw(TYPE).string(e.type().name());
        w.raw(',').raw(CORRELATION_ID).string(e.correlationId());
        AuditPrincipal p = e.principal();
        if (!p.isEmpty()) {
            w.raw(',').raw(PRINCIPAL).raw('{');
            boolean first = putIfSet(w, true, ISSUER, p.issuer());
            first = putIfSet(w, first, SUBJECT, p.subject());
            first = putIfSet(w, first, CLIENT_ID, p.clientId());
            putIfSet(w, first, TENANT, p.tenant());
            w.raw('}');
        }
        putIfSet(w, false, TARGET, e.target());
        w.raw(',').raw(OUTCOME).string(e.outcome());
        if (e.latency() != null) {
            w.raw(',').raw(LATENCY).number(micros(e.latency()));
        }
        if (!e.detail().isEmpty()) {
            w.raw(',').raw(DETAIL);
            writeValue(w, e.detail());
        }
        return w.raw('}').toByteArray();
    }

    /** A detail value as {@code toNode} would give it, written directly: maps with keys sorted. */
    private static void writeValue(JsonLineWriter w, Object value) {
        switch (value) {
            case String s -> w.string(s);
            case Boolean b -> w.raw(b ? TRUE : FALSE);
            case Integer i -> w.number(i);
            case Long l -> w.number(l);
            case Map<?, ?> m -> {
                w.raw('{');
                Map<?, ?> sorted = m instanceof SortedMap<?, ?> sm && sm.comparator() == null ? m
                        : new java.util.TreeMap<>(m);
                boolean first = true;
                for (Map.Entry<?, ?> entry : sorted.entrySet()) {
                    if (!first) {
                        w.raw(',');
                    }
                    first = false;
                    w.string((String) entry.getKey()).raw(':');
                    writeValue(w, entry.getValue());
                }
                w.raw('}');
            }
            case List<?> l -> {
                w.raw('[');
                boolean first = true;
                for (Object item : l) {
                    if (!first) {
                        w.raw(',');
                    }
                    first = false;
                    writeValue(w, item);
                }
                w.raw(']');
            }
            // Rare: exactly as the tree would serialise the number node.
            default -> w.value(toNode(value));
        }
    }

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

    /** Writes {@code ,"name":"value"} (no comma when {@code first}) if value is set; whether the next is first. */
    private static boolean putIfSet(JsonLineWriter w, boolean first, byte[] name, String value) {
        if (value == null) {
            return first;
        }
        if (!first) {
            w.raw(',');
        }
        w.raw(name).string(value);
        return false;
    }

    /** {@code {"seq":N,"prev":"…",} followed by the event's members. */
    static byte[] body(long seq, String prev, byte[] eventJson) {
        byte[] head = ("{\"seq\":" + seq + ",\"prev\":\"" + prev + "\",").getBytes(StandardCharsets.US_ASCII);
        byte[] body = Arrays.copyOf(head, head.length + eventJson.length - 1);
        System.arraycopy(eventJson, 1, body, head.length, eventJson.length - 1);
        return body;
    }

    /** The full line, newline included: the body with {@code "hash"} added as its last member. */
    static byte[] line(byte[] body, String hash) {
        byte[] line = Arrays.copyOf(body, body.length - 1 + SUFFIX + 1);
        int at = body.length - 1;
        System.arraycopy(HASH_PREFIX, 0, line, at, HASH_PREFIX.length);
        at += HASH_PREFIX.length;
        byte[] hex = hash.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, line, at, HASH_HEX);
        at += HASH_HEX;
        line[at++] = '"';
        line[at++] = '}';
        line[at] = '\n';
        return line;
    }

    // ---- reading -------------------------------------------------------------------------------------------------

    /** A line taken apart: its exact body bytes, the hash it states, and the parsed body. */
    record Parsed(byte[] body, String hash, ObjectNode json, long seq, String prev) {

        String type() {
            return text(json, "type");
        }

        String outcome() {
            return text(json, "outcome");
        }

        boolean isIntegrity(String outcome) {
            return AuditEventType.INTEGRITY.name().equals(type()) && outcome.equals(outcome());
        }

        String detailText(String key) {
            JsonNode d = json.get("detail");
            return d == null ? null : text(d, key);
        }
    }

    /**
     * Parses a line (without its newline); null when it is not a well-formed record: wrong suffix, invalid JSON,
     * duplicate keys, or missing/ill-typed {@code seq}, {@code prev}, {@code time}, {@code type}, {@code outcome}.
     */
    static Parsed parse(byte[] line, int length) {
        if (length < SUFFIX + 2 || line[length - 1] != '}' || line[length - 2] != '"') {
            return null;
        }
        int prefixAt = length - SUFFIX;
        for (int i = 0; i < HASH_PREFIX.length; i++) {
            if (line[prefixAt + i] != HASH_PREFIX[i]) {
                return null;
            }
        }
        String hash = new String(line, prefixAt + HASH_PREFIX.length, HASH_HEX, StandardCharsets.US_ASCII);
        if (!isHex(hash)) {
            return null;
        }
        byte[] body = Arrays.copyOf(line, prefixAt + 1);
        body[prefixAt] = '}';
        JsonNode node;
        try {
            node = JSON.parse(body);
        } catch (RuntimeException e) {
            return null;
        }
        if (!(node instanceof ObjectNode o)) {
            return null;
        }
        JsonNode seq = o.get("seq");
        String prev = text(o, "prev");
        if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 0
                || prev == null || !isHex(prev) || text(o, "time") == null || text(o, "type") == null
                || text(o, "outcome") == null || o.has("hash")) {
            return null;
        }
        return new Parsed(body, hash, o, seq.longValue(), prev);
    }

    static Parsed parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parse(bytes, bytes.length);
    }

    // ---- hashing -------------------------------------------------------------------------------------------------

    /** Hashes record bodies: SHA-256, or HMAC-SHA256 with a key. Not thread-safe; one per writer or verifier. */
    static final class Hasher {
        private final MessageDigest digest;
        private final Mac mac;
        private final AuditKey key;

        Hasher(AuditKey key) {
            this.key = key;
            this.mac = key == null ? null : key.newMac();
            this.digest = key == null ? newSha256() : null;
        }

        String hash(byte[] body) {
            return hex(mac != null ? mac.doFinal(body) : digest.digest(body));
        }

        boolean keyed() {
            return key != null;
        }

        String algorithm() {
            return key == null ? ALG_PLAIN : ALG_KEYED;
        }

        String keyId() {
            return key == null ? null : key.id();
        }
    }

    static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    /** Cloned for each use: much cheaper than a provider lookup with {@code MessageDigest.getInstance}. */
    private static final MessageDigest SHA256_PROTOTYPE = lookUpSha256();

    private static MessageDigest lookUpSha256() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.clone(); // fail here, not per record, if the provider's digest cannot be cloned
            return d;
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be cloned", e);
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static boolean isHex(String s) {
        if (s.length() != HASH_HEX) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    // ---- JSON helpers --------------------------------------------------------------------------------------------

    private static JsonNode toNode(Object value) {
        JsonNodeFactory f = Json.nodes();
        return switch (value) {
            case String s -> f.stringNode(s);
            case Boolean b -> f.booleanNode(b);
            case Integer i -> f.numberNode(i);
            case Long l -> f.numberNode(l);
            case BigInteger b -> f.numberNode(b);
            case Double d -> f.numberNode(d);
            case BigDecimal d -> f.numberNode(d);
            case Map<?, ?> m -> {
                ObjectNode o = f.objectNode();
                new java.util.TreeMap<>(m).forEach((k, v) -> o.set((String) k, toNode(v)));
                yield o;
            }
            case List<?> l -> {
                ArrayNode a = f.arrayNode();
                l.forEach(v -> a.add(toNode(v)));
                yield a;
            }
            default -> throw new IllegalArgumentException("not a JSON-safe value: " + value.getClass().getName());
        };
    }

    private static long micros(Duration d) {
        try {
            return d.toNanos() / 1000;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    static String text(JsonNode node, String name) {
        JsonNode v = node.get(name);
        return v != null && v.isString() ? v.stringValue() : null;
    }
}
