package dev.mcpwarden.server.http;

import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;

/**
 * The HTTP level's first position: refusals and failures of requests that never became a call go on the event
 * stream. A started call reports its own end; a refused credential was reported by authentication.
 */
final class HttpEventsStage implements Stage<HttpExchange, Void> {

    private final SecurityEventListener listener;

    HttpEventsStage(SecurityEventListener listener) {
        this.listener = listener;
    }

    @Override
    public boolean mayBlock() {
        return listener.mayBlock();
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        try {
            chain.proceed(ex);
        } catch (Rejection r) {
            if (!ex.callStarted() && !ex.authenticationRefused()) {
                listener.refused(ex, r);
            }
            throw r;
        } catch (RuntimeException e) {
            if (!ex.callStarted()) {
                listener.failed(ex, e);
            }
            throw e;
        }
        return null;
    }

    @Override
    public String name() {
        return "http-events";
    }
}
