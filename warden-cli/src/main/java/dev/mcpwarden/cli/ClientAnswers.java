package dev.mcpwarden.cli;

import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The conformance client's answers to what a server asks of its user: elicitation accepted with each field's
 * schema default (SEP-1034) or a sample value, a fixed sampling reply, no roots. Used for 2025 server requests and
 * 2026 {@code input_required} rounds alike.
 */
final class ClientAnswers {

    private ClientAnswers() {
    }

    static JsonNode answer(String method, JsonNode params) throws McpClientException {
        ObjectNode r = Json.object();
        switch (method) {
            case "elicitation/create" -> {
                r.put("action", "accept");
                r.set("content", sample(params.path("requestedSchema")));
            }
            case "sampling/createMessage" -> {
                r.put("role", "assistant");
                r.putObject("content").put("type", "text").put("text", "A reply from the conformance client.");
                r.put("model", "warden-conformance");
                r.put("stopReason", "endTurn");
            }
            case "roots/list" -> r.putArray("roots");
            default -> throw McpClientException.error(-32601, "method not found: " + method, null);
        }
        return r;
    }

    /** An object for {@code schema}: every property with its default, else its first enum value or a sample. */
    static ObjectNode sample(JsonNode schema) {
        ObjectNode o = Json.object();
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            JsonNode s = p.getValue();
            if (s.has("default")) {
                o.set(p.getKey(), s.get("default"));
            } else if (s.path("enum").isArray() && !s.get("enum").isEmpty()) {
                o.set(p.getKey(), s.get("enum").get(0));
            } else {
                switch (s.path("type").asString("string")) {
                    case "integer" -> o.put(p.getKey(), 1);
                    case "number" -> o.put(p.getKey(), 2.5);
                    case "boolean" -> o.put(p.getKey(), true);
                    case "object" -> o.putObject(p.getKey());
                    case "array" -> o.putArray(p.getKey());
                    default -> o.put(p.getKey(), "test");
                }
            }
        }
        return o;
    }
}
