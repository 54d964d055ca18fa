package dev.mcpwarden.server.tool;

import dev.mcpwarden.server.RequestContext;
import tools.jackson.databind.node.ObjectNode;

/** The context of one tool call: the validated arguments plus everything in {@link RequestContext}. */
public interface ToolContext extends RequestContext {

    String toolName();

    /** The arguments, already validated against the tool's input schema. */
    ObjectNode arguments();

    /** The arguments bound to a record or other type. */
    <T> T arguments(Class<T> type);
}
