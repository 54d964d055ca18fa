package dev.mcpwarden.core.jsonrpc;

import tools.jackson.databind.JsonNode;

/** The {@code error} member of a JSON-RPC error response. */
public record JsonRpcError(int code, String message, JsonNode data) {
    public JsonRpcError {
        if (message == null || message.isEmpty()) {
            throw new IllegalArgumentException("error message is required");
        }
    }
}
