package dev.mcpwarden.server.tool;

import dev.mcpwarden.core.json.Json;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generates JSON Schema 2020-12 for Java types: records become closed objects ({@code additionalProperties:false})
 * whose non-{@code Optional} components are required.
 */
public final class SchemaGenerator {

    private SchemaGenerator() {
    }

    /** {@code {"type":"object","additionalProperties":false}}: the recommended schema of a tool with no arguments. */
    public static ObjectNode emptyObject() {
        ObjectNode n = Json.object();
        n.put("type", "object");
        n.put("additionalProperties", false);
        return n;
    }

    public static ObjectNode forRecord(Class<? extends Record> type) {
        return recordSchema(type, new HashSet<>());
    }

    private static ObjectNode recordSchema(Class<?> type, Set<Class<?>> seen) {
        if (!seen.add(type)) {
            throw new IllegalArgumentException("recursive record types cannot be tool arguments: " + type.getName());
        }
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        for (RecordComponent c : type.getRecordComponents()) {
            Param p = c.getAnnotation(Param.class);
            String name = p != null && !p.name().isEmpty() ? p.name() : c.getName();
            ObjectNode prop = schemaFor(c.getGenericType(), seen);
            if (p != null && !p.description().isEmpty()) {
                prop.put("description", p.description());
            }
            props.set(name, prop);
            if (isRequired(c.getType(), p)) {
                schema.withArray("required").add(name);
            }
        }
        schema.put("additionalProperties", false);
        seen.remove(type);
        return schema;
    }

    static boolean isRequired(Class<?> raw, Param p) {
        return raw != Optional.class && (p == null || p.required());
    }

    /** The schema of one Java type. */
    public static ObjectNode schemaFor(Type type) {
        return schemaFor(type, new HashSet<>());
    }

    private static ObjectNode schemaFor(Type type, Set<Class<?>> seen) {
        ObjectNode n = Json.object();
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (raw == Optional.class) {
                return schemaFor(args[0], seen);
            }
            if (Collection.class.isAssignableFrom(raw)) {
                n.put("type", "array");
                n.set("items", schemaFor(args[0], seen));
                if (Set.class.isAssignableFrom(raw)) {
                    n.put("uniqueItems", true);
                }
                return n;
            }
            if (Map.class.isAssignableFrom(raw)) {
                if (args[0] != String.class) {
                    throw new IllegalArgumentException("map keys of tool arguments must be strings: " + type);
                }
                n.put("type", "object");
                n.set("additionalProperties", schemaFor(args[1], seen));
                return n;
            }
            throw new IllegalArgumentException("unsupported argument type: " + type);
        }
        if (type instanceof GenericArrayType gat) {
            n.put("type", "array");
            n.set("items", schemaFor(gat.getGenericComponentType(), seen));
            return n;
        }
        if (!(type instanceof Class<?> c)) {
            // wildcards (List<? extends Number>) and type variables have no schema
            throw new IllegalArgumentException("unsupported argument type: " + type.getTypeName()
                    + " (use strings, numbers, booleans, enums, lists, maps, arrays or records)");
        }
        if (c == String.class || c == char.class || c == Character.class) {
            n.put("type", "string");
        } else if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class
                || c == Short.class || c == byte.class || c == Byte.class || c == BigInteger.class) {
            n.put("type", "integer");
        } else if (c == double.class || c == Double.class || c == float.class || c == Float.class
                || c == BigDecimal.class) {
            n.put("type", "number");
        } else if (c == boolean.class || c == Boolean.class) {
            n.put("type", "boolean");
        } else if (c.isEnum()) {
            n.put("type", "string");
            for (Object constant : c.getEnumConstants()) {
                n.withArray("enum").add(((Enum<?>) constant).name());
            }
        } else if (c.isArray()) {
            n.put("type", "array");
            n.set("items", schemaFor(c.getComponentType(), seen));
        } else if (c.isRecord()) {
            return recordSchema(c, seen);
        } else if (JsonNode.class.isAssignableFrom(c)) {
            return n; // any JSON value
        } else {
            throw new IllegalArgumentException("unsupported argument type: " + c.getName()
                    + " (use strings, numbers, booleans, enums, lists, maps, arrays or records)");
        }
        return n;
    }
}
