package dev.mcpwarden.server.input;

import java.util.Map;

/**
 * Thrown out of a handler on the 2026 wire when it needs input the client has not given yet; the runtime turns it
 * into an {@code input_required} result. Handlers never catch it.
 */
public final class InputRequired extends RuntimeException {

    private final transient Map<String, InputRequest> requests;

    public InputRequired(Map<String, InputRequest> requests) {
        super("input required", null, false, false);
        this.requests = Map.copyOf(requests);
    }

    public Map<String, InputRequest> requests() {
        return requests;
    }
}
