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

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        ex.principal(authenticator.authenticate(new Authenticator.RequestHead() {
            @Override
            public String method() {
                return ex.method();
            }

            @Override
            public String header(String name) {
                return ex.header(name);
            }

            @Override
            public List<String> headers(String name) {
                return ex.headers().getValuesList(name);
            }

            @Override
            public String query() {
                return ex.query();
            }

            @Override
            public String url() {
                return ex.url();
            }

            @Override
            public String correlationId() {
                return ex.correlationId();
            }

            @Override
            public String remoteAddress() {
                return ex.remoteAddress();
            }
        }));
        return chain.proceed(ex);
    }
}
