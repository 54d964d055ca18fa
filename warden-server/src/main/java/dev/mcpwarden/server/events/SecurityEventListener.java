package dev.mcpwarden.server.events;

import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.http.HttpExchange;
import dev.mcpwarden.server.pipeline.Rejection;

/**
 * The one stream of security events of a server: every MCP request's start and end (paired, with what the controls
 * noted on the call in between), every authentication result, every refusal before a request became a call, and 2025
 * sessions starting and ending. The audit log listens to it; metrics and traces are further listeners.
 *
 * <p>Listeners are called on the request's thread, in order. A listener that cannot do its job for a request it must
 * not let pass unrecorded (the audit log, full or failing) throws a {@link Rejection} (503), and the request is refused:
 * an event that cannot be recorded never lets its request through silently. Listeners that only observe (metrics)
 * never throw. Every method has a default that does nothing, so a listener implements only what it needs.
 */
public interface SecurityEventListener {

    /** Whether any method may block (wait for a remote store); the recorder of an audit log queues and says no. */
    default boolean mayBlock() {
        return true;
    }

    /** An MCP request is about to pass the controls (not sent for {@code ping} and {@code server/discover}). */
    default void requestStarted(Call call) {
    }

    /** The MCP request that started ended: answered, refused or failed, after {@code elapsedNanos}. */
    default void requestEnded(Call call, Ending ending, long elapsedNanos) {
    }

    /**
     * A control decided or found something about a started request ({@link ControlEvent}); called on the request's
     * thread (or, for what an output guard finds in streamed messages, the thread sending them) before its end.
     */
    default void controlled(Call call, ControlEvent event) {
    }

    /** A credential was accepted: {@code principal} makes the request. */
    default void authenticated(Authenticator.RequestHead request, Principal principal) {
    }

    /** A credential was missing or refused (401), or could not be checked (503). */
    default void authenticationRefused(Authenticator.RequestHead request, Rejection rejection) {
    }

    /** An HTTP request was refused before it became a call (Host/Origin, media types, body, JSON, sessions). */
    default void refused(HttpExchange exchange, Rejection rejection) {
    }

    /** Warden failed an HTTP request before it became a call (a 500). */
    default void failed(HttpExchange exchange, RuntimeException error) {
    }

    /** A 2025 session was created for the exchange's principal. */
    default void sessionStarted(HttpExchange exchange, String sessionId) {
    }

    /** A 2025 session was ended by its client. */
    default void sessionEnded(HttpExchange exchange, String sessionId) {
    }
}
