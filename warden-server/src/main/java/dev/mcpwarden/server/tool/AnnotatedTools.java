package dev.mcpwarden.server.tool;

import dev.mcpwarden.core.content.Content;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Turns the {@link McpTool}-annotated methods of an object into tools. */
public final class AnnotatedTools {

    private AnnotatedTools() {
    }

    public static List<Tool> of(Object target) {
        List<Tool> tools = new ArrayList<>();
        for (Method m : target.getClass().getMethods()) {
            McpTool t = m.getAnnotation(McpTool.class);
            if (t != null) {
                tools.add(toTool(target, m, t));
            }
        }
        tools.sort(java.util.Comparator.comparing(Tool::name));
        return tools;
    }

    private static Tool toTool(Object target, Method m, McpTool t) {
        // getMethods() yields public methods, but their class may be package-private (a nested class of the
        // application, say); without this the call fails with IllegalAccessException at run time.
        m.trySetAccessible();
        JsonMapper mapper = Json.standard().mapper();
        Parameter[] params = m.getParameters();
        String[] names = new String[params.length];
        JavaType[] types = new JavaType[params.length];
        boolean[] optional = new boolean[params.length];
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            if (ToolContext.class.isAssignableFrom(p.getType())) {
                continue;
            }
            Param ann = p.getAnnotation(Param.class);
            if (!p.isNamePresent() && (ann == null || ann.name().isEmpty())) {
                throw new IllegalArgumentException("tool method " + m.getName()
                        + ": compile with -parameters or name each parameter with @Param(name=...)");
            }
            names[i] = ann != null && !ann.name().isEmpty() ? ann.name() : p.getName();
            types[i] = mapper.constructType(p.getParameterizedType());
            optional[i] = p.getType() == Optional.class;
            ObjectNode prop = SchemaGenerator.schemaFor(p.getParameterizedType());
            if (ann != null && !ann.description().isEmpty()) {
                prop.put("description", ann.description());
            }
            props.set(names[i], prop);
            if (SchemaGenerator.isRequired(p.getType(), ann)) {
                schema.withArray("required").add(names[i]);
            }
        }
        schema.put("additionalProperties", false);
        String name = t.name().isEmpty() ? m.getName() : t.name();
        ToolAnnotations annotations = t.readOnly() || t.destructive() || t.idempotent()
                ? new ToolAnnotations(null, t.readOnly(), t.readOnly() ? null : t.destructive(),
                t.readOnly() ? null : t.idempotent(), null)
                : null;
        Tool.Builder builder = Tool.builder(name);
        if (t.nonBlocking()) {
            builder.nonBlocking();
        }
        if (t.untrustedOutput()) {
            builder.untrustedOutput();
        } else if (t.untrustedFields().length > 0) {
            builder.untrustedOutput(t.untrustedFields());
        }
        return builder
                .title(t.title().isEmpty() ? null : t.title())
                .description(t.description())
                .annotations(annotations)
                .requiredScopes(t.scopes())
                .inputSchema(schema)
                .handler(ctx -> {
                    Object[] args = new Object[params.length];
                    for (int i = 0; i < params.length; i++) {
                        if (names[i] == null) {
                            args[i] = ctx;
                            continue;
                        }
                        JsonNode v = ctx.arguments().get(names[i]);
                        if (optional[i]) {
                            args[i] = v == null || v.isNull() ? Optional.empty()
                                    : Optional.ofNullable(mapper.treeToValue(v, types[i].containedType(0)));
                        } else {
                            args[i] = v == null ? null : mapper.treeToValue(v, types[i]);
                        }
                    }
                    try {
                        return toResult(m.invoke(target, args));
                    } catch (InvocationTargetException e) {
                        if (e.getCause() instanceof Exception ex) {
                            throw ex;
                        }
                        throw e;
                    }
                })
                .build();
    }

    static ToolResult toResult(Object value) {
        return switch (value) {
            case null -> ToolResult.of();
            case ToolResult r -> r;
            case String s -> ToolResult.text(s);
            case Content c -> ToolResult.of(c);
            default -> ToolResult.structured(Json.standard().toTree(value));
        };
    }
}
