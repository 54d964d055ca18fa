package dev.mcpwarden.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * A clock that only moves when a test moves it, for deterministic expiry tests. Safe to read from several threads.
 */
public final class FakeClock implements InstantSource {

    private volatile Instant now;

    /** A clock standing at {@code start}. */
    public FakeClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /** A clock standing at 2026-01-01T00:00:00Z. */
    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public Instant instant() {
        return now;
    }

    /** Moves the clock forward (or backward, for a negative duration) and returns the new time. */
    public synchronized Instant advance(Duration by) {
        now = now.plus(Objects.requireNonNull(by, "by"));
        return now;
    }

    /** Sets the clock to {@code instant}. */
    public synchronized void set(Instant instant) {
        now = Objects.requireNonNull(instant, "instant");
    }
}
