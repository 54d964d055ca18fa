package dev.mcpwarden.server;

import dev.mcpwarden.server.backend.Backend;
import dev.mcpwarden.server.dispatch.Call;
import java.time.InstantSource;
import tools.jackson.databind.JsonNode;

/**
 * What a transport serves: requests run through the pipeline to a backend. An {@link McpServer} is one; a gateway is
 * another. Transports depend on this, never on how it was built.
 */
public interface McpService {

    /** Runs one request through the MCP-level pipeline to the backend. */
    JsonNode handle(Call call);

    /**
     * Whether a request for {@code method} (naming {@code target}, for {@code tools/call}) can be served without
     * blocking: no stage may block and the backend answers from memory. Transports then serve it on their I/O
     * thread.
     */
    boolean runsWithoutBlocking(String method, String target);

    /**
     * Whether a method exists in an era, so transports answer an unknown one (404) before any work: the backend's
     * methods and those of the pipeline's own stages (the tasks extension).
     */
    default boolean knows(String method, boolean modern) {
        return backend().knows(method, modern);
    }

    /** What answers requests at the end of the pipeline: its capabilities, definitions and methods. */
    Backend backend();

    /** The security controls installed, or null when none were (an HTTP transport then refuses to start). */
    Controls controls();

    /** The clock of sessions and expiries. */
    InstantSource clock();
}
