package dev.mcpwarden.server.task;

/**
 * Whether a tool runs as a task (the {@code io.modelcontextprotocol/tasks} extension) when the client declares the
 * extension. A tool that declares neither is always answered directly.
 */
public enum TaskSupport {
    /** Run as a task for clients that declare the extension; answered directly for the others. */
    OPTIONAL,
    /** Only as a task: a client that does not declare the extension is refused with -32021. */
    REQUIRED
}
