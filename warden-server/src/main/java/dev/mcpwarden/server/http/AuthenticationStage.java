package dev.mcpwarden.server.http;

import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.List;

/**
 * Establishes the principal of every request to the MCP endpoint, before its body is read, so unauthenticated
 * callers cost no parsing. The authenticator refuses (401/503) or returns the principal.
 */
public final class AuthenticationStage implements Stage<HttpExchange, Void> {

    private final Authenticator authenticator;

    public AuthenticationStage(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** Whether authenticating may block is asked per request ({@link Authenticator#mayBlock}), by the transport. */
    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        ex.principal(authenticator.authenticate(ex.head()));
        return chain.proceed(ex);
    }
}
