package dev.mcpwarden.server.pipeline;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcError;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A request refused before it reaches a handler. One value carries both what HTTP answers (status and headers)
 * and the JSON-RPC error in the body, so the two never disagree. Messages are for the client: no internal detail.
 */
public final class Rejection extends RuntimeException {

    private final int status;
    private final int code;
    private final transient JsonNode data;
    private final Map<String, String> headers;
    private final transient JsonNode id;
    private final String reason;

    public Rejection(int status, int code, String message, JsonNode data, Map<String, String> headers) {
        this(status, code, message, data, headers, null);
    }

    /** A rejection of a request whose JSON-RPC id is known, so the error echoes it. */
    public Rejection(int status, int code, String message, JsonNode data, Map<String, String> headers, JsonNode id) {
        this(status, code, message, data, headers, id, null);
    }

    private Rejection(int status, int code, String message, JsonNode data, Map<String, String> headers, JsonNode id,
                      String reason) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.data = data;
        this.headers = Map.copyOf(headers);
        this.id = id;
        this.reason = reason;
    }

    public Rejection(int status, int code, String message) {
        this(status, code, message, null, Map.of());
    }

    public static Rejection badRequest(String message) {
        return new Rejection(400, ErrorCodes.INVALID_REQUEST, message);
    }

    public static Rejection forbidden(String message) {
        return new Rejection(403, ErrorCodes.INVALID_REQUEST, message);
    }

    public static Rejection notFound(String message) {
        return new Rejection(404, ErrorCodes.INVALID_REQUEST, message);
    }

    public int status() {
        return status;
    }

    public int code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }

    /** The same rejection answering the request with this id. */
    public Rejection withId(JsonNode requestId) {
        return new Rejection(status, code, getMessage(), data, headers, requestId, reason);
    }

    /**
     * The same rejection with an internal reason for the audit trail, e.g. {@code session_principal_mismatch}. The
     * reason is never sent to the client: where the client must not learn why (a hijacked session looks like a
     * missing one), only the audit log does.
     */
    public Rejection because(String internalReason) {
        return new Rejection(status, code, getMessage(), data, headers, id, internalReason);
    }

    /** The internal reason for the audit trail, or null. */
    public String reason() {
        return reason;
    }

    /** The id of the request being refused, or null when it is unknown. */
    public JsonNode id() {
        return id;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public JsonRpcError toError() {
        return new JsonRpcError(code, getMessage(), data);
    }
}
