package dev.mcpwarden.server.pipeline;

import dev.mcpwarden.core.json.Json;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a request reaches: a tool, prompt or resource, named once when the request is parsed, so that every stage
 * decides about the same thing (scopes, policy, integrity, rate limits, guards, audit) whatever the backend.
 *
 * @param kind      what kind of definition is named
 * @param name      the tool's or prompt's name, the resource's URI, or a resource template's URI template
 * @param arguments a tool call's or prompt's arguments (an empty object when none or not an object); stages read it
 *                  and never change it
 */
public record Target(Kind kind, String name, ObjectNode arguments) {

    /** What kind of definition a request reaches. */
    public enum Kind {
        TOOL, PROMPT, RESOURCE, RESOURCE_TEMPLATE;

        /** The lower-case word used in policy selectors and audit records, e.g. {@code resource_template}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Target {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? Json.object() : arguments;
    }

    /**
     * The target a request of {@code method} names in its {@code params}, or null when the method names none (lists,
     * discovery, ping) or the name is missing or not a string (the backend then answers invalid params). A
     * {@code resources/read} names a {@link Kind#RESOURCE} by URI; which template serves it is the backend's to say.
     */
    public static Target of(String method, ObjectNode params) {
        if (method == null || params == null) {
            return null;
        }
        return switch (method) {
            case "tools/call" -> named(Kind.TOOL, params.get("name"), params.get("arguments"));
            case "prompts/get" -> named(Kind.PROMPT, params.get("name"), params.get("arguments"));
            case "resources/read", "resources/subscribe", "resources/unsubscribe" ->
                    named(Kind.RESOURCE, params.get("uri"), null);
            case "completion/complete" -> completionRef(params.get("ref"));
            default -> null;
        };
    }

    private static Target completionRef(JsonNode ref) {
        if (ref == null || !ref.isObject()) {
            return null;
        }
        return switch (ref.path("type").asString("")) {
            case "ref/prompt" -> named(Kind.PROMPT, ref.get("name"), null);
            case "ref/resource" -> named(Kind.RESOURCE_TEMPLATE, ref.get("uri"), null);
            default -> null;
        };
    }

    private static Target named(Kind kind, JsonNode name, JsonNode arguments) {
        if (name == null || !name.isString()) {
            return null;
        }
        return new Target(kind, name.asString(), arguments instanceof ObjectNode o ? o : null);
    }

    /** The same target resolved to another kind and name (a resource URI to the template that serves it). */
    public Target as(Kind resolvedKind, String resolvedName) {
        return new Target(resolvedKind, resolvedName, arguments);
    }

    /** {@code kind:name}, e.g. {@code tool:delete_ticket}: how audit records and logs name it. */
    public String label() {
        return kind.word() + ":" + name;
    }
}
