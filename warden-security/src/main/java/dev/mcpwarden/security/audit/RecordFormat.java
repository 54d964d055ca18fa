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

    /** The event's members as a JSON object, in the fixed order; seq and prev are spliced in front by the writer. */
    static byte[] eventJson(AuditEvent e) {
        JsonNodeFactory f = Json.nodes();
        ObjectNode o = f.objectNode();
        o.put("time", e.time().toString());
        o.put("type", e.type().name());
        o.put("correlationId", e.correlationId());
        AuditPrincipal p = e.principal();
        if (!p.isEmpty()) {
            ObjectNode po = o.putObject("principal");
            putIfSet(po, "issuer", p.issuer());
            putIfSet(po, "subject", p.subject());
            putIfSet(po, "clientId", p.clientId());
            putIfSet(po, "tenant", p.tenant());
        }
        putIfSet(o, "target", e.target());
        o.put("outcome", e.outcome());
        if (e.latency() != null) {
            o.put("latencyMicros", micros(e.latency()));
        }
        if (!e.detail().isEmpty()) {
            o.set("detail", toNode(e.detail()));
        }
        return JSON.bytes(o);
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

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
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

    /** JSON bytes with object keys sorted at every level. */
    static byte[] canonicalJson(JsonNode node) {
        return JSON.bytes(sorted(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode copy = Json.object();
            List<String> names = new ArrayList<>(o.propertyNames());
            names.sort(null);
            for (String name : names) {
                copy.set(name, sorted(o.get(name)));
            }
            return copy;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode copy = Json.array();
            for (JsonNode item : a) {
                copy.add(sorted(item));
            }
            return copy;
        }
        return node;
    }

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

    private static void putIfSet(ObjectNode o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
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
