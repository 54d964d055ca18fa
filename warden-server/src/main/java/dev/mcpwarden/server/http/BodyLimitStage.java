package dev.mcpwarden.server.http;

import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;

/** Reads a POST body, refusing it with 413 once it exceeds the limit, before anything parses it. */
final class BodyLimitStage implements Stage<HttpExchange, Void> {

    private final int maxBytes;

    public BodyLimitStage(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The transport serves a request without blocking only when its whole body has already arrived. */
    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        if ("POST".equals(ex.method())) {
            ex.readBody(maxBytes);
        }
        return chain.proceed(ex);
    }
}
