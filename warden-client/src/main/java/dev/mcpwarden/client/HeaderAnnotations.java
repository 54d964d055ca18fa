package dev.mcpwarden.client;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A tool's {@code x-mcp-header} annotations, checked as the 2026 transport says: each an RFC 9110 token, unique
 * case-insensitively, on a top-level {@code string}, {@code integer} or {@code boolean} property, nowhere else.
 */
final class HeaderAnnotations {

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> TYPES = Set.of("string", "integer", "boolean");

    private HeaderAnnotations() {
    }

    /** Property name to header name (empty when none), or null when an annotation is invalid. */
    static Map<String, String> of(JsonNode tool) {
        JsonNode schema = tool.path("inputSchema");
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            JsonNode header = p.getValue().get("x-mcp-header");
            if (header == null) {
                if (nested(p.getValue(), false)) {
                    return null;
                }
                continue;
            }
            if (!header.isString() || !TOKEN.matcher(header.asString()).matches()
                    || !TYPES.contains(p.getValue().path("type").asString(""))
                    || !seen.add(header.asString().toLowerCase(Locale.ROOT)) || nested(p.getValue(), true)) {
                return null;
            }
            headers.put(p.getKey(), header.asString());
        }
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            if (!"properties".equals(e.getKey()) && nested(e.getValue(), false)) {
                return null;
            }
        }
        return headers;
    }

    /** Whether an annotation sits below the top-level properties (items, combinators, conditionals, $defs). */
    private static boolean nested(JsonNode node, boolean skipSelf) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if ("x-mcp-header".equals(e.getKey()) && !skipSelf || nested(e.getValue(), false)) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                if (nested(child, false)) {
                    return true;
                }
            }
        }
        return false;
    }
}
