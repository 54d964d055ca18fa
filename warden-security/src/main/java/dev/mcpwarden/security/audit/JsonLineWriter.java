package dev.mcpwarden.security.audit;

import dev.mcpwarden.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the compact UTF-8 JSON of an audit record straight into a byte array, with the exact bytes
 * {@link Json#standard()} would produce. Strings of printable ASCII without quotes or backslashes (ids, digests,
 * URLs, names: nearly all of a record) are copied as they are; any other string is encoded by Jackson itself, so
 * escaping never differs from the generator's. A Jackson generator per record cost more than the record's hash.
 */
final class JsonLineWriter {

    private static final Json JSON = Json.standard();

    private byte[] buf;
    private int len;

    JsonLineWriter(int capacity) {
        buf = new byte[capacity];
    }

    /** An object member's name, its quotes and the colon, as ASCII; the caller writes the separating comma. */
    static byte[] name(String name) {
        return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    JsonLineWriter raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        return this;
    }

    JsonLineWriter raw(char ascii) {
        ensure(1);
        buf[len++] = (byte) ascii;
        return this;
    }

    /** A JSON string. */
    JsonLineWriter string(String s) {
        int n = s.length();
        ensure(n + 2);
        int start = len;
        buf[len++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                len = start;
                return raw(JSON.mapper().writeValueAsBytes(s));
            }
            buf[len++] = (byte) c;
        }
        buf[len++] = '"';
        return this;
    }

    JsonLineWriter number(long value) {
        if (value >= 0 && value < 10) {
            return raw((char) ('0' + value));
        }
        return raw(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    /** Any other JSON value (a tree node or a number type without a fast path), serialised by Jackson. */
    JsonLineWriter value(Object value) {
        return raw(JSON.mapper().writeValueAsBytes(value));
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
