package dev.mcpwarden.server.events;

import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.http.HttpExchange;
import dev.mcpwarden.server.pipeline.Rejection;
import java.util.List;

/** Several listeners as one, called in order; the first that throws stops the others and refuses the request. */
public final class SecurityEvents implements SecurityEventListener {

    /** No listener. */
    public static final SecurityEvents NONE = new SecurityEvents(List.of());

    private final SecurityEventListener[] listeners;
    private final boolean mayBlock;

    private SecurityEvents(List<SecurityEventListener> listeners) {
        this.listeners = listeners.toArray(SecurityEventListener[]::new);
        this.mayBlock = listeners.stream().anyMatch(SecurityEventListener::mayBlock);
    }

    public static SecurityEvents of(List<SecurityEventListener> listeners) {
        return listeners.isEmpty() ? NONE : new SecurityEvents(List.copyOf(listeners));
    }

    public boolean isEmpty() {
        return listeners.length == 0;
    }

    /** The MCP-level stage that puts each request's start and end on this stream (the recipe's EVENTS). */
    public dev.mcpwarden.server.pipeline.Stage<Call, tools.jackson.databind.JsonNode> stage() {
        return new EventsStage(this);
    }

    @Override
    public boolean mayBlock() {
        return mayBlock;
    }

    @Override
    public void requestStarted(Call call) {
        for (SecurityEventListener l : listeners) {
            l.requestStarted(call);
        }
    }

    @Override
    public void requestEnded(Call call, Ending ending, long elapsedNanos) {
        for (SecurityEventListener l : listeners) {
            l.requestEnded(call, ending, elapsedNanos);
        }
    }

    @Override
    public void controlled(Call call, ControlEvent event) {
        for (SecurityEventListener l : listeners) {
            l.controlled(call, event);
        }
    }

    /**
     * Reports what a control decided or found about {@code call} to the event stream the call started on; nothing
     * when it started on none (a stage run outside a server, in a unit test).
     */
    public static void report(Call call, ControlEvent event) {
        java.util.Objects.requireNonNull(event, "event");
        SecurityEventListener stream = call.attribute(EventsStage.STREAM);
        if (stream != null) {
            stream.controlled(call, event);
        }
    }

    /** Marks {@code call} as one that will end twice ({@link #ended}): before its first end is answered. */
    public static void endsTwice(Call call) {
        if (call.attribute(EventsStage.STREAM) != null) {
            call.attribute(EventsStage.FIRST_END, new java.util.concurrent.CountDownLatch(1));
        }
    }

    /**
     * Puts a second end of {@code call} on the event stream it started on: a call run as a task ended (its first end
     * was the task's creation). Nothing when it started on none.
     */
    public static void ended(Call call, Ending ending, long elapsedNanos) {
        SecurityEventListener stream = call.attribute(EventsStage.STREAM);
        java.util.concurrent.CountDownLatch first = call.attribute(EventsStage.FIRST_END);
        if (first != null) {
            try {
                // the creation's record comes first; it follows the task's answer within moments
                first.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (stream != null) {
            stream.requestEnded(call, ending, elapsedNanos);
        }
    }

    @Override
    public void authenticated(Authenticator.RequestHead request, Principal principal) {
        for (SecurityEventListener l : listeners) {
            l.authenticated(request, principal);
        }
    }

    @Override
    public void authenticationRefused(Authenticator.RequestHead request, Rejection rejection) {
        for (SecurityEventListener l : listeners) {
            l.authenticationRefused(request, rejection);
        }
    }

    @Override
    public void refused(HttpExchange exchange, Rejection rejection) {
        for (SecurityEventListener l : listeners) {
            l.refused(exchange, rejection);
        }
    }

    @Override
    public void failed(HttpExchange exchange, RuntimeException error) {
        for (SecurityEventListener l : listeners) {
            l.failed(exchange, error);
        }
    }

    @Override
    public void sessionStarted(HttpExchange exchange, String sessionId) {
        for (SecurityEventListener l : listeners) {
            l.sessionStarted(exchange, sessionId);
        }
    }

    @Override
    public void sessionEnded(HttpExchange exchange, String sessionId) {
        for (SecurityEventListener l : listeners) {
            l.sessionEnded(exchange, sessionId);
        }
    }
}
