package dev.mcpwarden.authserver.login;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing per username: after {@value #FREE_FAILURES} failures in a row, each further failure
 * blocks the name for a period that doubles from 30 seconds up to 15 minutes. A success resets the count. (Per-name
 * rather than per-address, because addresses are cheap for an attacker; the block is short so it cannot lock a user
 * out for long.)
 */
public final class LoginThrottle {

    static final int FREE_FAILURES = 5;
    private static final Duration FIRST_BLOCK = Duration.ofSeconds(30);
    private static final Duration LONGEST_BLOCK = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, Instant blockedUntil) {
    }

    private final InstantSource clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(InstantSource clock) {
        this.clock = clock;
    }

    /** Whether {@code username} may try now. */
    public boolean allowed(String username) {
        Failures f = failures.get(key(username));
        return f == null || !clock.instant().isBefore(f.blockedUntil());
    }

    public void failed(String username) {
        if (failures.size() >= MAX_TRACKED) {
            failures.clear(); // bounded memory under a flood of made-up names
        }
        Instant now = clock.instant();
        failures.compute(key(username), (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            if (count <= FREE_FAILURES) {
                return new Failures(count, Instant.MIN);
            }
            long factor = 1L << Math.min(count - FREE_FAILURES - 1, 10);
            Duration block = FIRST_BLOCK.multipliedBy(factor);
            return new Failures(count, now.plus(block.compareTo(LONGEST_BLOCK) > 0 ? LONGEST_BLOCK : block));
        });
    }

    public void succeeded(String username) {
        failures.remove(key(username));
    }

    private static String key(String username) {
        return username == null ? "" : username.toLowerCase(java.util.Locale.ROOT);
    }
}
