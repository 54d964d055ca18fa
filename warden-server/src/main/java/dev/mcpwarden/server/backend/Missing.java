package dev.mcpwarden.server.backend;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.pipeline.Target;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one answer to a request for something that does not exist, given by the backend for what it lacks and by the
 * pipeline for what the caller may not see (denied by policy, withheld by integrity): the same code, message and
 * data, so a denied target cannot be told from a missing one.
 */
public final class Missing {

    private Missing() {
    }

    /**
     * The error for a request of {@code method} naming {@code target} that does not exist.
     *
     * @param modern whether the request came on the 2026-07-28 wire (resources differ by era)
     */
    public static McpError answer(String method, Target target, boolean modern) {
        return switch (target.kind()) {
            case TOOL -> McpError.invalidParams("Unknown tool: " + target.name());
            case PROMPT -> McpError.invalidParams("Unknown prompt: " + target.name());
            case RESOURCE_TEMPLATE -> "completion/complete".equals(method)
                    ? McpError.invalidParams("Unknown resource template: " + target.name())
                    : resource(target.name(), modern);
            case RESOURCE -> resource(target.name(), modern);
        };
    }

    /** A resource URI that nothing serves. */
    public static McpError resource(String uri, boolean modern) {
        ObjectNode data = Json.object();
        data.put("uri", uri);
        return new McpError(modern ? ErrorCodes.INVALID_PARAMS : ErrorCodes.LEGACY_RESOURCE_NOT_FOUND,
                "Resource not found: " + uri, data);
    }
}
