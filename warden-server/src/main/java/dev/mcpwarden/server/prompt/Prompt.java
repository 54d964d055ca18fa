package dev.mcpwarden.server.prompt;

import dev.mcpwarden.core.content.PromptMessage;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.RequestContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/** A prompt template. Required arguments are checked before the renderer runs. */
public record Prompt(String name, String title, String description, List<Argument> arguments, Renderer renderer) {

    /** One prompt argument. */
    public record Argument(String name, String description, boolean required) {
        public Argument {
            Objects.requireNonNull(name, "argument name");
        }

        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("name", name);
            if (description != null) {
                n.put("description", description);
            }
            n.put("required", required);
            return n;
        }
    }

    /** What {@code prompts/get} returns. */
    public record Rendered(String description, List<PromptMessage> messages) {
        public Rendered {
            messages = List.copyOf(messages);
        }
    }

    /** Renders the prompt for the given arguments. */
    @FunctionalInterface
    public interface Renderer {
        Rendered render(Map<String, String> arguments, RequestContext context) throws Exception;
    }

    public Prompt {
        Objects.requireNonNull(name, "prompt name");
        Objects.requireNonNull(renderer, "prompt renderer");
        arguments = arguments == null ? List.of() : List.copyOf(arguments);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("name", name);
        if (title != null) {
            n.put("title", title);
        }
        if (description != null) {
            n.put("description", description);
        }
        if (!arguments.isEmpty()) {
            arguments.forEach(a -> n.withArray("arguments").add(a.toJson()));
        }
        return n;
    }
}
