package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.json.Json;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/** How the server names itself ({@code serverInfo}) and what it tells models ({@code instructions}). */
record ServerIdentity(String name, String version, String title, String instructions) {

    public ServerIdentity {
        Objects.requireNonNull(name, "server name");
        Objects.requireNonNull(version, "server version");
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("name", name);
        n.put("version", version);
        if (title != null) {
            n.put("title", title);
        }
        return n;
    }
}
