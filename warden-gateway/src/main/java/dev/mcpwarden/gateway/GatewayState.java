package dev.mcpwarden.gateway;

import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.input.StateSealer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code requestState} the gateway gives 2026 clients, sealed with the runtime's {@link StateSealer}: what an
 * upstream handed back (its own state, or the id of a call parked here) never reaches the client in the clear, and
 * comes back only for the same caller, method, target and upstream, before it expires. A client cannot make the
 * gateway send an upstream a state the upstream did not issue.
 */
final class GatewayState {

    private final StateSealer sealer;

    GatewayState(StateSealer sealer) {
        this.sealer = sealer;
    }

    String seal(Call call, Upstream up, ObjectNode payload) {
        return sealer.seal(binding(call, up), payload);
    }

    /**
     * The payload of the client's {@code requestState}, or null when it sent none.
     *
     * @throws McpError -32602 when the state was not issued by this gateway for this request and caller, or expired
     */
    ObjectNode open(Call call, Upstream up) {
        JsonNode state = call.params().get("requestState");
        if (state == null || state.isNull()) {
            return null;
        }
        if (!state.isString()) {
            throw McpError.invalidParams("Invalid requestState");
        }
        return sealer.open(binding(call, up), state.asString())
                .orElseThrow(() -> McpError.invalidParams("Invalid requestState"));
    }

    private static String binding(Call call, Upstream up) {
        String target = call.target() == null ? "" : call.target().kind() + ":" + call.target().name();
        return "gateway\n" + call.principalKey() + "\n" + call.method() + "\n" + target + "\n" + up.name();
    }
}
