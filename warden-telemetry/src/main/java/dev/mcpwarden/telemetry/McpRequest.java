package dev.mcpwarden.telemetry;

import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.pipeline.Target;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** What the MCP semantic conventions (semantic-conventions-genai v0.1.0) say about one request and its ending. */
final class McpRequest {

    /** The methods of both eras; anything else is named {@link BoundedLabels#OTHER}, never echoed. */
    static final Set<String> METHODS = Set.of("initialize", "ping", "server/discover", "tools/list", "tools/call",
            "prompts/list", "prompts/get", "resources/list", "resources/templates/list", "resources/read",
            "resources/subscribe", "resources/unsubscribe", "subscriptions/listen", "completion/complete",
            "logging/setLevel", "tasks/get", "tasks/list", "tasks/result", "tasks/cancel");

    /** {@code error.type} of a tool result with {@code isError: true}. */
    static final String TOOL_ERROR = "tool_error";

    private McpRequest() {
    }

    static String method(Call call) {
        String m = call.method();
        return METHODS.contains(m) ? m : BoundedLabels.OTHER;
    }

    /** The tool's or prompt's name, or null when the request names neither. */
    static String targetName(Call call) {
        Target t = call.target();
        if (t == null) {
            return null;
        }
        return switch (call.method()) {
            case "tools/call", "prompts/get" -> t.name();
            default -> null;
        };
    }

    /** {@code tcp} over HTTP, {@code pipe} over stdio (a call over stdio has no remote address). */
    static String transport(Call call) {
        return call.remoteAddress() == null ? "pipe" : "tcp";
    }

    /** {@code error.type}: the JSON-RPC error code as text, {@code tool_error}, or null when the request succeeded. */
    static String errorType(Ending ending) {
        return switch (ending) {
            case Ending.Answered a -> isToolError(a.result()) ? TOOL_ERROR : null;
            case Ending.Refused r -> Integer.toString(r.rejection().code());
            case Ending.Failed f -> Integer.toString(f.error().code());
            case Ending.Crashed c -> Integer.toString(INTERNAL_ERROR);
        };
    }

    /** {@code rpc.response.status_code}: the JSON-RPC error code the response carries, or null. */
    static String statusCode(Ending ending) {
        return switch (ending) {
            case Ending.Answered a -> null;
            case Ending.Refused r -> Integer.toString(r.rejection().code());
            case Ending.Failed f -> Integer.toString(f.error().code());
            case Ending.Crashed c -> Integer.toString(INTERNAL_ERROR);
        };
    }

    /** How the request ended, in one word: {@code answered}, {@code tool_error}, {@code refused}, ... */
    static String outcome(Ending ending) {
        return switch (ending) {
            case Ending.Answered a -> isToolError(a.result()) ? TOOL_ERROR : "answered";
            case Ending.Refused r -> "refused";
            case Ending.Failed f -> "failed";
            case Ending.Crashed c -> "crashed";
        };
    }

    private static final int INTERNAL_ERROR = -32603;

    private static boolean isToolError(JsonNode result) {
        return result != null && result.path("isError").asBoolean(false);
    }
}
