package dev.mcpwarden.server;

import dev.mcpwarden.core.json.Json;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/** An icon for a tool, prompt, resource or the server. Only {@code https:} and {@code data:} sources are allowed. */
public record Icon(String src, String mimeType, List<String> sizes) {

    public Icon {
        String s = src == null ? "" : src.toLowerCase(Locale.ROOT);
        if (!(s.startsWith("https://") || s.startsWith("data:"))) {
            throw new IllegalArgumentException("icon src must be an https: or data: URI, was: " + src);
        }
        sizes = sizes == null ? List.of() : List.copyOf(sizes);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("src", src);
        if (mimeType != null) {
            n.put("mimeType", mimeType);
        }
        if (!sizes.isEmpty()) {
            sizes.forEach(n.putArray("sizes")::add);
        }
        return n;
    }
}
