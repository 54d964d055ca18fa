package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link UrlGuard#vet} with URLs (seeds in {@code UrlGuardFuzzTestInputs/}: private, loopback, metadata and
 * IPv6-mapped addresses in decimal, octal, hex and bracketed forms, userinfo tricks, IDN). Names resolve through a
 * fixed fake resolver, never DNS: names containing {@code public} to a public address, {@code rebind} to a public
 * and a private one, {@code private} to a private one, anything else does not resolve.
 *
 * <p>Invariants: it never throws; it is deterministic; a URL it calls safe is http(s), names a host, and every
 * address it would connect to is public.
 */
class UrlGuardFuzzTest {

    private static final UrlGuard GUARD = UrlGuard.of(UrlGuard.Config.defaults(), UrlGuardFuzzTest::resolve);

    private static List<InetAddress> resolve(String host) throws UnknownHostException {
        if (host.contains("rebind")) {
            return List.of(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.1.2.3"));
        }
        if (host.contains("private")) {
            return List.of(InetAddress.getByName("192.168.1.10"));
        }
        if (host.contains("public")) {
            return List.of(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("2606:2800:220:1::1"));
        }
        throw new UnknownHostException(host);
    }

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aSafeUrlReachesOnlyPublicAddressesAndTheVerdictNeverChanges(byte[] input) {
        String url = new String(input, StandardCharsets.UTF_8);
        UrlGuard.Vetting vetting = GUARD.vet(url);
        assertThat(GUARD.check(url).allowed()).isEqualTo(vetting instanceof UrlGuard.Safe);
        switch (vetting) {
            case UrlGuard.Safe safe -> {
                UrlGuard.Target target = safe.target();
                assertThat(target.scheme()).isIn("http", "https");
                assertThat(target.host()).isNotBlank();
                assertThat(target.port()).isBetween(1, 65535);
                assertThat(target.addresses()).isNotEmpty();
                for (InetAddress a : target.addresses()) {
                    assertThat(UrlGuard.whyNotPublic(a)).as("%s from %s", a, url).isNull();
                }
            }
            case UrlGuard.Unsafe unsafe -> assertThat(unsafe.verdict().allowed()).isFalse();
        }
    }
}
