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

    /** What a 2025 method is on the 2026-07-28 wire, where it does not exist: said with its "Method not found". */
    private static final java.util.Map<String, String> REMOVED_IN_2026 = java.util.Map.of(
            "ping", "a 2025 method; the 2026-07-28 wire has no ping: any request, e.g. server/discover, shows the "
                    + "server is up",
            "initialize", "a 2025 method; on the 2026-07-28 wire there is no handshake: every request carries its "
                    + "_meta, and server/discover describes the server",
            "logging/setLevel", "a 2025 method; on the 2026-07-28 wire the log level is set per request, in _meta",
            "resources/subscribe", "a 2025 method; on the 2026-07-28 wire use subscriptions/listen",
            "resources/unsubscribe", "a 2025 method; on the 2026-07-28 wire end the subscriptions/listen stream");

    /**
     * Method not found, on the wire of the era the request came in ({@code modern}: 2026-07-28): a 2025 method asked
     * for on the 2026 wire says what replaces it, so a client mixing the eras learns why.
     */
    public static McpError methodNotFound(String method, boolean modern) {
        String hint = modern ? REMOVED_IN_2026.get(method) : null;
        return hint == null ? methodNotFound(method)
                : new McpError(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method + " (" + hint + ")", null,
                        404);
    }
}
