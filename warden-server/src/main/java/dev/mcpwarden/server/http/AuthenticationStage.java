package dev.mcpwarden.server.http;

import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.pipeline.Rejection;

import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.List;

/**
 * Establishes the principal of every request to the MCP endpoint, before its body is read, so unauthenticated
 * callers cost no parsing. The authenticator refuses (401/503) or returns the principal.
 */
final class AuthenticationStage implements Stage<HttpExchange, Void> {

    private final Authenticator authenticator;
    private final SecurityEventListener events;

    AuthenticationStage(Authenticator authenticator, SecurityEventListener events) {
        this.authenticator = authenticator;
        this.events = events;
    }

    /** Whether authenticating may block is asked per request ({@link Authenticator#mayBlock}), by the transport. */
    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        Principal principal;
        try {
            principal = authenticator.authenticate(ex.head());
        } catch (Rejection r) {
            ex.markAuthenticationRefused();
            events.authenticationRefused(ex.head(), r);
            throw r;
        }
        events.authenticated(ex.head(), principal);
        ex.principal(principal);
        ex.credentialValidUntil(authenticator.validUntil(principal));
        if (authenticator.verifiesBearerToken()) {
            ex.markPrincipalFromBearer();
        }
        return chain.proceed(ex);
    }
}
