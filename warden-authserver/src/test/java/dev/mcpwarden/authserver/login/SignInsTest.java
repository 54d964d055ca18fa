package dev.mcpwarden.authserver.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sign-ins are counted per address and, for IPv6, per site, so a whole /48 cannot spray from its 65,536 /64s. */
class SignInsTest {

    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    static SignIns signIns() {
        String hash = PasswordHash.hash("right".toCharArray(), 1024, 1, 1);
        return new SignIns(new BuiltInUsers(Map.of("ann", new BuiltInUsers.Account(hash, Map.of())),
                new HashingGate(1, Duration.ZERO)), LoginAttempts.inMemory());
    }

    @Test
    void onceAnIpv6SiteHasSpentItsBudgetEveryOneOfItsSlash64sIsRefusedAndAnotherSiteIsNot() {
        SignIns s = signIns();
        for (int i = 0; i <= LoginAttempts.Budget.SITE.freeFailures(); i++) {
            // a new /64, a new made-up name and a new request each time: only the site sees them all
            assertThat(s.signIn("2001:db8:7:" + Integer.toHexString(i) + "::1", "p" + i, "made-up-" + i,
                    "wrong".toCharArray(), NOW)).isInstanceOf(SignIns.Wrong.class);
        }
        SignIns.Result refused = s.signIn("2001:db8:7:ffff::1", "q", "ann", "right".toCharArray(), NOW);
        assertThat(refused).isInstanceOfSatisfying(SignIns.Blocked.class,
                b -> assertThat(b.budget()).isEqualTo(LoginAttempts.Budget.SITE));
        assertThat(SignIns.retryAfterSeconds(refused)).isEqualTo(30);

        assertThat(s.signIn("2001:db8:8::1", "r", "ann", "right".toCharArray(), NOW))
                .as("another site").isInstanceOf(SignIns.SignedIn.class);
        assertThat(s.signIn("203.0.113.9", "t", "ann", "right".toCharArray(), NOW))
                .as("IPv4 is counted per address only").isInstanceOf(SignIns.SignedIn.class);
    }

    @Test
    void aSiteIsTheFirstFortyEightBitsOfAnIpv6AddressAndNothingForIpv4() {
        assertThat(LoginAttempts.site("2001:db8:7:1::1")).isEqualTo(LoginAttempts.site("[2001:DB8:7:ffff::9]"))
                .isEqualTo("2001:db8:7::/48");
        assertThat(LoginAttempts.site("2001:db8:8:1::1")).isEqualTo("2001:db8:8::/48");
        assertThat(LoginAttempts.site("192.0.2.1")).isEmpty();
        assertThat(LoginAttempts.site("::ffff:192.0.2.1")).as("an IPv4-mapped address is its IPv4 one").isEmpty();
    }
}
