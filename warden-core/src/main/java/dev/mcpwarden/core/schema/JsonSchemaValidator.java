package dev.mcpwarden.core.schema;

import com.networknt.schema.Error;
import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.ValidationLimitExceededException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Validates JSON values against JSON Schema (2020-12 unless the schema names another dialect). Schemas are compiled
 * once; a network {@code $ref} is never dereferenced (a schema that has one is refused when it is compiled), and
 * every validation is bounded in steps and depth so that a hostile schema or value cannot burn the CPU.
 */
public final class JsonSchemaValidator {

    /** Bounds on one validation. */
    public record Limits(long maxEvaluationSteps, int maxEvaluationDepth, int maxSchemaDepth) {
        public Limits {
            if (maxEvaluationSteps < 1 || maxEvaluationDepth < 1 || maxSchemaDepth < 1) {
                throw new IllegalArgumentException("schema limits must be positive: " + maxEvaluationSteps + ", "
                        + maxEvaluationDepth + ", " + maxSchemaDepth);
            }
        }

        public static Limits defaults() {
            return new Limits(100_000, 64, 32);
        }
    }

    /** A compiled schema. */
    public interface Compiled {
        /** The problems found, empty when the value is valid. */
        List<String> validate(JsonNode value);
    }

    private final SchemaRegistry registry;
    private final ExecutionConfig execution;
    private final Limits limits;

    public JsonSchemaValidator(Limits limits) {
        this.limits = limits;
        // Unknown keywords (x-mcp-header, vendor annotations) are annotations, as JSON Schema 2020-12 says.
        Dialect dialect = Dialect.builder(Dialects.getDraft202012())
                .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(dialect,
                b -> b.schemaLoader(l -> l.fetchRemoteResources(false)));
        this.execution = ExecutionConfig.builder()
                .maxEvaluationSteps(limits.maxEvaluationSteps())
                .maxEvaluationDepth(limits.maxEvaluationDepth())
                .formatAssertionsEnabled(false)
                .build();
    }

    public static JsonSchemaValidator standard() {
        return new JsonSchemaValidator(Limits.defaults());
    }

    /**
     * Compiles a schema. Throws {@link IllegalArgumentException} naming the problem when the schema is not an
     * object or boolean, nests too deeply, or refers to anything outside itself.
     */
    public Compiled compile(JsonNode schema) {
        if (schema == null || !(schema.isObject() || schema.isBoolean())) {
            throw new IllegalArgumentException("a JSON schema must be an object or a boolean");
        }
        checkRefs(schema, 0, "#");
        Schema compiled;
        try {
            compiled = registry.getSchema(schema);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid JSON schema: " + e.getMessage(), e);
        }
        return value -> {
            try {
                List<Error> errors = compiled.validate(value, ctx -> ctx.setExecutionConfig(execution));
                List<String> out = new ArrayList<>(errors.size());
                for (Error e : errors) {
                    out.add(e.toString());
                }
                return out;
            } catch (ValidationLimitExceededException e) {
                return List.of("validation exceeded its " + e.getLimitKind().name().toLowerCase().replace('_', ' ')
                        + " limit");
            }
        };
    }

    private void checkRefs(JsonNode node, int depth, String path) {
        if (depth > limits.maxSchemaDepth()) {
            throw new IllegalArgumentException("JSON schema nests deeper than " + limits.maxSchemaDepth()
                    + " levels at " + path);
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String key = e.getKey();
                JsonNode v = e.getValue();
                if (("$ref".equals(key) || "$dynamicRef".equals(key)) && v.isString()
                        && !v.asString().startsWith("#")) {
                    throw new IllegalArgumentException("JSON schema refers outside itself (" + key + " \""
                            + v.asString() + "\" at " + path + "); remote references are never fetched");
                }
                checkRefs(v, depth + 1, path + "/" + key);
            }
        } else if (node.isArray()) {
            int i = 0;
            for (JsonNode child : node) {
                checkRefs(child, depth + 1, path + "/" + i++);
            }
        }
    }
}
