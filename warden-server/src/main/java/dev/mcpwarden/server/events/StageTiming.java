package dev.mcpwarden.server.events;

/**
 * When a piece of work done for a request before it became a call began, and how long it took: what a tracer makes
 * a span of afterwards (token verification on a cache miss happens at the HTTP level, before the request's span).
 *
 * @param startEpochNanos when it began, nanoseconds since the epoch
 * @param durationNanos   how long it took
 */
public record StageTiming(long startEpochNanos, long durationNanos) {

    public StageTiming {
        if (durationNanos < 0) {
            throw new IllegalArgumentException("a duration is not negative, was " + durationNanos);
        }
    }
}
