package dev.mcpwarden.server.tool;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Icon;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool: its definition as clients see it and the handler behind it. Build one with {@link #builder(String)}, or
 * let {@link #fromRecord} or {@link AnnotatedTools} derive the input schema from Java types.
 */
public final class Tool {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    /**
     * The {@code _meta} member of a definition saying what of its output third parties write: {@code true} for all
     * of it, or a list of the fields of its {@code structuredContent} (JSON Pointers, {@code *} for any member or
     * index, or bare member names). The output guards of {@code warden-security} read it: such output is checked
     * for prompt injection and spotlighted without the tool being listed in their configuration.
     */
    public static final String UNTRUSTED_OUTPUT_META = "dev.mcpwarden/untrusted-output";

    private final String name;
    private final String title;
    private final String description;
    private final ObjectNode inputSchema;
    private final JsonNode outputSchema;
    private final ToolAnnotations annotations;
    private final List<Icon> icons;
    private final ObjectNode meta;
    private final ToolHandler handler;
    private final java.util.Set<String> requiredScopes;
    private final boolean nonBlocking;
    private final dev.mcpwarden.server.task.TaskSupport taskSupport;
    private final boolean taskAfterInput;

    private Tool(Builder b) {
        this.name = b.name;
        this.title = b.title;
        this.description = b.description;
        this.inputSchema = b.inputSchema == null ? SchemaGenerator.emptyObject() : b.inputSchema;
        this.outputSchema = b.outputSchema;
        this.annotations = b.annotations;
        this.icons = List.copyOf(b.icons);
        this.meta = withUntrustedOutput(b.meta, b.untrustedOutput);
        this.handler = Objects.requireNonNull(b.handler, () -> "tool " + name + " needs a handler");
        this.requiredScopes = java.util.Set.copyOf(b.requiredScopes);
        this.nonBlocking = b.nonBlocking;
        this.taskSupport = b.taskSupport;
        this.taskAfterInput = b.taskAfterInput;
        if (nonBlocking && taskSupport != null) {
            throw new IllegalArgumentException("tool " + name + ": a task runs on its own thread; it cannot also be "
                    + "nonBlocking");
        }
        if (taskAfterInput && taskSupport == null) {
            throw new IllegalArgumentException("tool " + name + ": taskAfterInput needs taskSupport");
        }
        if (!"object".equals(inputSchema.path("type").asString(""))) {
            throw new IllegalArgumentException("tool " + name + ": inputSchema must have type \"object\" at its root");
        }
        HeaderAnnotations.check(name, inputSchema);
    }

    private static ObjectNode withUntrustedOutput(ObjectNode meta, List<String> fields) {
        if (fields == null) {
            return meta;
        }
        ObjectNode m = meta == null ? Json.object() : meta.deepCopy();
        if (fields.isEmpty()) {
            m.put(UNTRUSTED_OUTPUT_META, true);
        } else {
            fields.forEach(f -> m.withArray(UNTRUSTED_OUTPUT_META).add(f));
        }
        return m;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A tool whose arguments bind to a record; the input schema is generated from the record's components.
     */
    public static <A extends Record> Tool fromRecord(String name, String description, Class<A> argumentType,
                                                     BiFunction<A, ToolContext, ToolResult> handler) {
        return builder(name).description(description)
                .inputSchema(SchemaGenerator.forRecord(argumentType))
                .handler(ctx -> handler.apply(ctx.arguments(argumentType), ctx))
                .build();
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public ObjectNode inputSchema() {
        return inputSchema;
    }

    public JsonNode outputSchema() {
        return outputSchema;
    }

    public ToolHandler handler() {
        return handler;
    }

    public ToolAnnotations annotations() {
        return annotations;
    }

    /** OAuth scopes a caller needs for this tool (enforced where an authenticator is installed). */
    public java.util.Set<String> requiredScopes() {
        return requiredScopes;
    }

    /** Whether (and how) it runs as a task, or null when it is always answered directly. */
    public dev.mcpwarden.server.task.TaskSupport taskSupport() {
        return taskSupport;
    }

    /** Whether the task starts only once the handler's first input is in: see {@link Builder#taskAfterInput()}. */
    public boolean taskAfterInput() {
        return taskAfterInput;
    }

    /** Whether the handler promised never to block: see {@link Builder#nonBlocking()}. */
    public boolean nonBlocking() {
        return nonBlocking;
    }

    /** The definition as sent in {@code tools/list}. */
    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("name", name);
        if (title != null) {
            n.put("title", title);
        }
        if (description != null) {
            n.put("description", description);
        }
        n.set("inputSchema", inputSchema);
        if (outputSchema != null) {
            n.set("outputSchema", outputSchema);
        }
        if (annotations != null) {
            n.set("annotations", annotations.toJson());
        }
        if (!icons.isEmpty()) {
            icons.forEach(i -> n.withArray("icons").add(i.toJson()));
        }
        if (meta != null) {
            n.set("_meta", meta);
        }
        return n;
    }

    /** Builds a {@link Tool}. */
    public static final class Builder {
        private final String name;
        private String title;
        private String description;
        private ObjectNode inputSchema;
        private JsonNode outputSchema;
        private ToolAnnotations annotations;
        private final List<Icon> icons = new ArrayList<>();
        private ObjectNode meta;
        private ToolHandler handler;
        private final java.util.Set<String> requiredScopes = new java.util.LinkedHashSet<>();
        private boolean nonBlocking;
        private dev.mcpwarden.server.task.TaskSupport taskSupport;
        private boolean taskAfterInput;
        private List<String> untrustedOutput;

        private Builder(String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "tool name must be 1-128 characters of A-Z a-z 0-9 _ . - , was: " + name);
            }
            this.name = name;
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder inputSchema(ObjectNode schema) {
            this.inputSchema = schema;
            return this;
        }

        public Builder inputSchema(String schemaJson) {
            JsonNode n = Json.standard().parse(schemaJson);
            if (!n.isObject()) {
                throw new IllegalArgumentException("tool " + name + ": inputSchema must be a JSON object");
            }
            this.inputSchema = (ObjectNode) n;
            return this;
        }

        public Builder outputSchema(JsonNode schema) {
            this.outputSchema = schema;
            return this;
        }

        public Builder annotations(ToolAnnotations annotations) {
            this.annotations = annotations;
            return this;
        }

        public Builder icon(Icon icon) {
            this.icons.add(icon);
            return this;
        }

        public Builder meta(ObjectNode meta) {
            this.meta = meta;
            return this;
        }

        /** OAuth scopes a caller needs; a caller without them gets a 403 step-up challenge naming them. */
        public Builder requiredScopes(String... scopes) {
            for (String s : scopes) {
                if (s == null || s.isBlank() || s.contains(" ")) {
                    throw new IllegalArgumentException("tool " + name + ": a scope is a non-empty word, was: " + s);
                }
                requiredScopes.add(s);
            }
            return this;
        }

        /**
         * Promises that the handler never blocks: it computes from memory, in microseconds, without I/O, locks held
         * for long or waiting on other threads. On the 2026-07-28 wire such a tool can then run on the HTTP
         * transport's I/O thread that read the request, saving the hand-off to a virtual thread (see the "Threads"
         * section of docs/transports.md). Progress and log notifications it sends reach the client in the same
         * response, before the result, all at once. A handler that breaks the promise stalls every connection of
         * that I/O thread while it blocks: leave this off unless the handler is pure computation.
         */
        public Builder nonBlocking() {
            this.nonBlocking = true;
            return this;
        }

        /**
         * Declares the whole output third-party data (web pages, mail, what other users wrote): the output guards
         * check it for prompt injection and spotlight it, wherever the tool is served. Sets
         * {@value Tool#UNTRUSTED_OUTPUT_META} in the definition's {@code _meta}.
         */
        public Builder untrustedOutput() {
            this.untrustedOutput = List.of();
            return this;
        }

        /**
         * Declares the fields of the tool's {@code structuredContent} that carry third-party data, e.g.
         * {@code "/tickets/*}{@code /title"} ({@code *}: any member or index) or a member name matching at any depth,
         * e.g. {@code "body"}: the output guards check the result for prompt injection and spotlight these fields
         * (and the result's text), leaving the other fields exact.
         */
        public Builder untrustedOutput(String... fields) {
            if (fields.length == 0) {
                return untrustedOutput();
            }
            for (String f : fields) {
                if (f == null || f.isBlank() || (!f.startsWith("/") && f.contains("/"))) {
                    throw new IllegalArgumentException("tool " + name
                            + ": an untrusted field is a JSON Pointer or a member name, was: " + f);
                }
            }
            this.untrustedOutput = List.of(fields);
            return this;
        }

        /**
         * Runs the tool as a task (the {@code io.modelcontextprotocol/tasks} extension) for clients that declare it:
         * the call is answered at once with a task id, and the same handler runs on its own thread; the client polls
         * {@code tasks/get}, answers its {@code ctx.input} requests with {@code tasks/update}, and may cancel it
         * (the handler sees {@link dev.mcpwarden.server.RequestContext#isCancelled()} and an interrupt). With
         * {@link dev.mcpwarden.server.task.TaskSupport#REQUIRED} clients without the extension are refused
         * (-32021); with {@code OPTIONAL} they are answered directly.
         */
        public Builder taskSupport(dev.mcpwarden.server.task.TaskSupport support) {
            this.taskSupport = Objects.requireNonNull(support, "support");
            return this;
        }

        /**
         * The task starts once the handler's first {@code ctx.input} is answered, not when the call arrives: what it
         * asks first is an ordinary multi round-trip round ({@code input_required} answered by retrying the call),
         * and the call that brings the answer is answered with the task.
         */
        public Builder taskAfterInput() {
            this.taskAfterInput = true;
            return this;
        }

        public Builder handler(ToolHandler handler) {
            this.handler = handler;
            return this;
        }

        public Tool build() {
            return new Tool(this);
        }
    }
}
