package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.guard.Verdict.Block;
import dev.mcpwarden.security.guard.Verdict.Kind;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Admits a URL only if fetching it cannot reach a non-public destination (server-side request forgery).
 *
 * <p>The URL is parsed here, not by {@link URI}, in the most suspicious reading a browser, curl or
 * {@code inet_aton} would give it: scheme must be allowed (http, https); no user info; no backslash, whitespace or
 * control character; host percent-decoded and IDNA-mapped (so fullwidth dots count as dots); a host that ends in a
 * number is an IPv4 address in any encoding ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}, {@code 127.1})
 * or refused. Literals are checked directly; names are refused if on the deny list (localhost, cloud metadata names,
 * {@code *.internal}) and otherwise resolved, and <em>every</em> resolved address must be public (see
 * {@link #whyNotPublic(InetAddress)}).
 *
 * <p>A check alone does not stop DNS rebinding (the name may resolve differently when the client connects): fetch
 * through {@link SafeHttpFetcher}, which connects to the addresses vetted here.
 */
public final class UrlGuard implements InputGuard {

    /**
     * What the guard admits.
     *
     * @param schemes       allowed schemes, lower case (a subset of http and https)
     * @param ports         allowed ports; empty means any port
     * @param deniedHosts   host names refused outright; an entry starting with {@code .} denies a suffix
     * @param maxLength     longest URL judged
     */
    public record Config(Set<String> schemes, Set<Integer> ports, Set<String> deniedHosts, int maxLength) {
        public Config {
            schemes = Set.copyOf(schemes);
            ports = Set.copyOf(ports);
            deniedHosts = Set.copyOf(deniedHosts);
            if (schemes.isEmpty() || !Set.of("http", "https").containsAll(schemes)) {
                throw new IllegalArgumentException("schemes must be a non-empty subset of [http, https], was "
                        + schemes);
            }
            for (int port : ports) {
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port out of range: " + port);
                }
            }
            for (String host : deniedHosts) {
                if (!host.equals(host.toLowerCase(Locale.ROOT)) || host.isBlank()) {
                    throw new IllegalArgumentException("denied hosts must be lower-case names, was '" + host + "'");
                }
            }
            if (maxLength < 16 || maxLength > 65536) {
                throw new IllegalArgumentException("maxLength must be between 16 and 65536, was " + maxLength);
            }
        }

        /** http and https on any port, the standard deny list, URLs up to 2048 characters. */
        public static Config defaults() {
            return new Config(Set.of("http", "https"), Set.of(), DEFAULT_DENIED_HOSTS, 2048);
        }

        /** This configuration with only the given ports allowed. */
        public Config withPorts(Set<Integer> allowed) {
            return new Config(schemes, allowed, deniedHosts, maxLength);
        }
    }

    /** Names refused before resolution: loopback and cloud-metadata names, and internal suffixes. */
    public static final Set<String> DEFAULT_DENIED_HOSTS = Set.of(
            "localhost", ".localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback",
            "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
            "metadata.azure.com", ".internal", ".local", ".localdomain", ".home.arpa");

    /**
     * A URL that passed the guard, rebuilt from the parsed parts.
     *
     * @param scheme       http or https
     * @param host         the ASCII host as the request must name it (IPv6 without brackets)
     * @param port         the effective port
     * @param pathAndQuery the path and query (at least {@code /}), fragment dropped
     * @param addresses    the vetted addresses to connect to
     */
    public record Target(String scheme, String host, int port, String pathAndQuery, List<InetAddress> addresses) {
        public Target {
            addresses = List.copyOf(addresses);
        }

        /** The URL to request, in a form {@link URI} parses exactly as this guard did. */
        public URI uri() {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return URI.create(scheme + "://" + h + (defaultPort ? "" : ":" + port) + pathAndQuery);
        }
    }

    /** The result of {@link #vet(String)}. */
    public sealed interface Vetting permits Safe, Unsafe {
        /** The verdict equivalent to this result. */
        Verdict verdict();
    }

    /** The URL is safe to fetch at the given target. */
    public record Safe(Target target) implements Vetting {
        @Override
        public Verdict verdict() {
            return Verdict.allow();
        }
    }

    /** The URL is refused. */
    public record Unsafe(Block block) implements Vetting {
        @Override
        public Verdict verdict() {
            return block;
        }
    }

    private final Config config;
    private final HostResolver resolver;

    private UrlGuard(Config config, HostResolver resolver) {
        this.config = config;
        this.resolver = resolver;
    }

    /** The guard with {@link Config#defaults()} and the system resolver. */
    public static UrlGuard standard() {
        return new UrlGuard(Config.defaults(), HostResolver.system());
    }

    /** A guard with the given configuration and resolver. */
    public static UrlGuard of(Config config, HostResolver resolver) {
        return new UrlGuard(Objects.requireNonNull(config, "config"), Objects.requireNonNull(resolver, "resolver"));
    }

    @Override
    public Verdict check(String url) {
        return vet(url).verdict();
    }

    /** Parses, resolves and checks {@code url}; a {@link Safe} result carries the addresses to connect to. */
    public Vetting vet(String url) {
        try {
            return new Safe(target(url));
        } catch (Refused r) {
            return new Unsafe(Verdict.block(Kind.SSRF, r.getMessage()));
        }
    }

    /** Why {@code address} is not a public unicast destination, or {@code null} if it is. */
    public static String whyNotPublic(InetAddress address) {
        return IpAddresses.whyNotPublic(address.getAddress());
    }

    private static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private Target target(String url) throws Refused {
        if (url == null || url.isEmpty()) {
            throw new Refused("empty URL");
        }
        if (url.length() > config.maxLength()) {
            throw new Refused("URL longer than " + config.maxLength() + " characters");
        }
        int colon = url.indexOf(':');
        if (colon <= 0 || !url.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            throw new Refused("URL has no scheme");
        }
        String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!config.schemes().contains(scheme)) {
            throw new Refused("scheme '" + (scheme.length() > 16 ? scheme.substring(0, 16) : scheme)
                    + "' is not allowed");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c == 0x7F) {
                throw new Refused("whitespace or control character in URL");
            }
            if (c == '\\') {
                throw new Refused("backslash in URL");
            }
        }
        String rest = url.substring(colon + 1);
        if (!rest.startsWith("//") || rest.startsWith("///")) {
            throw new Refused("URL must have the form scheme://host/");
        }
        rest = rest.substring(2);
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String authority = rest.substring(0, end);
        String pathAndQuery = rest.substring(end);
        int hash = pathAndQuery.indexOf('#');
        if (hash >= 0) {
            pathAndQuery = pathAndQuery.substring(0, hash);
        }
        if (pathAndQuery.isEmpty() || pathAndQuery.charAt(0) == '?') {
            pathAndQuery = "/" + pathAndQuery;
        }
        for (int i = 0; i < pathAndQuery.length(); i++) {
            if (pathAndQuery.charAt(i) >= 0x80) {
                throw new Refused("non-ASCII character in path or query (percent-encode it)");
            }
        }
        if (authority.indexOf('@') >= 0) {
            throw new Refused("user info in URL");
        }
        String hostPart;
        String portPart = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new Refused("unterminated IPv6 literal");
            }
            hostPart = authority.substring(0, close + 1);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (after.charAt(0) != ':') {
                    throw new Refused("garbage after IPv6 literal");
                }
                portPart = after.substring(1);
            }
        } else {
            int c = authority.lastIndexOf(':');
            hostPart = c >= 0 ? authority.substring(0, c) : authority;
            portPart = c >= 0 ? authority.substring(c + 1) : null;
        }
        int port = scheme.equals("https") ? 443 : 80;
        if (portPart != null && !portPart.isEmpty()) {
            if (portPart.length() > 5 || !portPart.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new Refused("invalid port");
            }
            port = Integer.parseInt(portPart);
            if (port < 1 || port > 65535) {
                throw new Refused("invalid port");
            }
        }
        if (!config.ports().isEmpty() && !config.ports().contains(port)) {
            throw new Refused("port " + port + " is not allowed");
        }
        if (hostPart.isEmpty()) {
            throw new Refused("URL has no host");
        }
        if (hostPart.startsWith("[")) {
            String literal = hostPart.substring(1, hostPart.length() - 1).toLowerCase(Locale.ROOT);
            if (literal.indexOf('%') >= 0) {
                throw new Refused("IPv6 zone identifier in URL");
            }
            byte[] bytes = IpAddresses.parseIpv6(literal);
            if (bytes == null) {
                throw new Refused("invalid IPv6 literal");
            }
            return literalTarget(scheme, literal, port, pathAndQuery, bytes);
        }
        String host = asciiHost(hostPart);
        byte[] v4 = IpAddresses.parseIpv4Loose(host);
        if (v4 == null) {
            throw new Refused("host ends in a number but is not a valid IPv4 address");
        }
        if (v4.length == 4) {
            String dotted = (v4[0] & 0xFF) + "." + (v4[1] & 0xFF) + "." + (v4[2] & 0xFF) + "." + (v4[3] & 0xFF);
            return literalTarget(scheme, dotted, port, pathAndQuery, v4);
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (denied(name)) {
            throw new Refused("host name is on the deny list (loopback, metadata or internal)");
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(name);
        } catch (UnknownHostException | RuntimeException e) {
            throw new Refused("host does not resolve");
        }
        if (addresses == null || addresses.isEmpty()) {
            throw new Refused("host does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = whyNotPublic(a);
            if (why != null) {
                throw new Refused("host resolves to a non-public address: " + why);
            }
        }
        return checkedTarget(scheme, name, port, pathAndQuery, addresses);
    }

    private Target literalTarget(String scheme, String host, int port, String pathAndQuery, byte[] bytes)
            throws Refused {
        String why = IpAddresses.whyNotPublic(bytes);
        if (why != null) {
            throw new Refused("address is not public: " + why);
        }
        try {
            return checkedTarget(scheme, host, port, pathAndQuery, List.of(InetAddress.getByAddress(bytes)));
        } catch (UnknownHostException e) {
            throw new Refused("invalid address");
        }
    }

    private static Target checkedTarget(String scheme, String host, int port, String pathAndQuery,
            List<InetAddress> addresses) throws Refused {
        Target target = new Target(scheme, host, port, pathAndQuery, addresses);
        try {
            URI uri = new URI(target.uri().toString());
            if (!host.equalsIgnoreCase(uri.getHost() == null ? "" : uri.getHost().replaceAll("^\\[|]$", ""))
                    || uri.getRawUserInfo() != null) {
                throw new Refused("URL is parsed differently by the HTTP client");
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new Refused("malformed path or query");
        }
        return target;
    }

    /** Percent-decodes and IDNA-maps the host, then requires letters, digits, '-', '_' and dots. */
    private static String asciiHost(String raw) throws Refused {
        String decoded = raw;
        if (raw.indexOf('%') >= 0) {
            decoded = PathGuard.percentDecode(raw);
            if (decoded.indexOf('%') >= 0 || decoded.indexOf('\uFFFD') >= 0) {
                throw new Refused("invalid percent-encoding in host");
            }
        }
        String ascii;
        try {
            ascii = IDN.toASCII(decoded, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new Refused("invalid host name");
        }
        if (ascii.isEmpty() || ascii.length() > 254) {
            throw new Refused("invalid host name");
        }
        String trimmed = ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii;
        if (trimmed.isEmpty()) {
            throw new Refused("invalid host name");
        }
        for (String label : trimmed.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new Refused("invalid host name");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                    throw new Refused("invalid character in host name");
                }
            }
        }
        return ascii;
    }

    private boolean denied(String name) {
        if (config.deniedHosts().contains(name)) {
            return true;
        }
        for (String d : config.deniedHosts()) {
            if (d.startsWith(".") && name.endsWith(d)) {
                return true;
            }
        }
        return false;
    }
}
