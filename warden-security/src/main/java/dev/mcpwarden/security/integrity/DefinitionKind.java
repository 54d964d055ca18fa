package dev.mcpwarden.security.integrity;

import java.util.List;

/**
 * The kinds of definition a server lists and a pin file pins. Each kind names the fields that are hashed (everything a
 * client or model reads to decide what to call, nothing transport- or UI-only such as {@code _meta} or icons) and the
 * field that identifies a definition within its kind.
 */
public enum DefinitionKind {
    /** A tool from {@code tools/list}; identified by its name. */
    TOOL("tools", "tools/list", "tools", "name",
            List.of("name", "title", "description", "inputSchema", "outputSchema", "annotations")),
    /** A prompt from {@code prompts/list}; identified by its name. */
    PROMPT("prompts", "prompts/list", "prompts", "name",
            List.of("name", "title", "description", "arguments")),
    /**
     * A resource template from {@code resources/templates/list}; identified by its URI template, the field reads
     * are routed by (template names need not be unique).
     */
    RESOURCE_TEMPLATE("resourceTemplates", "resources/templates/list", "resourceTemplates", "uriTemplate",
            List.of("uriTemplate", "name", "title", "description", "mimeType", "annotations"));

    private final String pinKey;
    private final String listMethod;
    private final String listField;
    private final String identityField;
    private final List<String> pinnedFields;

    DefinitionKind(String pinKey, String listMethod, String listField, String identityField,
                   List<String> pinnedFields) {
        this.pinKey = pinKey;
        this.listMethod = listMethod;
        this.listField = listField;
        this.identityField = identityField;
        this.pinnedFields = pinnedFields;
    }

    /** The member of the pin file holding this kind's pins ({@code tools}, {@code prompts}, {@code resourceTemplates}). */
    public String pinKey() {
        return pinKey;
    }

    /** The MCP method that lists definitions of this kind. */
    public String listMethod() {
        return listMethod;
    }

    /** The array member of that method's result. */
    public String listField() {
        return listField;
    }

    /** The definition member that identifies a definition within this kind. */
    public String identityField() {
        return identityField;
    }

    /** The definition members covered by the digest, in the order the specification lists them. */
    public List<String> pinnedFields() {
        return pinnedFields;
    }

    /** The kind whose pin-file member is {@code key}, or {@code null}. */
    static DefinitionKind byPinKey(String key) {
        for (DefinitionKind k : values()) {
            if (k.pinKey.equals(key)) {
                return k;
            }
        }
        return null;
    }

    /**
     * The kind of pinned definition a backend's {@code kind} of entry is, or {@code null} for static resources and
     * for null: a static resource is data, not instructions, and is never pinned.
     */
    public static DefinitionKind of(dev.mcpwarden.server.pipeline.Target.Kind kind) {
        if (kind == null) {
            return null;
        }
        return switch (kind) {
            case TOOL -> TOOL;
            case PROMPT -> PROMPT;
            case RESOURCE_TEMPLATE -> RESOURCE_TEMPLATE;
            case RESOURCE -> null;
        };
    }
}
