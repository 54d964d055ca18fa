package dev.mcpwarden.core.json;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The JSON Canonicalization Scheme of RFC 8785 (JCS): the one canonical JSON text Warden hashes, for tool-definition
 * pins, audit argument digests and the binding of multi-round-trip request state.
 *
 * <ul>
 *   <li>No whitespace between tokens.</li>
 *   <li>Object members sorted by the UTF-16 code units of their names (§3.2.3), at every level; array order kept.</li>
 *   <li>Numbers as ECMAScript's {@code Number.prototype.toString} writes the IEEE 754 double nearest their value
 *       (§3.2.2.3): {@code 10}, {@code 10.0} and {@code 1e1} are all {@code 10}; {@code -0} is {@code 0}; exponent
 *       form ({@code 1e+21}, {@code 1e-7}) outside [1e-6, 1e21). NaN and infinities are refused. An integer beyond
 *       ±2<sup>53</sup> counts by its nearest double too, as JCS requires, so {@code 9007199254740993} is written
 *       {@code 9007199254740992}.</li>
 *   <li>Strings with only the mandatory escapes (§3.2.2.2): {@code \"}, {@code \\}, {@code \b \f \n \r \t}, and
 *       {@code \\u00xx} (lower-case hex) for the other C0 controls. Everything else, non-ASCII, {@code /} and DEL
 *       included, is written as itself, with no Unicode normalisation: a homoglyph or an invisible character is a
 *       different text.</li>
 * </ul>
 *
 * <p>One extension for input JCS does not define (it requires well-formed Unicode): a lone surrogate, which UTF-8
 * cannot carry, is written as a lower-case {@code \\uXXXX} escape, so that two different ones never hash alike and
 * the UTF-8 bytes stay well-formed.
 */
public final class CanonicalJson {

    /** 2<sup>53</sup>: integers of smaller magnitude are exact doubles and are written as they are. */
    private static final long SAFE_INTEGER = 1L << 53;

    private CanonicalJson() {
    }

    /**
     * The canonical text of {@code node}; a Java {@code null} or a missing node is written {@code null}.
     *
     * @throws IllegalArgumentException if a number is NaN or infinite, or an integer lies outside the double range
     */
    public static String of(JsonNode node) {
        StringBuilder sb = new StringBuilder(128);
        write(node, sb);
        return sb.toString();
    }

    /** The UTF-8 bytes of {@link #of(JsonNode)}, which is what RFC 8785 hashes and signs. */
    public static byte[] utf8(JsonNode node) {
        return of(node).getBytes(StandardCharsets.UTF_8);
    }

    private static void write(JsonNode node, StringBuilder sb) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            sb.append("null");
        } else if (node.isObject()) {
            List<String> names = new ArrayList<>(node.size());
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                names.add(e.getKey());
            }
            names.sort(null); // String.compareTo orders by UTF-16 code units, exactly as §3.2.3 asks
            sb.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                string(names.get(i), sb);
                sb.append(':');
                write(node.get(names.get(i)), sb);
            }
            sb.append('}');
        } else if (node.isArray()) {
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(node.get(i), sb);
            }
            sb.append(']');
        } else if (node.isString()) {
            string(node.asString(), sb);
        } else if (node.isBoolean()) {
            sb.append(node.booleanValue() ? "true" : "false");
        } else if (node.isNumber()) {
            number(node, sb);
        } else {
            // Binary and POJO nodes never come from parsed JSON; they count as the JSON string they stand for.
            string(node.asString(), sb);
        }
    }

    private static void number(JsonNode node, StringBuilder sb) {
        if (node.isInt() || node.isLong()) {
            long v = node.longValue();
            // not Math.abs, which leaves Long.MIN_VALUE negative
            if (v > -SAFE_INTEGER && v < SAFE_INTEGER) {
                sb.append(v); // the common case, exact and without a detour through double
                return;
            }
        }
        // Number.doubleValue rounds BigInteger and BigDecimal correctly, and gives an infinity (not an exception, as
        // JsonNode.doubleValue would) for a value beyond the double range
        double d = node.numberValue().doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("a canonical JSON number must be a finite double, was "
                    + (node.isFloatingPointNumber() ? String.valueOf(d) : node.asString()));
        }
        sb.append(number(d));
    }

    /**
     * {@code d} as ECMAScript's Number-to-String writes it (ECMA-262 §7.1.12.1, RFC 8785 §3.2.2.3).
     *
     * @throws IllegalArgumentException if {@code d} is NaN or infinite
     */
    static String number(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("a canonical JSON number must be a finite double, was " + d);
        }
        if (d == 0) {
            return "0"; // and -0
        }
        BigDecimal shortest = shortest(d);
        String digits = shortest.unscaledValue().abs().toString();
        int k = digits.length();
        int n = k - shortest.scale(); // the value is 0.digits × 10^n
        StringBuilder sb = new StringBuilder(k + 8);
        if (d < 0) {
            sb.append('-');
        }
        if (k <= n && n <= 21) {
            sb.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            sb.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            sb.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            sb.append(digits.charAt(0));
            if (k > 1) {
                sb.append('.').append(digits, 1, k);
            }
            sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return sb.toString();
    }

    /**
     * The shortest decimal that rounds to {@code d}, the one nearest {@code d} if there are several, trailing zeros
     * stripped. {@link Double#toString(double)} (JDK 19+) gives that, except that where one digit would do it may
     * give two nearer ones ({@code 4.9E-324} for {@code 5e-324}); ECMAScript wants the fewest digits first.
     */
    private static BigDecimal shortest(double d) {
        BigDecimal jdk = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (jdk.precision() != 2) {
            return jdk;
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal best = null;
        for (BigDecimal candidate : new BigDecimal[] {
                jdk.setScale(jdk.scale() - 1, RoundingMode.FLOOR),
                jdk.setScale(jdk.scale() - 1, RoundingMode.CEILING)}) {
            if (candidate.doubleValue() == d && (best == null
                    || candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
                best = candidate;
            }
        }
        return best == null ? jdk : best.stripTrailingZeros();
    }

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        hex(c, sb);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        hex(c, sb); // a lone surrogate: see the class comment
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void hex(char c, StringBuilder sb) {
        String h = Integer.toHexString(c);
        sb.append("\\u").append("0".repeat(4 - h.length())).append(h);
    }
}
