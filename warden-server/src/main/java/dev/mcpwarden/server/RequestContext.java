package dev.mcpwarden.server;

import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputResponses;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a handler knows about the request it serves, and what it may send back while it runs. The same methods work
 * on both protocol eras; the runtime maps them onto the wire the client speaks.
 */
public interface RequestContext {

    ProtocolVersion protocolVersion();

    /** Who made the request, as authentication established it ({@link Principal#ANONYMOUS} without one). */
    Principal principal();

    /** The capabilities the client declared for this request (2026) or its session (2025). */
    ObjectNode clientCapabilities();

    default boolean clientSupports(String capability) {
        JsonNode c = clientCapabilities().get(capability);
        return c != null && !c.isNull();
    }

    /** Reports progress; does nothing unless the client asked for progress with a token. */
    void progress(double progress, Double total, String message);

    /** Sends a log message to the client, if the client asked for messages at this level. */
    void log(LogLevel level, String logger, JsonNode data);

    /**
     * Asks the client for input and returns its answers. On the 2025 wire this sends server-to-client requests and
     * waits; on the 2026 wire it returns the answers of a retry, or ends this round with an {@code input_required}
     * result (the handler runs again, from the start, when the client retries, so code before this call must be
     * free of side effects or idempotent).
     *
     * @throws dev.mcpwarden.core.jsonrpc.McpError -32021 when the client did not declare a capability a request needs
     */
    InputResponses input(Map<String, InputRequest> requests);

    default JsonNode input(String key, InputRequest request) {
        return input(Map.of(key, request)).get(key);
    }

    /**
     * On the 2025-11-25 wire over HTTP, closes the connection carrying this request's SSE stream after telling the
     * client when to reconnect (SSE polling); the client resumes with {@code Last-Event-ID} and receives the rest,
     * result included. Useful before long waits behind proxies that cut idle connections. Does nothing elsewhere.
     */
    void suggestReconnect();

    /** True once the client cancelled the request or went away. */
    boolean isCancelled();
}
