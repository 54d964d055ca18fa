package dev.mcpwarden.security.integrity;

import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.prompt.Prompt;
import dev.mcpwarden.server.resource.ResourceTemplate;
import dev.mcpwarden.server.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * One listed definition: its kind, its identity within the kind (a tool's or prompt's name, a template's URI
 * template), the definition as the server lists it, and its {@link DefinitionDigest digest}.
 */
public record Definition(DefinitionKind kind, String name, JsonNode json, String digest) {

    public Definition {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
    }

    /** A definition as listed by a server; fails when it has no string identity field. */
    public static Definition of(DefinitionKind kind, JsonNode json) {
        Objects.requireNonNull(kind, "kind");
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("a " + kind.pinKey() + " entry must be a JSON object, was: "
                    + (json == null ? "nothing" : json.getNodeType()));
        }
        JsonNode id = json.get(kind.identityField());
        if (id == null || !id.isString() || id.asString().isEmpty()) {
            throw new IllegalArgumentException("a " + kind.pinKey() + " entry needs a non-empty string \""
                    + kind.identityField() + "\"");
        }
        // A copy: the digest must keep describing the JSON it was computed from, whatever its owner does later.
        JsonNode copy = json.deepCopy();
        return new Definition(kind, id.asString(), copy, DefinitionDigest.of(kind, copy));
    }

    public static Definition of(Tool tool) {
        return of(DefinitionKind.TOOL, tool.toJson());
    }

    public static Definition of(Prompt prompt) {
        return of(DefinitionKind.PROMPT, prompt.toJson());
    }

    public static Definition of(ResourceTemplate template) {
        return of(DefinitionKind.RESOURCE_TEMPLATE, template.toJson());
    }

    /** Every tool, prompt and resource template a backend defines, in its listing order. */
    public static List<Definition> allOf(Definitions definitions) {
        List<Definition> all = new ArrayList<>();
        definitions.list(Target.Kind.TOOL).forEach(e -> all.add(of(DefinitionKind.TOOL, e.json())));
        definitions.list(Target.Kind.PROMPT).forEach(e -> all.add(of(DefinitionKind.PROMPT, e.json())));
        definitions.list(Target.Kind.RESOURCE_TEMPLATE).forEach(e -> all.add(of(DefinitionKind.RESOURCE_TEMPLATE,
                e.json())));
        return List.copyOf(all);
    }
}
