package dev.mcpwarden.server.http;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.pipeline.Target;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * The 2026-07-28 routing headers must mirror the body: {@code Mcp-Method} always, {@code Mcp-Name} for
 * {@code tools/call}, {@code prompts/get} and {@code resources/read}, and {@code Mcp-Param-*} for every tool argument
 * annotated with {@code x-mcp-header}; the tasks extension's {@code tasks/get}, {@code tasks/update} and
 * {@code tasks/cancel} name their {@code taskId} in {@code Mcp-Name}. A missing, malformed or mismatching header is 400 with -32020, so that an
 * intermediary routing on headers can never be shown one request while the server runs another.
 */
final class HeaderValidator {

    static final String METHOD_HEADER = "Mcp-Method";
    static final String NAME_HEADER = "Mcp-Name";
    private static final String SENTINEL_START = "=?base64?";
    private static final String SENTINEL_END = "?=";

    private final Definitions definitions;

    /** Validates against the tools {@code definitions} lists (their {@code inputSchema} annotations). */
    HeaderValidator(Definitions definitions) {
        this.definitions = definitions;
    }

    void validate(HttpExchange ex, JsonRpcMessage.Request request) {
        validate(ex::header, request);
    }

    /** The same, with the request's headers as a lookup (trimmed value or null), so it can be checked alone. */
    void validate(UnaryOperator<String> headers, JsonRpcMessage.Request request) {
        String method = headers.apply(METHOD_HEADER);
        if (method == null) {
            throw mismatch("Mcp-Method header is required");
        }
        if (!method.equals(request.method())) {
            throw mismatch("Mcp-Method header does not match the request method");
        }
        String nameKey = switch (request.method()) {
            case "tools/call", "prompts/get" -> "name";
            case "resources/read" -> "uri";
            case "tasks/get", "tasks/update", "tasks/cancel" -> "taskId";
            default -> null;
        };
        if (nameKey != null) {
            String header = headers.apply(NAME_HEADER);
            if (header == null) {
                throw mismatch("Mcp-Name header is required for " + request.method());
            }
            JsonNode bodyValue = request.params() == null ? null : request.params().get(nameKey);
            String decoded = decode(header, "Mcp-Name");
            if (bodyValue == null || !bodyValue.isString() || !decoded.equals(bodyValue.asString())) {
                throw mismatch("Mcp-Name header does not match params." + nameKey);
            }
        }
        if ("tools/call".equals(request.method())) {
            validateParams(headers, request);
        }
    }

    private void validateParams(UnaryOperator<String> headers, JsonRpcMessage.Request request) {
        String toolName = request.params().path("name").asString("");
        Definitions.Entry tool = definitions.find(Target.Kind.TOOL, toolName).orElse(null);
        if (tool == null) {
            return; // the pipeline answers unknown tools
        }
        JsonNode args = request.params().path("arguments");
        JsonNode props = tool.json().path("inputSchema").path("properties");
        for (Map.Entry<String, JsonNode> p : props.properties()) {
            JsonNode headerName = p.getValue().get("x-mcp-header");
            if (headerName == null || !headerName.isString()) {
                continue;
            }
            String header = headers.apply("Mcp-Param-" + headerName.asString());
            JsonNode value = args.get(p.getKey());
            if (value == null || value.isNull()) {
                if (header != null) {
                    decode(header, "Mcp-Param-" + headerName.asString());
                }
                continue;
            }
            if (header == null) {
                throw mismatch("Mcp-Param-" + headerName.asString() + " header is required");
            }
            String decoded = decode(header, "Mcp-Param-" + headerName.asString());
            if (!matches(decoded, value)) {
                throw mismatch("Mcp-Param-" + headerName.asString() + " header does not match the argument");
            }
        }
    }

    private static boolean matches(String header, JsonNode value) {
        if (value.isString()) {
            return header.equals(value.asString());
        }
        if (value.isBoolean()) {
            return header.equals(value.asBoolean() ? "true" : "false");
        }
        if (value.isNumber()) {
            try {
                return new BigDecimal(header).compareTo(value.decimalValue()) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** A header value with the {@code =?base64?...?=} form decoded; invalid encodings are rejected. */
    static String decode(String value, String headerName) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw mismatch(headerName + " header contains control characters");
            }
        }
        if (!(value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END)
                && value.length() >= SENTINEL_START.length() + SENTINEL_END.length())) {
            return value;
        }
        String encoded = value.substring(SENTINEL_START.length(), value.length() - SENTINEL_END.length());
        if (encoded.length() % 4 != 0 || !encoded.matches("[A-Za-z0-9+/]*={0,2}")) {
            throw mismatch(headerName + " header has invalid base64");
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(encoded);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw mismatch(headerName + " header has invalid base64");
        }
    }

    private static McpError mismatch(String why) {
        return new McpError(ErrorCodes.HEADER_MISMATCH, "Header mismatch: " + why, null, 400);
    }
}
