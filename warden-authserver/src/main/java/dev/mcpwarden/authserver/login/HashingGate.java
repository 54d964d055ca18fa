package dev.mcpwarden.authserver.login;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Caps how many slow password hashes (Argon2id, about 50 ms of one core each) run at once, so that anonymous
 * sign-in and token requests can never take more than a share of the processor from the endpoints beside them.
 * A check waits at most {@code maxWait} for a slot and is otherwise refused ({@link Busy}): the caller answers 429
 * (sign-in) or 503 (token endpoint) with {@code Retry-After}, instead of queueing work without bound.
 *
 * <p>The hash itself runs on one of the gate's own platform threads ({@link #hash}), never on the caller's: requests
 * are served on virtual threads, and a virtual thread computing for 50 ms holds one of the few carrier threads
 * (one per core) that every other request needs, where a platform thread is time-sliced by the operating system.
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
    private final ExecutorService hashers;
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
        // as many threads as slots: a task never queues; idle threads end after a minute
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(concurrency,
                concurrency, 1, TimeUnit.MINUTES, new java.util.concurrent.LinkedBlockingQueue<>(),
                Thread.ofPlatform().daemon().name("warden-hash-", 0).factory());
        pool.allowCoreThreadTimeOut(true);
        this.hashers = pool;
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

    /**
     * Computes {@code hash} on the gate's threads while the caller (holding a slot from {@link #enter}) waits
     * without occupying a carrier.
     */
    public <T> T hash(Supplier<T> hash) {
        Future<T> f = hashers.submit(hash::get);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the slot is held until the hash is done, whatever the caller wants
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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
