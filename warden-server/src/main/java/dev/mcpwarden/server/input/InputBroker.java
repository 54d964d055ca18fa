package dev.mcpwarden.server.input;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Resolves a handler's input requests from the answers the client already gave (2026 wire: the retry's
 * {@code inputResponses} plus the answers sealed in {@code requestState}); what is still missing becomes
 * {@link InputRequired}. Answers of the wrong shape are invalid params, never silently accepted.
 */
public final class InputBroker {

    private final Map<String, JsonNode> known;
    private final Map<String, JsonNode> used = new LinkedHashMap<>();

    public InputBroker(Map<String, JsonNode> known) {
        this.known = known;
    }

    public InputResponses resolve(Map<String, InputRequest> requests) {
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        Map<String, InputRequest> missing = new LinkedHashMap<>();
        for (Map.Entry<String, InputRequest> e : requests.entrySet()) {
            JsonNode answer = known.get(e.getKey());
            if (answer == null || answer.isNull()) {
                missing.put(e.getKey(), e.getValue());
                continue;
            }
            String problem = InputResponseValidator.problem(e.getValue(), answer);
            if (problem != null) {
                throw new McpError(ErrorCodes.INVALID_PARAMS, "Invalid input response '" + e.getKey() + "': " + problem);
            }
            answers.put(e.getKey(), answer);
        }
        if (!missing.isEmpty()) {
            throw new InputRequired(missing);
        }
        used.putAll(answers);
        return new InputResponses(answers);
    }

    /**
     * Null when {@code answer} has the shape of the result a request of {@code method} (e.g.
     * {@code elicitation/create}) asks for, otherwise what is wrong with it.
     */
    public static String problem(String method, JsonNode answer) {
        return InputResponseValidator.problem(method, answer);
    }

    /** Answers consumed so far, which a further round must carry forward in its sealed state. */
    public Map<String, JsonNode> used() {
        return used;
    }
}
