package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a 2025 {@code initialize} asks for, read and negotiated in one place for every transport (HTTP and stdio
 * must agree on what they accept).
 *
 * @param version      the negotiated version: the client's if this server speaks it, else the latest 2025 one
 * @param capabilities the client's declared capabilities
 * @param clientInfo   the client's name and version
 */
public record Handshake(ProtocolVersion version, ObjectNode capabilities, ObjectNode clientInfo) {

    /**
     * Reads an {@code initialize} request's params.
     *
     * @throws McpError invalid params when protocolVersion, capabilities or clientInfo is missing or malformed
     */
    public static Handshake read(ObjectNode params) {
        JsonNode requested = params == null ? null : params.get("protocolVersion");
        JsonNode caps = params == null ? null : params.get("capabilities");
        JsonNode info = params == null ? null : params.get("clientInfo");
        if (requested == null || !requested.isString() || !(caps instanceof ObjectNode capabilities)
                || !(info instanceof ObjectNode clientInfo)) {
            throw McpError.invalidParams(
                    "Invalid params: initialize needs protocolVersion, capabilities and clientInfo");
        }
        ProtocolVersion negotiated = ProtocolVersion.parse(requested.asString())
                .filter(v -> !v.isModern()).orElse(ProtocolVersion.latestLegacy());
        return new Handshake(negotiated, capabilities, clientInfo);
    }
}
