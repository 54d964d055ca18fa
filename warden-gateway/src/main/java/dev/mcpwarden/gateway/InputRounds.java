package dev.mcpwarden.gateway;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.dispatch.Call;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A 2025 client on a 2026 upstream: each {@code input_required} round of the upstream becomes server-to-client
 * requests on the client's stream (through the call's outbound, as the runtime asks 2025 clients), and their answers
 * go back upstream as {@code inputResponses} with the upstream's own {@code requestState}, until a result comes.
 */
final class InputRounds {

    /** More rounds than any real tool needs; an upstream asking forever is cut off, not followed. */
    static final int MAX_ROUNDS = 16;
    /** More requests in one round than any real tool makes. */
    static final int MAX_REQUESTS = 32;
    private static final Set<String> RELAYED = Set.of("elicitation/create", "sampling/createMessage", "roots/list");

    /** Sends the request again with the answers; returns the next answer of the upstream. */
    @FunctionalInterface
    interface Retry {
        ObjectNode send(ObjectNode params);
    }

    private InputRounds() {
    }

    static boolean inputRequired(JsonNode result) {
        return "input_required".equals(result.path("resultType").asString(""));
    }

    /**
     * Answers the upstream's rounds by asking the client, until the upstream completes.
     *
     * @param params what was sent upstream (without input members)
     * @param first  the upstream's first {@code input_required} result
     */
    static ObjectNode askClient(Call call, String upstream, ObjectNode params, ObjectNode first, Retry retry) {
        ObjectNode result = first;
        for (int round = 0; inputRequired(result); round++) {
            if (round == MAX_ROUNDS) {
                throw UpstreamFailure.of(UpstreamFailure.Kind.PROTOCOL_ERROR, upstream, "Upstream " + upstream
                        + " asked for input more than " + MAX_ROUNDS + " times in one request");
            }
            JsonNode requests = result.path("inputRequests");
            if (!requests.isObject() || requests.isEmpty() || requests.size() > MAX_REQUESTS) {
                throw UpstreamFailure.of(UpstreamFailure.Kind.PROTOCOL_ERROR, upstream, "Upstream " + upstream
                        + " asked for input without valid inputRequests");
            }
            ObjectNode answers = Json.object();
            for (Map.Entry<String, JsonNode> e : requests.properties()) {
                String method = e.getValue().path("method").asString("");
                if (!RELAYED.contains(method)) {
                    throw UpstreamFailure.of(UpstreamFailure.Kind.PROTOCOL_ERROR, upstream, "Upstream " + upstream
                            + " asked for input by an unknown method");
                }
                JsonNode p = e.getValue().path("params");
                answers.set(e.getKey(), ask(call, method, p instanceof ObjectNode o ? o.deepCopy() : Json.object()));
            }
            ObjectNode again = params.deepCopy();
            again.set("inputResponses", answers);
            JsonNode state = result.get("requestState");
            if (state != null && state.isString()) {
                again.set("requestState", state);
            }
            result = retry.send(again);
        }
        return result;
    }

    private static JsonNode ask(Call call, String method, ObjectNode params) {
        try {
            return call.outbound().request(method, params);
        } catch (UnsupportedOperationException e) {
            throw new McpError(ErrorCodes.INVALID_REQUEST, "This request needs input from the client (" + method
                    + "), which this connection cannot carry");
        }
    }
}
