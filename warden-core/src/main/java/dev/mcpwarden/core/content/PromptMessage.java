package dev.mcpwarden.core.content;

import dev.mcpwarden.core.json.Json;
import tools.jackson.databind.node.ObjectNode;

/** One message of a prompt. */
public record PromptMessage(Role role, Content content) {

    public enum Role {
        USER("user"), ASSISTANT("assistant");

        private final String wire;

        Role(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public static PromptMessage user(Content content) {
        return new PromptMessage(Role.USER, content);
    }

    public static PromptMessage assistant(Content content) {
        return new PromptMessage(Role.ASSISTANT, content);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("role", role.wire());
        n.set("content", content.toJson());
        return n;
    }
}
