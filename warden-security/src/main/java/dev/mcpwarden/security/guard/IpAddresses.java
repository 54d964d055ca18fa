package dev.mcpwarden.security.guard;

import java.util.HexFormat;

/**
 * Parses IP literals the way browsers, curl and {@code inet_aton} do, and says which addresses are not public.
 * Package-private: {@link UrlGuard} is the API.
 */
final class IpAddresses {

    /** Result of {@link #parseIpv4Loose}: not numeric at all (a host name). */
    static final byte[] NOT_NUMERIC = new byte[0];

    private IpAddresses() {
    }

    /**
     * Parses an IPv4 address in any {@code inet_aton} form: one to four dot-separated parts, each decimal, octal
     * (leading {@code 0}) or hex ({@code 0x}), the last part filling the remaining bytes ({@code 127.1},
     * {@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}). Returns {@link #NOT_NUMERIC} when the host does not end
     * in a number (so it is a name), and {@code null} when it ends in a number but is not a valid address (such hosts
     * must be refused, as browsers do).
     */
    static byte[] parseIpv4Loose(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.isEmpty()) {
            return NOT_NUMERIC;
        }
        String[] parts = h.split("\\.", -1);
        String last = parts[parts.length - 1];
        if (last.isEmpty() || (!last.chars().allMatch(c -> c >= '0' && c <= '9') && partValue(last) < 0)) {
            return NOT_NUMERIC;
        }
        if (parts.length > 4) {
            return null;
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = partValue(parts[i]);
            if (values[i] < 0) {
                return null;
            }
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                return null;
            }
            address |= values[i] << (8 * (3 - i));
        }
        long lastMax = (1L << (8 * (5 - parts.length))) - 1;
        if (values[parts.length - 1] > lastMax) {
            return null;
        }
        address |= values[parts.length - 1];
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    /** The value of one {@code inet_aton} part, or -1. */
    private static long partValue(String part) {
        if (part.isEmpty() || part.length() > 40) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.length() >= 2 && part.charAt(0) == '0' && (part.charAt(1) == 'x' || part.charAt(1) == 'X')) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) {
                return 0;
            }
        } else if (part.length() >= 2 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0 || digits.charAt(i) > 'f') {
                return -1;
            }
            value = value * radix + d;
            if (value > 0xFFFFFFFFL) {
                return Long.MAX_VALUE / 2; // numeric but too large: the caller refuses it
            }
        }
        return value;
    }

    /** Parses an IPv6 literal (no brackets, no zone), with an optional trailing dotted IPv4; {@code null} if invalid. */
    static byte[] parseIpv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        byte[] headBytes = groups(head, dbl < 0);
        byte[] tailBytes = dbl >= 0 ? groups(tail, true) : new byte[0];
        if (headBytes == null || tailBytes == null) {
            return null;
        }
        int total = headBytes.length + tailBytes.length;
        if ((dbl < 0 && total != 16) || (dbl >= 0 && total > 14)) {
            return null;
        }
        byte[] out = new byte[16];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(tailBytes, 0, out, 16 - tailBytes.length, tailBytes.length);
        return out;
    }

    private static byte[] groups(String part, boolean mayEndWithIpv4) {
        if (part.isEmpty()) {
            return new byte[0];
        }
        String[] groups = part.split(":", -1);
        byte[] out = new byte[groups.length * 2 + 2];
        int n = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (i == groups.length - 1 && mayEndWithIpv4 && g.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4Strict(g);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, n, 4);
                n += 4;
                continue;
            }
            if (g.isEmpty() || g.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < g.length(); k++) {
                int d = Character.digit(g.charAt(k), 16);
                if (d < 0 || g.charAt(k) > 'f') {
                    return null;
                }
                v = v * 16 + d;
            }
            out[n++] = (byte) (v >>> 8);
            out[n++] = (byte) v;
        }
        byte[] trimmed = new byte[n];
        System.arraycopy(out, 0, trimmed, 0, n);
        return trimmed;
    }

    /** Strict dotted-decimal IPv4 (four decimal parts 0–255), as allowed inside IPv6 literals. */
    static byte[] parseIpv4Strict(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private record Range(byte[] prefix, int bits, String reason) {
    }

    private static Range v4(String cidr, String reason) {
        String[] p = cidr.split("/");
        return new Range(parseIpv4Strict(p[0]), Integer.parseInt(p[1]), reason);
    }

    private static Range v6(String cidr, String reason) {
        String[] p = cidr.split("/");
        return new Range(parseIpv6(p[0]), Integer.parseInt(p[1]), reason);
    }

    private static final Range[] V4_DENIED = {
        v4("255.255.255.255/32", "broadcast"),
        v4("0.0.0.0/8", "this-network (0.0.0.0/8)"),
        v4("10.0.0.0/8", "private (10/8)"),
        v4("100.64.0.0/10", "carrier-grade NAT (100.64/10)"),
        v4("127.0.0.0/8", "loopback"),
        v4("169.254.0.0/16", "link-local or cloud metadata (169.254/16)"),
        v4("172.16.0.0/12", "private (172.16/12)"),
        v4("192.0.0.0/24", "IETF protocol assignment (192.0.0/24)"),
        v4("192.0.2.0/24", "documentation (192.0.2/24)"),
        v4("192.88.99.0/24", "6to4 relay anycast"),
        v4("192.168.0.0/16", "private (192.168/16)"),
        v4("198.18.0.0/15", "benchmarking (198.18/15)"),
        v4("198.51.100.0/24", "documentation (198.51.100/24)"),
        v4("203.0.113.0/24", "documentation (203.0.113/24)"),
        v4("224.0.0.0/4", "multicast"),
        v4("240.0.0.0/4", "reserved (240/4)"),
    };

    private static final Range[] V6_DENIED = {
        v6("::/128", "unspecified (::)"),
        v6("::1/128", "loopback (::1)"),
        v6("64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)"),
        v6("100::/64", "discard-only (100::/64)"),
        v6("2001::/23", "IETF protocol assignment or Teredo (2001::/23)"),
        v6("2001:db8::/32", "documentation (2001:db8::/32)"),
        v6("3fff::/20", "documentation (3fff::/20)"),
        v6("fc00::/7", "unique-local (fc00::/7)"),
        v6("fe80::/10", "link-local (fe80::/10)"),
        v6("fec0::/10", "site-local (fec0::/10)"),
        v6("ff00::/8", "multicast (ff00::/8)"),
    };

    private static final Range MAPPED = v6("::ffff:0:0/96", "");
    private static final Range TRANSLATED = v6("::ffff:0:0:0/96", "");
    private static final Range COMPATIBLE = v6("::/96", "");
    private static final Range NAT64 = v6("64:ff9b::/96", "");
    private static final Range SIX_TO_FOUR = v6("2002::/16", "");
    private static final Range GLOBAL_UNICAST = v6("2000::/3", "");

    /**
     * Why the address (4 or 16 bytes) is not a public unicast destination, or {@code null} if it is. IPv6 forms that
     * embed an IPv4 address (mapped, translated, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4
     * address; IPv4-compatible {@code ::a.b.c.d} (deprecated) and anything outside 2000::/3 are refused.
     */
    static String whyNotPublic(byte[] address) {
        if (address.length == 4) {
            for (Range r : V4_DENIED) {
                if (matches(address, r)) {
                    return r.reason;
                }
            }
            return null;
        }
        if (address.length != 16) {
            return "unknown address family";
        }
        for (Range r : V6_DENIED) {
            if (matches(address, r)) {
                return r.reason;
            }
        }
        if (matches(address, MAPPED) || matches(address, TRANSLATED) || matches(address, NAT64)) {
            String embedded = whyNotPublic(slice(address, 12));
            return embedded == null ? null : "IPv6 embedding a " + embedded + " IPv4 address";
        }
        if (matches(address, COMPATIBLE)) {
            return "IPv4-compatible IPv6 (deprecated)";
        }
        if (matches(address, SIX_TO_FOUR)) {
            String embedded = whyNotPublic(slice(address, 2));
            return embedded == null ? null : "6to4 embedding a " + embedded + " IPv4 address";
        }
        if (!matches(address, GLOBAL_UNICAST)) {
            return "not global unicast (outside 2000::/3)";
        }
        return null;
    }

    private static byte[] slice(byte[] a, int from) {
        return new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]};
    }

    private static boolean matches(byte[] address, Range r) {
        if (address.length != r.prefix.length) {
            return false;
        }
        int full = r.bits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != r.prefix[i]) {
                return false;
            }
        }
        int rest = r.bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[full] & mask) == (r.prefix[full] & mask);
    }

    /** Hex form of an address for logs. */
    static String hex(byte[] address) {
        return HexFormat.of().formatHex(address);
    }
}
