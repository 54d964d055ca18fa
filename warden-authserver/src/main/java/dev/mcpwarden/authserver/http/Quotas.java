package dev.mcpwarden.authserver.http;

import dev.mcpwarden.authserver.store.StoreUnavailableException;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;
import org.eclipse.jetty.server.Request;

/**
 * The quotas of the endpoints that create state for anonymous callers: one bucket per network address (an IPv6
 * address counts by its /64, which one host usually holds whole) and one for everyone, both consumed per request.
 */
final class Quotas {

    /** Over a quota: the message is safe to show. */
    static final class Exceeded extends Exception {
        final long retryAfterSeconds;

        Exceeded(String message, Duration retryAfter) {
            super(message, null, false, false);
            this.retryAfterSeconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final RateLimiter limiter;
    private final RateLimitRule registerPerAddress;
    private final RateLimitRule registerAll;
    private final RateLimitRule authorizePerAddress;
    private final RateLimitRule authorizeAll;

    Quotas(RateLimiter limiter, int registerPerAddress, int registerAll, int authorizePerAddress, int authorizeAll) {
        this.limiter = limiter;
        this.registerPerAddress = rule("as-register-address", RateLimitRule.Key.ADDRESS, registerPerAddress);
        this.registerAll = rule("as-register", RateLimitRule.Key.ADDRESS, registerAll);
        this.authorizePerAddress = rule("as-authorize-address", RateLimitRule.Key.ADDRESS, authorizePerAddress);
        this.authorizeAll = rule("as-authorize", RateLimitRule.Key.ADDRESS, authorizeAll);
    }

    private static RateLimitRule rule(String name, RateLimitRule.Key key, int perMinute) {
        return new RateLimitRule(name, key, perMinute, MINUTE, Set.of());
    }

    void register(Request request) throws Exceeded {
        take(registerPerAddress, address(request), "Too many client registrations from this address");
        take(registerAll, "*", "Too many client registrations");
    }

    void authorize(Request request) throws Exceeded {
        take(authorizePerAddress, address(request), "Too many sign-in requests from this address");
        take(authorizeAll, "*", "Too many sign-in requests");
    }

    private void take(RateLimitRule rule, String key, String what) throws Exceeded {
        RateLimiter.Decision d;
        try {
            d = limiter.tryConsume(rule, key);
        } catch (RateLimiter.RateLimiterUnavailable e) {
            // a shared count that cannot be reached: 503, never an uncounted pass
            throw new StoreUnavailableException("quota " + rule.name() + ": " + e.getMessage(), e);
        }
        if (d instanceof RateLimiter.Limited l) {
            Exceeded e = new Exceeded(what, l.retryAfter());
            throw new Exceeded(what + "; try again in " + e.retryAfterSeconds + " seconds", l.retryAfter());
        }
    }

    /** The caller's address; an IPv6 address by its /64. */
    static String address(Request request) {
        String ip = Request.getRemoteAddr(request);
        if (ip == null || ip.indexOf(':') < 0) {
            return ip == null ? "unknown" : ip;
        }
        try {
            byte[] a = InetAddress.getByName(ip.startsWith("[") ? ip.substring(1, ip.length() - 1) : ip)
                    .getAddress();
            if (a.length != 16) {
                return ip;
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                b.append(String.format("%02x%02x:", a[i], a[i + 1]));
            }
            return b.append(":/64").toString();
        } catch (UnknownHostException e) {
            return ip; // a literal: not resolved, only parsed
        }
    }
}
