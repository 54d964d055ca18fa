package dev.mcpwarden.telemetry;

import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.events.StageTracer;
import dev.mcpwarden.server.http.HttpExchange;
import dev.mcpwarden.server.pipeline.Rejection;

/** Traces and metrics as one listener of the event stream; either may be off (null). Never blocks, never throws. */
class TelemetryListener implements SecurityEventListener {

    final McpTracing tracing;
    private final McpMetrics metrics;

    TelemetryListener(McpTracing tracing, McpMetrics metrics) {
        this.tracing = tracing;
        this.metrics = metrics;
    }

    @Override
    public boolean mayBlock() {
        return false; // spans are batched and exported off the request thread; metrics are in memory
    }

    @Override
    public void requestStarted(Call call) {
        if (tracing != null) {
            tracing.started(call);
        }
    }

    @Override
    public void requestEnded(Call call, Ending ending, long elapsedNanos) {
        if (metrics != null) {
            metrics.ended(call, ending, elapsedNanos);
        }
        if (tracing != null) {
            tracing.ended(call, ending);
        }
    }

    @Override
    public void controlled(Call call, ControlEvent event) {
        if (metrics != null) {
            metrics.controlled(event);
        }
    }

    @Override
    public void authenticationRefused(Authenticator.RequestHead request, Rejection rejection) {
        if (metrics != null) {
            metrics.authenticationRefused(request, rejection);
        }
    }

    @Override
    public void refused(HttpExchange exchange, Rejection rejection) {
        if (metrics != null) {
            metrics.refused(exchange, rejection);
        }
    }

    @Override
    public void sessionStarted(HttpExchange exchange, String sessionId) {
        if (metrics != null) {
            metrics.sessionStarted(sessionId);
        }
    }

    @Override
    public void sessionEnded(HttpExchange exchange, String sessionId) {
        if (metrics != null) {
            metrics.sessionEnded(sessionId);
        }
    }

    /** With traces on: also the tracer of the stages' own work, so the server wraps them (only then). */
    static final class Traced extends TelemetryListener implements StageTracer {
        Traced(McpTracing tracing, McpMetrics metrics) {
            super(tracing, metrics);
        }

        @Override
        public Scope enter(Call call, String stage, boolean afterChain) {
            return tracing.enter(call, stage, afterChain);
        }
    }
}
