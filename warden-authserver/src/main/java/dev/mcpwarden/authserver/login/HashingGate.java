package dev.mcpwarden.authserver.login;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Caps how many slow password hashes (Argon2id, about 50 ms of one core each) run at once, so that anonymous
 * sign-in and token requests can never take more than a share of the processor from the endpoints beside them.
 * A check waits at most {@code maxWait} for a slot and is otherwise refused ({@link Busy}): the caller answers 429
 * (sign-in) or 503 (token endpoint) with {@code Retry-After}, instead of queueing work without bound.
 */
public final class HashingGate {

    /** Thrown when no slot freed up within the wait. */
    public static final class Busy extends Exception {
        public Busy() {
            super("the password checks are all busy", null, false, false);
        }
    }

    /** A held slot; closing it lets the next check in. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private final Semaphore slots;
    private final int concurrency;
    private final long maxWaitNanos;

    /**
     * @param concurrency checks at once, at least 1
     * @param maxWait     how long a check may wait for a slot (zero: not at all)
     */
    public HashingGate(int concurrency, Duration maxWait) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("the hashing concurrency must be at least 1, was " + concurrency);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("the wait for a hashing slot must not be negative");
        }
        this.slots = new Semaphore(concurrency, true); // fair: the longest waiting check goes next
        this.concurrency = concurrency;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * The default: half the processors (at least one), so that a flood of sign-ins leaves the other half to the
     * MCP endpoint, and a wait of 100 ms (two hashes' time).
     */
    public static HashingGate forThisMachine() {
        return new HashingGate(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), Duration.ofMillis(100));
    }

    /** Checks at once. */
    public int concurrency() {
        return concurrency;
    }

    /** Takes a slot, waiting at most the configured time. */
    public Permit enter() throws Busy {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Busy();
        }
        if (!acquired) {
            throw new Busy();
        }
        boolean[] released = new boolean[1];
        return () -> {
            if (!released[0]) {
                released[0] = true;
                slots.release();
            }
        };
    }
}
