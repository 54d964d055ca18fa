package dev.mcpwarden.server.tool;

import dev.mcpwarden.core.content.ToolResult;

/** The code behind a tool. Exceptions become tool errors; their messages are not sent to the client. */
@FunctionalInterface
public interface ToolHandler {
    ToolResult call(ToolContext context) throws Exception;
}
