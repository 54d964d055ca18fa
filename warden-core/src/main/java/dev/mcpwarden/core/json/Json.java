package dev.mcpwarden.core.json;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one JSON configuration Warden uses: strict duplicate-key detection and bounded nesting, so that a request
 * cannot smuggle a second value past a validator or exhaust the stack.
 */
public final class Json {

    /** Default maximum nesting depth of a JSON document accepted from a peer. */
    public static final int DEFAULT_MAX_DEPTH = 64;

    private static final Json DEFAULT = new Json(DEFAULT_MAX_DEPTH);

    private final JsonMapper mapper;

    private Json(int maxDepth) {
        if (maxDepth < 2 || maxDepth > 1000) {
            throw new IllegalArgumentException("maxDepth must be between 2 and 1000, was " + maxDepth);
        }
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
        this.mapper = JsonMapper.builder(factory).build();
    }

    /** The default configuration ({@value #DEFAULT_MAX_DEPTH} levels). */
    public static Json standard() {
        return DEFAULT;
    }

    /** A configuration with another nesting limit. */
    public static Json withMaxDepth(int maxDepth) {
        return maxDepth == DEFAULT_MAX_DEPTH ? DEFAULT : new Json(maxDepth);
    }

    /** The underlying mapper, for binding records. */
    public JsonMapper mapper() {
        return mapper;
    }

    /** Parses a document, throwing {@link JacksonException} on malformed input, duplicate keys or excessive depth. */
    public JsonNode parse(byte[] bytes) {
        return mapper.readTree(bytes);
    }

    public JsonNode parse(String text) {
        return mapper.readTree(text);
    }

    public byte[] bytes(JsonNode node) {
        return mapper.writeValueAsBytes(node);
    }

    public String text(JsonNode node) {
        return mapper.writeValueAsString(node);
    }

    public <T> JsonNode toTree(T value) {
        return mapper.valueToTree(value);
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    public static JsonNodeFactory nodes() {
        return JsonNodeFactory.instance;
    }
}
