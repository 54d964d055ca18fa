package dev.mcpwarden.server.backend;

import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.dispatch.Call;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What answers an MCP request once the pipeline has authenticated, authorised, counted and guarded it: the last link
 * of the recipe. The runtime's backend is its own tools, prompts and resources; a gateway's forwards to upstream
 * servers. A backend never decides who may do what: the pipeline's stages do that on its {@link #definitions()} and
 * on what it returns, so a backend that asks nothing still cannot serve a denied target.
 */
public interface Backend {

    /** The capabilities the server advertises ({@code server/discover}, {@code initialize}). */
    ObjectNode capabilities();

    /** What it defines now. */
    Definitions definitions();

    /**
     * Answers one request: the result object (with the era's envelope fields), or throws
     * {@link dev.mcpwarden.core.jsonrpc.McpError} for a protocol error.
     */
    JsonNode handle(Call call);

    /** Whether a method exists in an era, so transports answer an unknown one (404) before any work. */
    boolean knows(String method, boolean modern);

    /** The result of a 2025 {@code initialize} that negotiated {@code version}. */
    ObjectNode initializeResult(ProtocolVersion version);

    /**
     * Whether answering {@code method} (naming {@code target}, or null) can never block: the backend answers from
     * memory, or the tool promised so. Transports then serve the request on their I/O thread.
     */
    default boolean answersWithoutBlocking(String method, String target) {
        return false;
    }

    /**
     * Whether tool {@code name} runs as a task for clients that declare the tasks extension, and how; null (the
     * default) when it is always answered directly.
     */
    default dev.mcpwarden.server.task.TaskSupport taskSupport(String name) {
        return null;
    }

    /** Whether tool {@code name}'s task starts only once its first input is in ({@code Tool.Builder.taskAfterInput}). */
    default boolean tasksAfterInput(String name) {
        return false;
    }
}
