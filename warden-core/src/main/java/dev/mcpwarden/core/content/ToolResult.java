package dev.mcpwarden.core.content;

import dev.mcpwarden.core.json.Json;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The outcome of a tool call. {@code isError} results are tool execution errors that the model can read and
 * correct, as opposed to protocol errors.
 */
public record ToolResult(List<Content> content, JsonNode structuredContent, boolean isError) {

    public ToolResult {
        content = List.copyOf(content);
    }

    public static ToolResult of(Content... content) {
        return new ToolResult(List.of(content), null, false);
    }

    public static ToolResult text(String text) {
        return of(Content.text(text));
    }

    public static ToolResult error(String message) {
        return new ToolResult(List.of(Content.text(message)), null, true);
    }

    /** Structured content, with its serialized JSON also as a text block for older clients. */
    public static ToolResult structured(JsonNode value) {
        return new ToolResult(List.of(Content.text(Json.standard().text(value))), value, false);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        ArrayNode arr = n.putArray("content");
        for (Content c : content) {
            arr.add(c.toJson());
        }
        if (structuredContent != null) {
            n.set("structuredContent", structuredContent);
        }
        if (isError) {
            n.put("isError", true);
        }
        return n;
    }
}
