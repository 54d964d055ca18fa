package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.MetaKeys;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The per-request {@code _meta} of the 2026-07-28 wire, checked in the order the specification and the conformance
 * suite expect: required fields first (-32602), then agreement with the transport's version header (-32020), then
 * version support (-32022), all with HTTP status 400.
 *
 * @param logLevel null when the request did not ask for log messages
 */
public record ModernMeta(ProtocolVersion version, ObjectNode clientCapabilities, LogLevel logLevel) {

    /**
     * @param headerVersion the {@code MCP-Protocol-Version} header, or null on transports without one (stdio)
     */
    public static ModernMeta read(ObjectNode params, String headerVersion) {
        JsonNode meta = params == null ? null : params.get("_meta");
        if (!(meta instanceof ObjectNode m)) {
            throw invalid("Invalid params: _meta is required");
        }
        JsonNode v = m.get(MetaKeys.PROTOCOL_VERSION);
        if (v == null || !v.isString()) {
            throw invalid("Invalid params: _meta." + MetaKeys.PROTOCOL_VERSION + " is required");
        }
        if (!(m.get(MetaKeys.CLIENT_CAPABILITIES) instanceof ObjectNode caps)) {
            throw invalid("Invalid params: _meta." + MetaKeys.CLIENT_CAPABILITIES + " is required");
        }
        if (headerVersion != null && !headerVersion.equals(v.asString())) {
            throw new McpError(ErrorCodes.HEADER_MISMATCH,
                    "Header mismatch: MCP-Protocol-Version does not match _meta", null, 400);
        }
        ProtocolVersion version = ProtocolVersion.parse(v.asString()).filter(ProtocolVersion::isModern)
                .orElseThrow(() -> unsupported(v.asString()));
        LogLevel level = null;
        JsonNode levelNode = m.get(MetaKeys.LOG_LEVEL);
        if (levelNode != null && !levelNode.isNull()) {
            level = LogLevel.parse(levelNode.asString(""))
                    .orElseThrow(() -> McpError.invalidParams("Invalid log level: " + levelNode));
        }
        return new ModernMeta(version, caps, level);
    }

    private static McpError invalid(String message) {
        return new McpError(ErrorCodes.INVALID_PARAMS, message, null, 400);
    }

    private static McpError unsupported(String requested) {
        ObjectNode data = Json.object();
        ProtocolVersion.allIds().forEach(data.putArray("supported")::add);
        data.put("requested", requested);
        return new McpError(ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version: " + requested,
                data, 400);
    }
}
