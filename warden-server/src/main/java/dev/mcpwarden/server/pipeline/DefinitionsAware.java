package dev.mcpwarden.server.pipeline;

import dev.mcpwarden.server.backend.Definitions;

/**
 * A stage that decides on the backend's definitions themselves, not only on requests: authorization (what exists,
 * what lists show) and tool integrity (which definitions match their pins). The server calls {@link #attach} once,
 * when it is built, with its backend's live definitions.
 */
public interface DefinitionsAware {

    void attach(Definitions definitions);
}
