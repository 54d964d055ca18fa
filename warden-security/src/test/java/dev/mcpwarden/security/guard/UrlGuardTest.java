package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.guard.Verdict.Block;
import dev.mcpwarden.security.guard.Verdict.Kind;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlGuardTest {

    static final Map<String, List<String>> DNS = Map.of(
            "public.example", List.of("93.184.215.14"),
            "dual.example", List.of("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
            "rebind.example", List.of("93.184.215.14", "127.0.0.1"),
            "private.example", List.of("10.1.2.3"),
            "v6local.example", List.of("fd00::1"));

    final List<String> lookups = new ArrayList<>();
    final HostResolver resolver = host -> {
        lookups.add(host);
        List<String> ips = DNS.get(host);
        if (ips == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> out = new ArrayList<>();
        for (String ip : ips) {
            out.add(InetAddress.getByName(ip));
        }
        return out;
    };
    final UrlGuard guard = UrlGuard.of(UrlGuard.Config.defaults(), resolver);

    private String reason(String url) {
        Verdict v = guard.check(url);
        assertThat(v).as(url).isInstanceOf(Block.class);
        assertThat(((Block) v).kind()).isEqualTo(Kind.SSRF);
        return ((Block) v).reason();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://public.example/", "https://public.example/a/b?q=1#frag", "HTTP://PUBLIC.EXAMPLE",
        "http://public.example.:8080/x", "http://93.184.215.14/", "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/",
        "https://dual.example/", "http://[::ffff:93.184.215.14]/", "http://[64:ff9b::5db8:d70e]/",
        "http://[2002:5db8:d70e::1]/", "http://public.example?x=1"})
    void publicDestinationsAreAllowed(String url) {
        assertThat(guard.check(url)).as(url).isEqualTo(Verdict.allow());
    }

    @Test
    void vettingReturnsTheRebuiltUrlAndTheAddressesToConnectTo() throws Exception {
        UrlGuard.Target t = ((UrlGuard.Safe) guard.vet("HTTPS://Public.Example:443/a%20b?q=1#frag")).target();
        assertThat(t.uri()).isEqualTo(URI.create("https://public.example/a%20b?q=1"));
        assertThat(t.port()).isEqualTo(443);
        assertThat(t.addresses()).containsExactly(InetAddress.getByName("93.184.215.14"));
        UrlGuard.Target numeric = ((UrlGuard.Safe) guard.vet("http://1572394766:81")).target();
        assertThat(numeric.uri()).isEqualTo(URI.create("http://93.184.215.14:81/"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "file:///etc/passwd|scheme 'file' is not allowed",
        "gopher://127.0.0.1:25/|scheme 'gopher' is not allowed",
        "ftp://public.example/|scheme 'ftp' is not allowed",
        "dict://127.0.0.1:11211/|scheme 'dict' is not allowed",
        "jar:http://public.example!/|scheme 'jar' is not allowed",
        "//public.example/|URL has no scheme",
        "public.example|URL has no scheme",
        "http:/public.example|URL must have the form scheme://host/",
        "http:///public.example|URL must have the form scheme://host/",
        "http://user:pw@public.example/|user info in URL",
        "http://public.example@127.0.0.1/|user info in URL",
        "http://public.example\\@127.0.0.1/|backslash in URL",
        "http://public.example:99999/|invalid port",
        "http://public.example:80a/|invalid port",
        "http://:80/|URL has no host",
        "http://unknown.example/|host does not resolve",
        "http://a..b/|invalid host name",
        "http://exa$mple.com/|invalid character in host name",
    })
    void malformedOrDisallowedUrlsAreBlocked(String url, String expected) {
        assertThat(reason(url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://127.0.0.1:6379/|address is not public: loopback",
        "http://169.254.169.254/latest/meta-data/|address is not public: link-local or cloud metadata (169.254/16)",
        "http://10.0.0.5/admin|address is not public: private (10/8)",
        "http://172.16.0.1/|address is not public: private (172.16/12)",
        "http://172.31.255.255/|address is not public: private (172.16/12)",
        "http://192.168.1.1/|address is not public: private (192.168/16)",
        "http://100.64.0.1/|address is not public: carrier-grade NAT (100.64/10)",
        "http://0.0.0.0/|address is not public: this-network (0.0.0.0/8)",
        "http://0/|address is not public: this-network (0.0.0.0/8)",
        "http://224.0.0.1/|address is not public: multicast",
        "http://255.255.255.255/|address is not public: broadcast",
        "http://240.0.0.1/|address is not public: reserved (240/4)",
        "http://198.18.0.1/|address is not public: benchmarking (198.18/15)",
    })
    void nonPublicIpv4LiteralsAreBlocked(String url, String expected) {
        assertThat(reason(url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://2130706433/", "http://0x7f000001/", "http://0x7F.1/", "http://0177.0.0.1/",
        "http://0177.1/", "http://127.1/", "http://127.0.1/", "http://017700000001/", "http://0x7f.0x0.0x0.0x1/",
        "http://127.0.0.1./", "http://127.000.000.001/", "http://0x7f.000.1/", "http://1.0x7f000001/x"})
    void everyNumericEncodingOfLoopbackIsRecognisedAndBlocked(String url) {
        String reason = reason(url);
        if (url.equals("http://1.0x7f000001/x")) {
            assertThat(reason).isEqualTo("host ends in a number but is not a valid IPv4 address");
        } else {
            assertThat(reason).isEqualTo("address is not public: loopback");
        }
    }

    @Test
    void numericEncodingsOfMetadataAndPrivateRangesAreBlocked() {
        assertThat(reason("http://2852039166/")).isEqualTo(
                "address is not public: link-local or cloud metadata (169.254/16)");
        assertThat(reason("http://0xa9fea9fe/")).isEqualTo(
                "address is not public: link-local or cloud metadata (169.254/16)");
        assertThat(reason("http://0251.0376.0251.0376/")).isEqualTo(
                "address is not public: link-local or cloud metadata (169.254/16)");
        assertThat(reason("http://169.254.43518/")).isEqualTo(
                "address is not public: link-local or cloud metadata (169.254/16)");
        assertThat(reason("http://10.1/")).isEqualTo("address is not public: private (10/8)");
    }

    @Test
    void hostsThatEndInANumberButAreNotAddressesAreBlocked() {
        assertThat(reason("http://1.2.3.4.5/")).isEqualTo("host ends in a number but is not a valid IPv4 address");
        assertThat(reason("http://256.0.0.1/")).isEqualTo("host ends in a number but is not a valid IPv4 address");
        assertThat(reason("http://08.0.0.1/")).isEqualTo("host ends in a number but is not a valid IPv4 address");
        assertThat(reason("http://4294967296/")).isEqualTo("host ends in a number but is not a valid IPv4 address");
        assertThat(reason("http://example.123/")).isEqualTo("host ends in a number but is not a valid IPv4 address");
    }

    @Test
    void percentEncodedAndFullwidthHostsAreDecodedBeforeTheCheck() {
        assertThat(reason("http://127.0.0.%31/")).isEqualTo("address is not public: loopback");
        assertThat(reason("http://%31%32%37.0.0.1/")).isEqualTo("address is not public: loopback");
        assertThat(reason("http://127\u30020\u30020\u30021/")).isEqualTo("address is not public: loopback");
        assertThat(reason("http://\uff11\uff12\uff17.0.0.1/")).isEqualTo("address is not public: loopback");
        assertThat(reason("http://127.0.0.1\u200b/")).isEqualTo("address is not public: loopback");
        assertThat(reason("http://loc%61lhost/")).isEqualTo(
                "host name is on the deny list (loopback, metadata or internal)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://[::1]/|address is not public: loopback (::1)",
        "http://[::]/|address is not public: unspecified (::)",
        "http://[0:0:0:0:0:0:0:1]/|address is not public: loopback (::1)",
        "http://[::ffff:127.0.0.1]/|address is not public: IPv6 embedding a loopback IPv4 address",
        "http://[::ffff:7f00:1]/|address is not public: IPv6 embedding a loopback IPv4 address",
        "http://[::ffff:169.254.169.254]/|address is not public: IPv6 embedding a link-local or cloud metadata (169.254/16) IPv4 address",
        "http://[::127.0.0.1]/|address is not public: IPv4-compatible IPv6 (deprecated)",
        "http://[64:ff9b::10.0.0.1]/|address is not public: IPv6 embedding a private (10/8) IPv4 address",
        "http://[64:ff9b::7f00:1]/|address is not public: IPv6 embedding a loopback IPv4 address",
        "http://[2002:7f00:1::]/|address is not public: 6to4 embedding a loopback IPv4 address",
        "http://[2002:a9fe:a9fe::1]/|address is not public: 6to4 embedding a link-local or cloud metadata (169.254/16) IPv4 address",
        "http://[fe80::1]/|address is not public: link-local (fe80::/10)",
        "http://[febf::1]/|address is not public: link-local (fe80::/10)",
        "http://[fc00::1]/|address is not public: unique-local (fc00::/7)",
        "http://[fd12:3456::1]/|address is not public: unique-local (fc00::/7)",
        "http://[ff02::1]/|address is not public: multicast (ff00::/8)",
        "http://[2001:db8::1]/|address is not public: documentation (2001:db8::/32)",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/|address is not public: IETF protocol assignment or Teredo (2001::/23)",
        "http://[100::1]/|address is not public: discard-only (100::/64)",
        "http://[4000::1]/|address is not public: not global unicast (outside 2000::/3)",
        "http://[fe80::1%25eth0]/|IPv6 zone identifier in URL",
        "http://[::1/|unterminated IPv6 literal",
        "http://[1::2::3]/|invalid IPv6 literal",
        "http://[::1]x/|garbage after IPv6 literal",
    })
    void nonPublicIpv6LiteralsAreBlocked(String url, String expected) {
        assertThat(reason(url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/", "http://LOCALHOST:8080/", "http://foo.localhost/",
        "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/", "http://instance-data/latest",
        "http://anything.internal/", "http://printer.local/", "http://localhost./"})
    void metadataAndLoopbackHostNamesAreBlockedWithoutResolving(String url) {
        assertThat(reason(url)).isEqualTo("host name is on the deny list (loopback, metadata or internal)");
        assertThat(lookups).isEmpty();
    }

    @Test
    void everyResolvedAddressMustBePublic() {
        assertThat(reason("http://private.example/")).isEqualTo(
                "host resolves to a non-public address: private (10/8)");
        assertThat(reason("http://rebind.example/")).isEqualTo("host resolves to a non-public address: loopback");
        assertThat(reason("http://v6local.example/")).isEqualTo(
                "host resolves to a non-public address: unique-local (fc00::/7)");
        assertThat(lookups).containsExactly("private.example", "rebind.example", "v6local.example");
    }

    @Test
    void portAllowListIsEnforced() {
        UrlGuard webOnly = UrlGuard.of(UrlGuard.Config.defaults().withPorts(Set.of(80, 443)), resolver);
        assertThat(webOnly.check("https://public.example/")).isEqualTo(Verdict.allow());
        assertThat(((Block) webOnly.check("http://public.example:6379/")).reason()).isEqualTo(
                "port 6379 is not allowed");
    }

    @Test
    void nonAsciiPathsAndOverlongUrlsAreBlocked() {
        assertThat(reason("http://public.example/caf\u00e9")).isEqualTo(
                "non-ASCII character in path or query (percent-encode it)");
        assertThat(reason("http://public.example/" + "a".repeat(2048))).isEqualTo(
                "URL longer than 2048 characters");
        assertThat(reason("http://public.example/a b")).isEqualTo("whitespace or control character in URL");
        assertThat(reason("")).isEqualTo("empty URL");
        assertThat(reason(null)).isEqualTo("empty URL");
    }

    @Test
    void invalidConfigurationIsRejectedWithTheBadValue() {
        assertThatThrownBy(() -> new UrlGuard.Config(Set.of("ftp"), Set.of(), Set.of(), 2048))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schemes must be a non-empty subset of [http, https], was [ftp]");
        assertThatThrownBy(() -> new UrlGuard.Config(Set.of("http"), Set.of(0), Set.of(), 2048))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port out of range: 0");
    }

    @Test
    void whyNotPublicClassifiesResolvedAddresses() throws Exception {
        assertThat(UrlGuard.whyNotPublic(InetAddress.getByName("8.8.8.8"))).isNull();
        assertThat(UrlGuard.whyNotPublic(InetAddress.getByName("169.254.169.254")))
                .isEqualTo("link-local or cloud metadata (169.254/16)");
        assertThat(UrlGuard.whyNotPublic(InetAddress.getByName("fe80::1"))).isEqualTo("link-local (fe80::/10)");
    }
}
