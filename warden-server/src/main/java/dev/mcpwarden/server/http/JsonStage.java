package dev.mcpwarden.server.http;

import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;

/**
 * Parses a POST body as strict JSON: malformed documents, duplicate keys and nesting beyond the codec's depth
 * limit are parse errors (400, -32700).
 */
final class JsonStage implements Stage<HttpExchange, Void> {

    /** Looks at the request head or parsed body only. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private final JsonRpcCodec codec;

    public JsonStage(JsonRpcCodec codec) {
        this.codec = codec;
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        if ("POST".equals(ex.method())) {
            ex.document(codec.parse(ex.body()));
        }
        return chain.proceed(ex);
    }
}
