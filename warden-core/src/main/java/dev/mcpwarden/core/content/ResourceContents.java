package dev.mcpwarden.core.content;

import dev.mcpwarden.core.json.Json;
import java.util.Base64;
import tools.jackson.databind.node.ObjectNode;

/** The contents of a resource: text or a base64 blob. */
public sealed interface ResourceContents {

    String uri();

    ObjectNode toJson();

    static ResourceContents text(String uri, String mimeType, String text) {
        return new TextContents(uri, mimeType, text);
    }

    static ResourceContents blob(String uri, String mimeType, byte[] data) {
        return new BlobContents(uri, mimeType, Base64.getEncoder().encodeToString(data));
    }

    record TextContents(String uri, String mimeType, String text) implements ResourceContents {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("uri", uri);
            if (mimeType != null) {
                n.put("mimeType", mimeType);
            }
            n.put("text", text);
            return n;
        }
    }

    record BlobContents(String uri, String mimeType, String blob) implements ResourceContents {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("uri", uri);
            if (mimeType != null) {
                n.put("mimeType", mimeType);
            }
            n.put("blob", blob);
            return n;
        }
    }
}
