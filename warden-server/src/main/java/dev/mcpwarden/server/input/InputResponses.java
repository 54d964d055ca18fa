package dev.mcpwarden.server.input;

import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** The client's answers to {@link InputRequest}s, by key. */
public record InputResponses(Map<String, JsonNode> byKey) {

    public InputResponses {
        byKey = Map.copyOf(byKey);
    }

    public JsonNode get(String key) {
        JsonNode v = byKey.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no response for input " + key);
        }
        return v;
    }

    public Optional<JsonNode> find(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** For an elicitation answer: the accepted content, or empty when the user declined or cancelled. */
    public Optional<JsonNode> accepted(String key) {
        JsonNode v = get(key);
        return "accept".equals(v.path("action").asString("")) ? Optional.of(v.path("content")) : Optional.empty();
    }
}
