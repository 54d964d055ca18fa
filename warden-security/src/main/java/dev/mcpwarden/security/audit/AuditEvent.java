package dev.mcpwarden.security.audit;

import dev.mcpwarden.core.json.CanonicalJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * One audit event: what happened, to whom, with which outcome. Immutable; the {@link AuditLog} adds the
 * sequence number and hash chain when it writes it.
 *
 * <p>Principal fields are identifiers, never credentials: a value that looks like a JWT is rejected. Tool
 * arguments are recorded as a digest ({@link #argumentDigest(JsonNode)}), not verbatim.
 *
 * @param time          when it happened (from the caller's injected clock)
 * @param type          what kind of event
 * @param correlationId ties together the events of one request (the same id in every event of a request)
 * @param principal     who acted; {@link AuditPrincipal#NONE} when nobody is authenticated
 * @param target        what was acted on (tool name, resource URI, method), or null
 * @param outcome       a short lower-case word such as {@code allow}, {@code deny}, {@code ok}, {@code error}
 * @param latency       how long it took, or null
 * @param detail        further JSON-safe values: strings, booleans, integral numbers, finite doubles, lists and
 *                      maps of them (keys are strings); at most {@value #MAX_DEPTH} levels deep
 */
public record AuditEvent(Instant time, AuditEventType type, String correlationId, AuditPrincipal principal,
                         String target, String outcome, Duration latency, Map<String, Object> detail) {

    static final int MAX_DEPTH = 8;
    static final int MAX_ID_LENGTH = 256;
    static final int MAX_TARGET_LENGTH = 2048;
    static final int MAX_OUTCOME_LENGTH = 64;

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        if (correlationId == null || correlationId.isBlank()) {
            throw new IllegalArgumentException("correlationId is required (was " + quote(correlationId) + ")");
        }
        checkText("correlationId", correlationId, MAX_ID_LENGTH);
        principal = principal == null ? AuditPrincipal.NONE : principal;
        checkText("target", target, MAX_TARGET_LENGTH);
        if (outcome == null || outcome.isBlank()) {
            throw new IllegalArgumentException("outcome is required (was " + quote(outcome) + ")");
        }
        checkText("outcome", outcome, MAX_OUTCOME_LENGTH);
        if (latency != null && latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + latency);
        }
        detail = detail == null ? Map.of() : copyMap(Path.DETAIL, detail, 1);
    }

    /** Starts an event of {@code type} that happened at {@code time}, for request {@code correlationId}. */
    public static Builder builder(AuditEventType type, Instant time, String correlationId) {
        return new Builder(type, time, correlationId);
    }

    /**
     * A digest of tool arguments for {@link AuditEventType#TOOL_CALL} events: {@code sha256:} and the hex SHA-256 of
     * the arguments' RFC 8785 canonical JSON ({@link CanonicalJson}), so equal arguments give equal digests whatever
     * their key order, spacing or number spelling.
     */
    public static String argumentDigest(JsonNode arguments) {
        return "sha256:" + RecordFormat.hex(RecordFormat.sha256(CanonicalJson.utf8(arguments)));
    }

    /** Builds an {@link AuditEvent}; only type, time, correlation id and outcome are required. */
    public static final class Builder {
        private final AuditEventType type;
        private final Instant time;
        private final String correlationId;
        private AuditPrincipal principal = AuditPrincipal.NONE;
        private String target;
        private String outcome;
        private Duration latency;
        private final Map<String, Object> detail = new TreeMap<>();

        private Builder(AuditEventType type, Instant time, String correlationId) {
            this.type = type;
            this.time = time;
            this.correlationId = correlationId;
        }

        public Builder principal(AuditPrincipal principal) {
            this.principal = principal;
            return this;
        }

        public Builder target(String target) {
            this.target = target;
            return this;
        }

        public Builder outcome(String outcome) {
            this.outcome = outcome;
            return this;
        }

        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        /** Adds one detail value (see {@link AuditEvent} for what is allowed). */
        public Builder detail(String key, Object value) {
            detail.put(Objects.requireNonNull(key, "detail key"), value);
            return this;
        }

        public Builder detail(Map<String, ?> values) {
            values.forEach(this::detail);
            return this;
        }

        public AuditEvent build() {
            return new AuditEvent(time, type, correlationId, principal, target, outcome, latency, detail);
        }
    }

    // ---- validation ----------------------------------------------------------------------------------------------

    static void checkText(String field, String value, int maxLength) {
        if (value == null) {
            return;
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " is longer than " + maxLength + " characters ("
                    + value.length() + ")");
        }
        if (looksLikeJwt(value)) {
            throw new IllegalArgumentException(field + " looks like a token (a JWT); the audit log never records"
                    + " credentials");
        }
    }

    /** Three base64url segments starting with a JSON header: a JWT or JWS, which must never reach the log. */
    static boolean looksLikeJwt(String value) {
        if (!value.startsWith("eyJ")) {
            return false;
        }
        int dots = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '=')) {
                return false;
            }
        }
        return dots == 2 || dots == 4;
    }

    /**
     * Where a value sits in the detail, for error messages: built into a string only when a message needs it, so a
     * valid event costs no path strings.
     */
    private record Path(Path parent, String key, int index) {
        static final Path DETAIL = new Path(null, "detail", -1);

        Path member(String name) {
            return new Path(this, name, -1);
        }

        Path element(int i) {
            return new Path(this, null, i);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return key;
            }
            return key != null ? parent + "." + key : parent + "[" + index + "]";
        }
    }

    private static Map<String, Object> copyMap(Path path, Map<?, ?> map, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(path + " is nested deeper than " + MAX_DEPTH + " levels");
        }
        TreeMap<String, Object> copy = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(path + " has a key that is not a string: " + e.getKey());
            }
            copy.put(key, copyValue(path, key, -1, e.getValue(), depth));
        }
        return Collections.unmodifiableSortedMap(copy);
    }

    /** The value at {@code parent.key} (or {@code parent[index]} when key is null), checked and copied. */
    private static Object copyValue(Path parent, String key, int index, Object value, int depth) {
        return switch (value) {
            case null -> throw new IllegalArgumentException(at(parent, key, index) + " is null; leave the key out"
                    + " instead");
            case String s -> {
                if (looksLikeJwt(s)) {
                    checkText(at(parent, key, index).toString(), s, Integer.MAX_VALUE);
                }
                yield s;
            }
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s.intValue();
            case Byte b -> b.intValue();
            case BigInteger b -> b;
            case Double d -> finite(parent, key, index, d);
            case Float f -> finite(parent, key, index, f.doubleValue());
            case BigDecimal d -> d;
            case Enum<?> e -> e.name();
            case Map<?, ?> m -> copyMap(at(parent, key, index), m, depth + 1);
            case Collection<?> c -> {
                Path path = at(parent, key, index);
                if (depth + 1 > MAX_DEPTH) {
                    throw new IllegalArgumentException(path + " is nested deeper than " + MAX_DEPTH + " levels");
                }
                List<Object> list = new ArrayList<>(c.size());
                int i = 0;
                for (Object item : c) {
                    list.add(copyValue(path, null, i++, item, depth + 1));
                }
                yield Collections.unmodifiableList(list);
            }
            default -> throw new IllegalArgumentException(at(parent, key, index) + " has a type the audit log cannot"
                    + " record as JSON: " + value.getClass().getName() + " (use strings, booleans, numbers, lists and"
                    + " maps)");
        };
    }

    private static Path at(Path parent, String key, int index) {
        return key != null ? parent.member(key) : parent.element(index);
    }

    private static Double finite(Path parent, String key, int index, double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(at(parent, key, index) + " is not a finite number: " + d);
        }
        return d;
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
