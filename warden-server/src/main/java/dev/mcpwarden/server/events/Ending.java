package dev.mcpwarden.server.events;

import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.pipeline.Rejection;
import tools.jackson.databind.JsonNode;

/** How an MCP request ended. */
public sealed interface Ending {

    /** The backend (or a control answering for it, such as an input guard) answered with this result. */
    record Answered(JsonNode result) implements Ending {
    }

    /** A control refused the request. */
    record Refused(Rejection rejection) implements Ending {
    }

    /** The request was answered with a protocol error (unknown tool, invalid params, ...). */
    record Failed(McpError error) implements Ending {
    }

    /** Warden failed (a 500 with an error id). */
    record Crashed(RuntimeException error) implements Ending {
    }
}
