package dev.mcpwarden.core.jsonrpc;

import dev.mcpwarden.core.json.Json;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decodes and encodes JSON-RPC 2.0 messages. Decoding is strict: malformed JSON, duplicate keys, excessive
 * nesting and numbers beyond the range of a double are parse errors (-32700); a well-formed document that is not a valid message is an invalid request
 * (-32600). Batches are recognised so that the caller can refuse them with the right error.
 */
public final class JsonRpcCodec {

    private final Json json;

    public JsonRpcCodec(Json json) {
        this.json = json;
    }

    public Json json() {
        return json;
    }

    /** Parses a document; {@link McpError} with -32700 if it is not valid JSON within the limits. */
    public JsonNode parse(byte[] body) {
        JsonNode document;
        try {
            document = json.parse(body);
        } catch (JacksonException e) {
            throw new McpError(ErrorCodes.PARSE_ERROR, parseMessage(e), null, 400);
        }
        if (document == null || document.isMissingNode()) {
            // An empty or whitespace-only body has no JSON value; the mapper reports it as a missing node.
            throw new McpError(ErrorCodes.PARSE_ERROR, "Parse error: malformed JSON", null, 400);
        }
        return document;
    }

    private static String parseMessage(JacksonException e) {
        String m = String.valueOf(e.getOriginalMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.startsWith("duplicate")) {
            return "Parse error: duplicate key in JSON object";
        }
        if (m.contains("nesting depth")) {
            return "Parse error: JSON nesting too deep";
        }
        if (m.startsWith(Json.NUMBER_OUT_OF_RANGE)) {
            return "Parse error: number out of range";
        }
        return "Parse error: malformed JSON";
    }

    /** True when the document is a JSON-RPC batch (an array). */
    public static boolean isBatch(JsonNode document) {
        return document.isArray();
    }

    /** Reads one message from a parsed document. */
    public JsonRpcMessage read(JsonNode node) {
        if (!node.isObject()) {
            throw new McpError(ErrorCodes.INVALID_REQUEST, "Invalid request: a JSON-RPC message must be an object", null, 400);
        }
        JsonNode version = node.get("jsonrpc");
        if (version == null || !version.isString() || !"2.0".equals(version.asString())) {
            throw invalid("jsonrpc must be \"2.0\"");
        }
        JsonNode id = node.get("id");
        JsonNode method = node.get("method");
        if (method != null) {
            if (!method.isString() || method.asString().isEmpty()) {
                throw invalid("method must be a non-empty string");
            }
            JsonNode params = node.get("params");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw invalid("params must be an object");
            }
            ObjectNode p = params instanceof ObjectNode o ? o : null;
            if (id == null) {
                return new JsonRpcMessage.Notification(method.asString(), p);
            }
            checkId(id);
            return new JsonRpcMessage.Request(id, method.asString(), p);
        }
        if (id == null) {
            throw invalid("a message needs a method or an id");
        }
        if (node.has("result")) {
            checkId(id);
            return new JsonRpcMessage.Response(id, node.get("result"));
        }
        JsonNode error = node.get("error");
        if (error != null && error.isObject()) {
            JsonNode code = error.get("code");
            JsonNode message = error.get("message");
            return new JsonRpcMessage.ErrorResponse(id.isNull() ? null : id,
                    new JsonRpcError(code != null && code.isIntegralNumber() ? code.asInt() : ErrorCodes.INTERNAL_ERROR,
                            message != null && message.isString() && !message.asString().isEmpty()
                                    ? message.asString() : "error",
                            error.get("data")));
        }
        throw invalid("a response needs a result or an error");
    }

    private static void checkId(JsonNode id) {
        if (!(id.isString() || id.isIntegralNumber())) {
            throw invalid("id must be a string or an integer");
        }
    }

    private static McpError invalid(String why) {
        return new McpError(ErrorCodes.INVALID_REQUEST, "Invalid request: " + why, null, 400);
    }

    /** Encodes a message as a JSON object. */
    public ObjectNode toJson(JsonRpcMessage message) {
        ObjectNode out = Json.object();
        out.put("jsonrpc", "2.0");
        switch (message) {
            case JsonRpcMessage.Request r -> {
                out.set("id", r.id());
                out.put("method", r.method());
                if (r.params() != null) {
                    out.set("params", r.params());
                }
            }
            case JsonRpcMessage.Notification n -> {
                out.put("method", n.method());
                if (n.params() != null) {
                    out.set("params", n.params());
                }
            }
            case JsonRpcMessage.Response r -> {
                out.set("id", r.id());
                out.set("result", r.result());
            }
            case JsonRpcMessage.ErrorResponse e -> {
                out.set("id", e.id() == null ? NullNode.getInstance() : e.id());
                ObjectNode err = out.putObject("error");
                err.put("code", e.error().code());
                err.put("message", e.error().message());
                if (e.error().data() != null) {
                    err.set("data", e.error().data());
                }
            }
        }
        return out;
    }

    public byte[] encode(JsonRpcMessage message) {
        return json.bytes(toJson(message));
    }

    /** Depth of a parsed tree, for limits applied after parsing (e.g. on arguments). */
    public static int depth(JsonNode node) {
        if (node == null || !node.isContainer()) {
            return 0;
        }
        int max = 0;
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                max = Math.max(max, depth(it.next().getValue()));
            }
        } else {
            for (JsonNode child : node) {
                max = Math.max(max, depth(child));
            }
        }
        return max + 1;
    }
}
