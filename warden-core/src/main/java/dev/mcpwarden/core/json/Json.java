package dev.mcpwarden.core.json;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NumericNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one JSON configuration Warden uses: strict duplicate-key detection and bounded nesting, so that a request
 * cannot smuggle a second value past a validator or exhaust the stack; and numbers within the range of a double,
 * so that what is parsed is written back as the same JSON (a literal like {@code 1e400} would otherwise become
 * Infinity, which JSON cannot express and which is written out as the string {@code "Infinity"}).
 */
public final class Json {

    /** Default maximum nesting depth of a JSON document accepted from a peer. */
    public static final int DEFAULT_MAX_DEPTH = 64;

    private static final Json DEFAULT = new Json(DEFAULT_MAX_DEPTH);

    private final JsonMapper mapper;
    private final ObjectReader reader;

    private Json(int maxDepth) {
        if (maxDepth < 2 || maxDepth > 1000) {
            throw new IllegalArgumentException("maxDepth must be between 2 and 1000, was " + maxDepth);
        }
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
        this.mapper = JsonMapper.builder(factory).build();
        this.reader = mapper.reader().with(FiniteNumbers.INSTANCE);
    }

    /** Builds parsed trees, refusing a floating-point literal beyond the range of a double. */
    private static final class FiniteNumbers extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;
        static final FiniteNumbers INSTANCE = new FiniteNumbers();

        @Override
        public NumericNode numberNode(double v) {
            return super.numberNode(finite(v));
        }

        @Override
        public NumericNode numberNode(float v) {
            return super.numberNode((float) finite(v));
        }

        private static double finite(double v) {
            if (!Double.isFinite(v)) {
                // a JacksonException, so that callers report it as the parse error it is
                throw new StreamConstraintsException(NUMBER_OUT_OF_RANGE);
            }
            return v;
        }
    }

    /** The message of the parse error for a number beyond the range of a double. */
    public static final String NUMBER_OUT_OF_RANGE = "number out of range";

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

    /**
     * Parses a document, throwing {@link JacksonException} on malformed input, duplicate keys, excessive depth or a
     * number beyond the range of a double.
     */
    public JsonNode parse(byte[] bytes) {
        return reader.readTree(bytes);
    }

    /** See {@link #parse(byte[])}. */
    public JsonNode parse(String text) {
        return reader.readTree(text);
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
