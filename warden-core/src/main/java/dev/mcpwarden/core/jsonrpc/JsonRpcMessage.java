package dev.mcpwarden.core.jsonrpc;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** One JSON-RPC 2.0 message. Ids are kept as JSON values (string or integer) so they are echoed exactly. */
public sealed interface JsonRpcMessage {

    /** A request: has an id and expects a response. */
    record Request(JsonNode id, String method, ObjectNode params) implements JsonRpcMessage {
    }

    /** A notification: no id, never answered. */
    record Notification(String method, ObjectNode params) implements JsonRpcMessage {
    }

    /** A successful response. */
    record Response(JsonNode id, JsonNode result) implements JsonRpcMessage {
    }

    /** An error response; {@code id} is null when the request's id could not be read. */
    record ErrorResponse(JsonNode id, JsonRpcError error) implements JsonRpcMessage {
    }
}
