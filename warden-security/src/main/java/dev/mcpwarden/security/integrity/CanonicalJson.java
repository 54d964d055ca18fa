package dev.mcpwarden.security.integrity;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Canonical JSON text in the manner of RFC 8785 (JCS): object members sorted by the UTF-16 code units of their names,
 * no insignificant whitespace, numbers in one normal form, strings with the minimal escapes. Strings are written
 * with their exact code points: no Unicode normalisation, so a homoglyph or an invisible character changes the digest.
 *
 * <p>Numbers: any JSON number is written as the shortest decimal of its value without trailing zeros ({@code 1.0},
 * {@code 1} and {@code 1e0} are all {@code 1}; {@code -0} is {@code 0}); plain notation when the decimal exponent
 * lies in [-6, 21), otherwise {@code <mantissa>e<sign><exponent>} as ECMAScript writes it. Binary floating point
 * values (how Jackson reads non-integers) are taken by their shortest round-trip decimal. Lone surrogates, which
 * UTF-8 cannot carry, are written as {@code \\uXXXX} escapes so that two different ones never hash alike.
 */
final class CanonicalJson {

    private CanonicalJson() {
    }

    static String write(JsonNode node) {
        StringBuilder sb = new StringBuilder(256);
        write(node, sb);
        return sb.toString();
    }

    private static void write(JsonNode node, StringBuilder sb) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            sb.append("null");
        } else if (node.isObject()) {
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                names.add(e.getKey());
            }
            names.sort(null); // String.compareTo orders by UTF-16 code units, as JCS requires
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
            // binary or POJO nodes never come from parsed JSON; hash their JSON text form
            string(node.asString(), sb);
        }
    }

    static String number(BigDecimal value) {
        StringBuilder sb = new StringBuilder();
        number(value, sb);
        return sb.toString();
    }

    private static void number(JsonNode node, StringBuilder sb) {
        if (node.isDouble() || node.isFloat()) {
            double d = node.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("a JSON number cannot be " + d);
            }
            number(BigDecimal.valueOf(d), sb);
        } else {
            number(node.decimalValue(), sb);
        }
    }

    private static void number(BigDecimal value, StringBuilder sb) {
        if (value.signum() == 0) {
            sb.append('0');
            return;
        }
        BigDecimal v = value.stripTrailingZeros();
        // decimal exponent of the leading digit: v = d.ddd × 10^exp
        int exp = v.precision() - v.scale() - 1;
        if (exp >= -6 && exp < 21) {
            sb.append(v.toPlainString());
            return;
        }
        String digits = v.unscaledValue().abs().toString();
        if (v.signum() < 0) {
            sb.append('-');
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        sb.append('e').append(exp < 0 ? '-' : '+').append(Math.abs(exp));
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
                        hex(c, sb);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void hex(char c, StringBuilder sb) {
        sb.append("\\u");
        String h = Integer.toHexString(c);
        sb.append("0".repeat(4 - h.length())).append(h);
    }
}
