package dev.mcpwarden.bench;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.ModernMeta;
import dev.mcpwarden.server.dispatch.Outbound;
import java.util.Map;
import java.util.Set;

/** Calls as the HTTP transport hands them to the MCP pipeline: a decoded echo call of an authenticated principal. */
final class CallFixtures {

    static final Principal PRINCIPAL = new Principal(SecurityFixtures.ISSUER, "bench", "bench-load", Set.of("bench"),
            null, Set.of(), Map.of("scope", "bench", "client_id", "bench-load"));

    private static final JsonRpcMessage.Request REQUEST;

    static {
        JsonRpcCodec codec = new JsonRpcCodec(Json.standard());
        REQUEST = (JsonRpcMessage.Request) codec.read(codec.parse(Requests.TOOLS_CALL_2026));
    }

    private CallFixtures() {
    }

    /** A fresh call (calls carry per-request state) of echo by {@link #PRINCIPAL}. */
    static Call echoCall() {
        ModernMeta meta = ModernMeta.read(REQUEST.params(), ProtocolVersion.V2026_07_28.id());
        Call call = new Call(REQUEST, meta.version(), null, meta.clientCapabilities(), meta.logLevel(), Outbound.NONE);
        call.principal(PRINCIPAL);
        call.remoteAddress("127.0.0.1");
        call.correlationId("3f9a1c07e2b4-000000002a");
        return call;
    }
}
