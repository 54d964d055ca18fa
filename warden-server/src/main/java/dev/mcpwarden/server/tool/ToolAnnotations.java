package dev.mcpwarden.server.tool;

import dev.mcpwarden.core.json.Json;
import tools.jackson.databind.node.ObjectNode;

/** Behaviour hints a client may show; never trusted by Warden for security decisions. Null means "not stated". */
public record ToolAnnotations(String title, Boolean readOnlyHint, Boolean destructiveHint, Boolean idempotentHint,
                              Boolean openWorldHint) {

    public static ToolAnnotations readOnly() {
        return new ToolAnnotations(null, true, false, true, false);
    }

    public static ToolAnnotations destructive() {
        return new ToolAnnotations(null, false, true, false, null);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        if (title != null) {
            n.put("title", title);
        }
        if (readOnlyHint != null) {
            n.put("readOnlyHint", readOnlyHint);
        }
        if (destructiveHint != null) {
            n.put("destructiveHint", destructiveHint);
        }
        if (idempotentHint != null) {
            n.put("idempotentHint", idempotentHint);
        }
        if (openWorldHint != null) {
            n.put("openWorldHint", openWorldHint);
        }
        return n;
    }
}
