package dev.mcpwarden.server.tool;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Checks {@code x-mcp-header} annotations in a tool's input schema: each names an RFC 9110 token, unique
 * case-insensitively, on a top-level {@code string}, {@code integer} or {@code boolean} property, and nowhere else.
 * Clients drop tools that break these rules, so Warden refuses to register them.
 */
final class HeaderAnnotations {

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> TYPES = Set.of("string", "integer", "boolean");

    private HeaderAnnotations() {
    }

    static void check(String tool, JsonNode schema) {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            JsonNode header = p.getValue().get("x-mcp-header");
            if (header == null) {
                forbidNested(tool, p.getValue(), false);
                continue;
            }
            String where = "tool " + tool + ": x-mcp-header of property " + p.getKey();
            if (!header.isString() || !TOKEN.matcher(header.asString()).matches()) {
                throw new IllegalArgumentException(where + " must be a non-empty header token, was " + header);
            }
            if (!TYPES.contains(p.getValue().path("type").asString(""))) {
                throw new IllegalArgumentException(where + " may only annotate a string, integer or boolean");
            }
            if (!seen.add(header.asString().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(where + " repeats header name " + header.asString());
            }
            forbidNested(tool, p.getValue(), true);
        }
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            if (!"properties".equals(e.getKey())) {
                forbidNested(tool, e.getValue(), false);
            }
        }
    }

    /** No annotation below the top-level properties (items, combinators, conditionals, $defs). */
    private static void forbidNested(String tool, JsonNode node, boolean skipSelf) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if ("x-mcp-header".equals(e.getKey()) && !skipSelf) {
                    throw new IllegalArgumentException("tool " + tool
                            + ": x-mcp-header may only annotate top-level properties");
                }
                forbidNested(tool, e.getValue(), false);
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                forbidNested(tool, child, false);
            }
        }
    }
}
