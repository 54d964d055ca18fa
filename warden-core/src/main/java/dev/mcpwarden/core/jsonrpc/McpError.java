package dev.mcpwarden.core.jsonrpc;

import tools.jackson.databind.JsonNode;

/**
 * A request that is answered with a JSON-RPC error. The message is sent to the client verbatim, so it must never
 * carry internal details; {@code httpStatus} is what Streamable HTTP answers with when the error is the whole
 * response (0 means "the transport decides").
 */
public class McpError extends RuntimeException {
    private final int code;
    private final transient JsonNode data;
    private final int httpStatus;

    public McpError(int code, String message) {
        this(code, message, null, 0);
    }

    public McpError(int code, String message, JsonNode data) {
        this(code, message, data, 0);
    }

    public McpError(int code, String message, JsonNode data, int httpStatus) {
        super(message, null, false, false);
        this.code = code;
        this.data = data;
        this.httpStatus = httpStatus;
    }

    public int code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public JsonRpcError toError() {
        return new JsonRpcError(code, getMessage(), data);
    }

    public static McpError invalidParams(String message) {
        return new McpError(ErrorCodes.INVALID_PARAMS, message);
    }

    public static McpError methodNotFound(String method) {
        return new McpError(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method, null, 404);
    }
}
