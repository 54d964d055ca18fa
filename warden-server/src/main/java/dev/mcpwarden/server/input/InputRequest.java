package dev.mcpwarden.server.input;

import dev.mcpwarden.core.json.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Something a tool, prompt or resource needs from the client before it can finish: an elicitation, a sampling
 * request or the client's roots. On the 2026 wire it travels in an {@code input_required} result; on the 2025 wire
 * as a server-to-client request. The handler code is the same for both.
 */
public sealed interface InputRequest {

    /** The JSON-RPC method of the request. */
    String method();

    /** The client capability the request needs. */
    String capability();

    /** The request's params. */
    ObjectNode params();

    /** A form elicitation with a flat object schema. */
    static InputRequest elicit(String message, ObjectNode requestedSchema) {
        return new Elicit(message, requestedSchema);
    }

    /** A single user-message sampling request. */
    static InputRequest sample(String userText, int maxTokens) {
        ObjectNode p = Json.object();
        ArrayNode messages = p.putArray("messages");
        ObjectNode m = messages.addObject();
        m.put("role", "user");
        ObjectNode c = m.putObject("content");
        c.put("type", "text");
        c.put("text", userText);
        p.put("maxTokens", maxTokens);
        return new Sample(p);
    }

    static InputRequest listRoots() {
        return new ListRoots();
    }

    record Elicit(String message, ObjectNode requestedSchema) implements InputRequest {
        @Override
        public String method() {
            return "elicitation/create";
        }

        @Override
        public String capability() {
            return "elicitation";
        }

        @Override
        public ObjectNode params() {
            ObjectNode p = Json.object();
            p.put("message", message);
            p.set("requestedSchema", requestedSchema);
            return p;
        }
    }

    /** A sampling request with full params ({@code messages}, {@code maxTokens}, ...). */
    record Sample(ObjectNode params) implements InputRequest {
        @Override
        public String method() {
            return "sampling/createMessage";
        }

        @Override
        public String capability() {
            return "sampling";
        }
    }

    record ListRoots() implements InputRequest {
        @Override
        public String method() {
            return "roots/list";
        }

        @Override
        public String capability() {
            return "roots";
        }

        @Override
        public ObjectNode params() {
            return Json.object();
        }
    }
}
