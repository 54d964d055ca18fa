package dev.mcpwarden.server.input;

import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Checks that a client's answer has the shape of the result its request asked for. */
final class InputResponseValidator {

    private static final Set<String> ACTIONS = Set.of("accept", "decline", "cancel");

    private InputResponseValidator() {
    }

    /** The same for a request known by its method only; an unknown method's answer need only be an object. */
    static String problem(String method, JsonNode answer) {
        if (answer == null || !answer.isObject()) {
            return "must be an object";
        }
        return switch (method) {
            case "elicitation/create" -> problem(InputRequest.elicit("", dev.mcpwarden.core.json.Json.object()),
                    answer);
            case "sampling/createMessage" -> problem(InputRequest.sample("", 1), answer);
            case "roots/list" -> problem(new InputRequest.ListRoots(), answer);
            default -> null;
        };
    }

    /** Null when the answer is well-formed, otherwise what is wrong with it. */
    static String problem(InputRequest request, JsonNode answer) {
        if (answer == null || !answer.isObject()) {
            return "must be an object";
        }
        return switch (request) {
            case InputRequest.Elicit e -> {
                JsonNode action = answer.get("action");
                if (action == null || !action.isString() || !ACTIONS.contains(action.asString())) {
                    yield "action must be accept, decline or cancel";
                }
                JsonNode content = answer.get("content");
                yield content != null && !content.isNull() && !content.isObject() ? "content must be an object" : null;
            }
            case InputRequest.Sample s -> answer.get("content") == null || answer.get("role") == null
                    ? "a sampling result needs role and content" : null;
            case InputRequest.ListRoots r -> answer.get("roots") == null || !answer.get("roots").isArray()
                    ? "roots must be an array" : null;
        };
    }
}
