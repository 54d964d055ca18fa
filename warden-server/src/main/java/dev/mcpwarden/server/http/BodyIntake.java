package dev.mcpwarden.server.http;

import dev.mcpwarden.server.pipeline.Rejection;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport's budget of request body bytes being received, shared by every request, and the slowest rate a body
 * may arrive at. A body's buffer is taken from the budget as it grows with what arrives, and given back once the body
 * is complete or refused, so a thousand slow clients announcing large bodies hold what they sent, not what they
 * announced.
 */
final class BodyIntake {

    /** The first buffer a body gets, unless it announced less. */
    static final int FIRST_BUFFER = 16 * 1024;

    private final long budget;
    private final AtomicLong held = new AtomicLong();
    private final int minBytesPerSecond;
    private final long graceNanos;

    BodyIntake(TransportLimits limits) {
        this.budget = limits.bodyBytesInFlight();
        this.minBytesPerSecond = limits.minBodyBytesPerSecond();
        this.graceNanos = limits.bodyGrace().toNanos();
    }

    /** Body bytes held now by bodies being received. */
    long held() {
        return held.get();
    }

    private boolean reserve(long bytes) {
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

    private void release(long bytes) {
        held.addAndGet(-bytes);
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
        private byte[] bytes = new byte[0];
        private int length;
        private long reserved;

        /** @param limit the most this body may hold: its {@code Content-Length}, or the largest body accepted */
        Buffer(long limit) {
            this.limit = limit;
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
                if (!reserve(want - bytes.length)) {
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
                BodyIntake.this.release(reserved);
                reserved = 0;
            }
            bytes = new byte[0];
        }
    }
}
