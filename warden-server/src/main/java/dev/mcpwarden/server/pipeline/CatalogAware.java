package dev.mcpwarden.server.pipeline;

import dev.mcpwarden.server.dispatch.Catalog;

/**
 * A stage that needs to see the server's definitions themselves, not only requests: for example tool integrity,
 * which must decide about every listed tool before any client asks. The server calls {@link #attach} once, when it
 * is built, with its live catalog (subscribe with {@link Catalog#addListener} to follow changes).
 */
public interface CatalogAware {

    void attach(Catalog catalog);
}
