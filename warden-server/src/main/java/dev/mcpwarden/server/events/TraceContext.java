package dev.mcpwarden.server.events;

import java.util.Objects;

/**
 * A W3C trace context as it travels in HTTP headers and in {@code params._meta} (SEP-414): {@code traceparent} and,
 * if any, {@code tracestate}. Carried as text; only a tracer parses it.
 *
 * @param traceparent the {@code traceparent} value
 * @param tracestate  the {@code tracestate} value, or null
 */
public record TraceContext(String traceparent, String tracestate) {

    /** The longest value kept: a W3C traceparent is 55 characters and a tracestate at most 512 bytes. */
    static final int MAX_LENGTH = 512;

    public TraceContext {
        Objects.requireNonNull(traceparent, "traceparent");
    }

    /** The context of these header values, or null when there is no usable traceparent (absent or oversized). */
    public static TraceContext of(String traceparent, String tracestate) {
        if (traceparent == null || traceparent.length() > MAX_LENGTH) {
            return null;
        }
        return new TraceContext(traceparent, tracestate == null || tracestate.length() > MAX_LENGTH ? null
                : tracestate);
    }
}
