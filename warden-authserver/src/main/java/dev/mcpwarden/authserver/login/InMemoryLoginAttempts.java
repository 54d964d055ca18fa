package dev.mcpwarden.authserver.login;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link LoginAttempts#inMemory()}: the counts of this process, bounded. */
final class InMemoryLoginAttempts implements LoginAttempts {

    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, Instant blockedUntil) {
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    @Override
    public boolean attempt(String username, Instant now) {
        if (failures.size() >= MAX_TRACKED) {
            failures.clear(); // bounded memory under a flood of made-up names
        }
        boolean[] allowed = new boolean[1];
        // compute runs atomically per key: parallel attempts for one name are counted one after the other
        failures.compute(LoginAttempts.normalized(username), (k, f) -> {
            if (f != null && now.isBefore(f.blockedUntil())) {
                return f; // blocked: not counted
            }
            allowed[0] = true;
            int count = f == null ? 1 : f.count() + 1;
            return new Failures(count, count <= FREE_FAILURES ? Instant.MIN
                    : now.plus(LoginAttempts.blockAfter(count)));
        });
        return allowed[0];
    }

    @Override
    public void succeeded(String username) {
        failures.remove(LoginAttempts.normalized(username));
    }
}
