package dev.mcpwarden.server.resource;

import dev.mcpwarden.core.content.ResourceContents;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.RequestContext;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/** A concrete resource with a fixed URI. */
public record Resource(String uri, String name, String title, String description, String mimeType,
                       Reader reader) {

    /** Reads the resource's contents. */
    @FunctionalInterface
    public interface Reader {
        List<ResourceContents> read(String uri, RequestContext context) throws Exception;
    }

    public Resource {
        Objects.requireNonNull(uri, "resource uri");
        Objects.requireNonNull(name, "resource name");
        Objects.requireNonNull(reader, "resource reader");
        if (!uri.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            throw new IllegalArgumentException("resource uri must be an absolute URI, was: " + uri);
        }
    }

    public static Resource text(String uri, String name, String mimeType, String text) {
        return new Resource(uri, name, null, null, mimeType,
                (u, ctx) -> List.of(ResourceContents.text(u, mimeType, text)));
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("uri", uri);
        n.put("name", name);
        if (title != null) {
            n.put("title", title);
        }
        if (description != null) {
            n.put("description", description);
        }
        if (mimeType != null) {
            n.put("mimeType", mimeType);
        }
        return n;
    }
}
