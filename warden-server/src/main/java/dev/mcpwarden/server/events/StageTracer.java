package dev.mcpwarden.server.events;

import dev.mcpwarden.server.dispatch.Call;

/**
 * Sees the MCP-level stages and the backend do their own work for each call: what a tracer turns into child spans
 * of the request's span. A {@link SecurityEventListener} that also implements this (telemetry's tracing) is found by
 * the server among the listeners of its controls; without one the stages run unwrapped, at no cost.
 *
 * <p>A stage's own work is what it does before it hands the call on, and again after the rest of the chain returned
 * (an output guard reading the result): each part is entered separately, so the time of the stages after it is never
 * counted twice.
 */
public interface StageTracer {

    /** The name under which the backend's work (the tool, or the gateway's upstream call) is entered. */
    String BACKEND = "backend";

    /**
     * The name of the authenticator's work on a credential it had not verified before (a cache miss: signature,
     * keys, introspection), timed at the HTTP level and reported on the call as {@link
     * dev.mcpwarden.server.dispatch.Call#TOKEN_VERIFICATION}.
     */
    String TOKEN_VERIFICATION = "token-verification";

    /**
     * {@code stage} starts a part of its own work for {@code call}: before handing it on ({@code afterChain} false)
     * or after the rest of the chain returned ({@code afterChain} true). Never throws.
     *
     * @return what to close when that part ends (on the same thread), or {@link Scope#NONE} to trace nothing
     */
    Scope enter(Call call, String stage, boolean afterChain);

    /** One part of a stage's work; closed once, on the thread that entered it. */
    interface Scope {
        /** Nothing traced. */
        Scope NONE = failure -> {
        };

        /** The part ended; {@code failure} is what it threw, or null. */
        void close(RuntimeException failure);
    }
}
