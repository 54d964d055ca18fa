package dev.mcpwarden.core.content;

import dev.mcpwarden.core.json.Json;
import java.util.Base64;
import tools.jackson.databind.node.ObjectNode;

/** A content block of a tool result or prompt message. */
public sealed interface Content {

    /** The block as MCP JSON. */
    ObjectNode toJson();

    static Content text(String text) {
        return new Text(text);
    }

    static Content image(byte[] data, String mimeType) {
        return new Image(Base64.getEncoder().encodeToString(data), mimeType);
    }

    static Content audio(byte[] data, String mimeType) {
        return new Audio(Base64.getEncoder().encodeToString(data), mimeType);
    }

    static Content resource(ResourceContents contents) {
        return new EmbeddedResource(contents);
    }

    static Content resourceLink(String uri, String name, String mimeType) {
        return new ResourceLink(uri, name, mimeType);
    }

    record Text(String text) implements Content {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("text content needs text");
            }
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("type", "text");
            n.put("text", text);
            return n;
        }
    }

    /** An image; {@code data} is base64. */
    record Image(String data, String mimeType) implements Content {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("type", "image");
            n.put("data", data);
            n.put("mimeType", mimeType);
            return n;
        }
    }

    /** Audio; {@code data} is base64. */
    record Audio(String data, String mimeType) implements Content {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("type", "audio");
            n.put("data", data);
            n.put("mimeType", mimeType);
            return n;
        }
    }

    record ResourceLink(String uri, String name, String mimeType) implements Content {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("type", "resource_link");
            n.put("uri", uri);
            n.put("name", name);
            if (mimeType != null) {
                n.put("mimeType", mimeType);
            }
            return n;
        }
    }

    record EmbeddedResource(ResourceContents resource) implements Content {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("type", "resource");
            n.set("resource", resource.toJson());
            return n;
        }
    }
}
