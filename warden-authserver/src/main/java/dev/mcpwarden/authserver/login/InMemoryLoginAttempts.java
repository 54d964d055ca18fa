package dev.mcpwarden.authserver.login;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link LoginAttempts#inMemory()}: the counts of this process, bounded. */
final class InMemoryLoginAttempts implements LoginAttempts {

    static final int MAX_TRACKED = 100_000;
    private static final long SWEEP_EVERY_MS = 1_000;

    private record Failures(int count, Instant blockedUntil, Instant forgetAt) {
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final int maxTracked;
    private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE);

    InMemoryLoginAttempts() {
        this(MAX_TRACKED);
    }

    InMemoryLoginAttempts(int maxTracked) {
        this.maxTracked = maxTracked;
    }

    @Override
    public Outcome attempt(Budget budget, String key, Instant now) {
        String k = budget.name() + ':' + budget.normalize(key);
        if (failures.size() >= maxTracked && !failures.containsKey(k) && !makeRoom(now)) {
            // never forget a block to make room (that is what a spray of made-up names would aim at): refuse
            return Outcome.blocked(Duration.ofSeconds(1));
        }
        Outcome[] outcome = new Outcome[1];
        // compute runs atomically per key: parallel attempts for one key are counted one after the other
        failures.compute(k, (ignored, f) -> {
            if (f != null && now.isBefore(f.blockedUntil())) {
                outcome[0] = Outcome.blocked(Duration.between(now, f.blockedUntil()));
                return f; // blocked: not counted
            }
            int count = f == null || !now.isBefore(f.forgetAt()) ? 1 : f.count() + 1;
            outcome[0] = Outcome.allowed(count);
            Duration block = budget.blockAfter(count);
            return new Failures(count, block.isZero() ? Instant.MIN : now.plus(block),
                    now.plus(block).plus(budget.memory()));
        });
        return outcome[0];
    }

    @Override
    public void succeeded(Budget budget, String key) {
        String k = budget.name() + ':' + budget.normalize(key);
        if (budget.forgetsOnSuccess()) {
            failures.remove(k);
            return;
        }
        failures.computeIfPresent(k, (ignored, f) -> {
            int count = f.count() - 1;
            if (count <= 0) {
                return null;
            }
            // the successful attempt itself may have set the block: back within the free ones, it is lifted
            return new Failures(count, count <= budget.freeFailures() ? Instant.MIN : f.blockedUntil(), f.forgetAt());
        });
    }

    /** Drops what is forgotten anyway, then unblocked keys; at most once a second. Whether there is room now. */
    private boolean makeRoom(Instant now) {
        long last = lastSweep.get();
        long ms = now.toEpochMilli();
        if (last != Long.MIN_VALUE && ms - last < SWEEP_EVERY_MS || !lastSweep.compareAndSet(last, ms)) {
            return failures.size() < maxTracked;
        }
        failures.values().removeIf(f -> !now.isBefore(f.forgetAt()));
        if (failures.size() >= maxTracked) {
            failures.values().removeIf(f -> !now.isBefore(f.blockedUntil()));
        }
        return failures.size() < maxTracked;
    }
}
