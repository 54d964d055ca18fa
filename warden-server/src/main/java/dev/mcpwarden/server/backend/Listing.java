package dev.mcpwarden.server.backend;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.pipeline.Target;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The list methods ({@code tools/list}, {@code prompts/list}, {@code resources/list},
 * {@code resources/templates/list}) and how to filter their results, for stages that decide per listed definition on
 * whatever a backend returned.
 */
public final class Listing {

    /** Decides whether a listed entry stays. */
    @FunctionalInterface
    public interface Filter {
        /**
         * @param name  the entry's identity (name, URI or URI template)
         * @param entry the entry as listed
         */
        boolean keep(String name, ObjectNode entry);
    }

    private record Shape(Target.Kind kind, String arrayKey, String identity) {
    }

    private static final Map<String, Shape> SHAPES = Map.of(
            "tools/list", new Shape(Target.Kind.TOOL, "tools", "name"),
            "prompts/list", new Shape(Target.Kind.PROMPT, "prompts", "name"),
            "resources/list", new Shape(Target.Kind.RESOURCE, "resources", "uri"),
            "resources/templates/list", new Shape(Target.Kind.RESOURCE_TEMPLATE, "resourceTemplates", "uriTemplate"));

    private Listing() {
    }

    /** The kind a list method lists, or null when {@code method} lists nothing. */
    public static Target.Kind kindOf(String method) {
        Shape s = method == null ? null : SHAPES.get(method);
        return s == null ? null : s.kind();
    }

    /**
     * The result of list method {@code method} with only the entries {@code filter} keeps. The backend's result is
     * never modified: when something is left out, a new result shares everything else with it. An entry without a
     * string identity is left out (no decision can be made about it).
     */
    public static JsonNode filter(String method, JsonNode result, Filter filter) {
        Shape s = SHAPES.get(method);
        if (s == null || !(result instanceof ObjectNode o) || !(o.get(s.arrayKey()) instanceof ArrayNode items)) {
            return result;
        }
        ArrayNode kept = null;
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            boolean keep = item instanceof ObjectNode entry && entry.get(s.identity()) instanceof JsonNode id
                    && id.isString() && filter.keep(id.asString(), entry);
            if (!keep && kept == null) {
                kept = Json.array();
                for (int j = 0; j < i; j++) {
                    kept.add(items.get(j));
                }
            } else if (keep && kept != null) {
                kept.add(item);
            }
        }
        if (kept == null) {
            return result;
        }
        ObjectNode out = Json.object();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            out.set(e.getKey(), e.getKey().equals(s.arrayKey()) ? kept : e.getValue());
        }
        return out;
    }
}
