package dev.mcpwarden.server.http;

import dev.mcpwarden.server.pipeline.Rejection;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport's budget of request body bytes being received, shared by every request (one network holding at most
 * one of its {@link TransportLimits#networkShares}, so one client cannot spend it all), and the slowest rate a body may arrive at. A body's buffer is taken from the budget as it grows with what arrives, and given back once the body
 * is complete or refused, so a thousand slow clients announcing large bodies hold what they sent, not what they
 * announced.
 */
final class BodyIntake {

    /** The first buffer a body gets, unless it announced less. */
    static final int FIRST_BUFFER = 16 * 1024;


    private final long budget;
    private final long share;
    private final AtomicLong held = new AtomicLong();
    /** What each network holds now; an entry goes when it holds nothing, so at most one per body in flight. */
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> byNetwork =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final int minBytesPerSecond;
    private final long graceNanos;

    BodyIntake(TransportLimits limits) {
        this.budget = limits.bodyBytesInFlight();
        this.share = limits.networkShares() == 1 ? budget
                : Math.max(4L * FIRST_BUFFER, budget / limits.networkShares());
        this.minBytesPerSecond = limits.minBodyBytesPerSecond();
        this.graceNanos = limits.bodyGrace().toNanos();
    }

    /** Body bytes held now by bodies being received. */
    long held() {
        return held.get();
    }

    private boolean reserve(String network, long bytes) {
        boolean[] ok = new boolean[1];
        // compute runs atomically per network: its share is checked and taken in one step
        byNetwork.compute(network, (k, mine) -> {
            long has = mine == null ? 0 : mine.get();
            if (has + bytes > share || !reserveShared(bytes)) {
                return mine;
            }
            ok[0] = true;
            if (mine == null) {
                mine = new AtomicLong();
            }
            mine.addAndGet(bytes);
            return mine;
        });
        return ok[0];
    }

    private boolean reserveShared(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > budget) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    private void release(String network, long bytes) {
        held.addAndGet(-bytes);
        byNetwork.computeIfPresent(network, (k, mine) -> mine.addAndGet(-bytes) <= 0 ? null : mine);
    }

    /**
     * When a body that started arriving at {@code startNanos} must have {@code bytes} bytes (in
     * {@link System#nanoTime} terms): after the grace period, at the minimum rate.
     */
    long deadline(long startNanos, long bytes) {
        return startNanos + graceNanos + (long) (bytes * 1_000_000_000.0 / minBytesPerSecond);
    }

    Rejection tooSlow() {
        return Rejection.requestTimeout("Request Timeout: the request body arrived slower than "
                + minBytesPerSecond + " bytes per second");
    }

    static Rejection busy() {
        return Rejection.unavailable("Service unavailable: too many request bytes in flight; retry", 1);
    }

    /** One body's buffer: grows by doubling as bytes arrive, up to what was announced, each step paid from the budget. */
    final class Buffer {
        private final long limit;
        private final String network;
        private byte[] bytes = new byte[0];
        private int length;
        private long reserved;

        /**
         * @param limit   the most this body may hold: its {@code Content-Length}, or the largest body accepted
         * @param network the sender's network ({@link McpEndpoint#network}), whose share of the budget pays for it
         */
        Buffer(long limit, String network) {
            this.limit = limit;
            this.network = network;
        }

        int length() {
            return length;
        }

        /** Appends what {@code src} holds; false when the budget cannot pay for the room (nothing is appended). */
        boolean append(ByteBuffer src) {
            int n = src.remaining();
            if (length + (long) n > bytes.length) {
                long want = Math.max(length + (long) n, Math.min(limit, Math.max(FIRST_BUFFER, 2L * bytes.length)));
                want = Math.min(want, Math.max(limit, length + (long) n));
                if (!reserve(network, want - bytes.length)) {
                    return false;
                }
                reserved += want - bytes.length;
                bytes = java.util.Arrays.copyOf(bytes, (int) want);
            }
            src.get(bytes, length, n);
            length += n;
            return true;
        }

        /** The bytes received, exactly; the budget is given back. */
        byte[] finish() {
            byte[] out = length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
            release();
            return out;
        }

        /** Gives the buffer's room back to the budget (idempotent). */
        void release() {
            if (reserved > 0) {
                BodyIntake.this.release(network, reserved);
                reserved = 0;
            }
            bytes = new byte[0];
        }
    }
}
