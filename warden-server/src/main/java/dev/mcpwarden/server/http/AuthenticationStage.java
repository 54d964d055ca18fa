package dev.mcpwarden.server.http;

import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.events.StageTiming;
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
    /** Whether a tracer wants to know how long verifying a credential took, when it was not in memory. */
    private final boolean timed;

    AuthenticationStage(Authenticator authenticator, SecurityEventListener events, boolean timed) {
        this.authenticator = authenticator;
        this.events = events;
        this.timed = timed;
    }

    /** Whether authenticating may block is asked per request ({@link Authenticator#mayBlock}), by the transport. */
    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        Principal principal;
        boolean timing = timed && authenticator.mayBlock(ex.head()); // a cache hit is not worth a span
        long startEpoch = timing ? epochNanos() : 0;
        long start = timing ? System.nanoTime() : 0;
        try {
            principal = authenticator.authenticate(ex.head());
            if (timing) {
                ex.tokenVerification(new StageTiming(startEpoch, System.nanoTime() - start));
            }
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

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
