package dev.mcpwarden.server.stdio;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcError;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.MetaKeys;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.McpService;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Handshake;
import dev.mcpwarden.server.dispatch.ModernMeta;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.session.Session;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * MCP over stdio: newline-delimited JSON-RPC on stdin/stdout, nothing else on stdout. Requests run concurrently on
 * virtual threads. An {@code initialize} switches the process to 2025 semantics; otherwise every request carries
 * its own 2026 {@code _meta}. The transport ends when stdin does.
 */
public final class StdioTransport implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(StdioTransport.class);
    private static final int MAX_LINE = 4 * 1024 * 1024;

    private final McpService server;
    private final InputStream in;
    private final OutputStream out;
    private final JsonRpcCodec codec = new JsonRpcCodec(Json.standard());
    private final Map<JsonNode, Call> inFlight = new ConcurrentHashMap<>();
    private volatile Session session;

    public StdioTransport(McpService server, InputStream in, OutputStream out) {
        this.server = server;
        this.in = in;
        this.out = out;
    }

    @Override
    public void run() {
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = readLine(reader)) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String text = line;
                onLine(text, workers);
            }
            inFlight.values().forEach(Call::cancel);
            workers.shutdown();
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.info("stdin closed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(BufferedReader reader) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = reader.read()) != -1) {
            if (c == '\n') {
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                while ((c = reader.read()) != -1 && c != '\n') {
                    // discard the rest of an oversized line
                }
                return "\u0000oversized";
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private void onLine(String line, ExecutorService workers) {
        JsonRpcMessage message;
        try {
            if (line.startsWith("\u0000")) {
                throw new McpError(ErrorCodes.INVALID_REQUEST, "Invalid request: message exceeds " + MAX_LINE + " bytes");
            }
            JsonNode doc = codec.parse(line.getBytes(StandardCharsets.UTF_8));
            if (JsonRpcCodec.isBatch(doc)) {
                throw new McpError(ErrorCodes.INVALID_REQUEST, "Invalid request: JSON-RPC batches are not supported");
            }
            message = codec.read(doc);
        } catch (McpError e) {
            write(new JsonRpcMessage.ErrorResponse(null, e.toError()));
            return;
        }
        switch (message) {
            case JsonRpcMessage.Request r -> workers.submit(() -> serve(r));
            case JsonRpcMessage.Notification n -> onNotification(n);
            case JsonRpcMessage.Response r -> complete(r.id(), r.result(), null);
            case JsonRpcMessage.ErrorResponse e -> complete(e.id(), null, e.error());
        }
    }

    private void onNotification(JsonRpcMessage.Notification n) {
        if ("notifications/cancelled".equals(n.method()) && n.params() != null) {
            Call call = inFlight.get(n.params().path("requestId"));
            if (call != null) {
                call.cancel();
            }
        } else if ("notifications/initialized".equals(n.method()) && session != null) {
            session.markInitialized();
        }
    }

    private void complete(JsonNode id, JsonNode result, JsonRpcError error) {
        Session s = session;
        if (s == null || id == null) {
            return;
        }
        CompletableFuture<JsonNode> pending = s.pendingClientRequests().get(id.asString(""));
        if (pending != null) {
            if (error != null) {
                pending.completeExceptionally(new McpError(ErrorCodes.INTERNAL_ERROR, "The client answered with an error"));
            } else {
                pending.complete(result);
            }
        }
    }

    private void serve(JsonRpcMessage.Request r) {
        try {
            Call call = toCall(r);
            if (call == null) {
                return;
            }
            inFlight.put(r.id(), call);
            try {
                JsonNode result = server.handle(call);
                if (!call.cancelled()) {
                    write(new JsonRpcMessage.Response(r.id(), result));
                }
            } finally {
                inFlight.remove(r.id());
            }
        } catch (McpError e) {
            write(new JsonRpcMessage.ErrorResponse(r.id(), e.toError()));
        } catch (Rejection e) {
            write(new JsonRpcMessage.ErrorResponse(r.id(), e.toError()));
        } catch (RuntimeException e) {
            String errorId = java.util.UUID.randomUUID().toString();
            LOG.error("request {} failed (error id {})", r.method(), errorId, e);
            write(new JsonRpcMessage.ErrorResponse(r.id(), new JsonRpcError(ErrorCodes.INTERNAL_ERROR,
                    "Internal error (error id " + errorId + ")", null)));
        }
    }

    /** The call for a request, or null when the request was answered here (initialize). */
    private Call toCall(JsonRpcMessage.Request r) {
        JsonNode meta = r.params() == null ? null : r.params().get("_meta");
        boolean modern = meta instanceof ObjectNode m && m.has(MetaKeys.PROTOCOL_VERSION);
        if (!modern && "initialize".equals(r.method())) {
            initialize(r);
            return null;
        }
        if (!modern && session != null) {
            return new Call(r, session.version(), session, session.clientCapabilities(), null, new StdioOutbound(session));
        }
        if (!(meta instanceof ObjectNode)) {
            throw new McpError(ErrorCodes.INVALID_PARAMS, "Invalid params: _meta is required (or send initialize)");
        }
        ModernMeta m = ModernMeta.read(r.params(), null);
        if (!server.knows(r.method(), true)) {
            throw McpError.methodNotFound(r.method(), true);
        }
        return new Call(r, m.version(), null, m.clientCapabilities(), m.logLevel(), new StdioOutbound(null));
    }

    private void initialize(JsonRpcMessage.Request r) {
        Handshake h = Handshake.read(r.params());
        session = new Session("stdio", h.version(), h.capabilities(), h.clientInfo(), "local",
                server.clock().instant());
        write(new JsonRpcMessage.Response(r.id(), server.backend().initializeResult(h.version())));
    }

    private synchronized void write(JsonRpcMessage message) {
        try {
            out.write(codec.encode(message));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            LOG.warn("could not write to stdout: {}", e.getMessage());
        }
    }

    /** Notifications and (2025) server requests go straight to stdout. */
    private final class StdioOutbound implements Outbound {
        private final Session legacy;

        StdioOutbound(Session legacy) {
            this.legacy = legacy;
        }

        @Override
        public void notify(String method, ObjectNode params) {
            if (method != null) {
                write(new JsonRpcMessage.Notification(method, params));
            }
        }

        @Override
        public JsonNode request(String method, ObjectNode params) {
            if (legacy == null) {
                throw new UnsupportedOperationException("the 2026 wire has no server-to-client requests");
            }
            String id = legacy.nextServerRequestId();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            legacy.pendingClientRequests().put(id, answer);
            try {
                write(new JsonRpcMessage.Request(Json.nodes().stringNode(id), method, params));
                return answer.get(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new McpError(ErrorCodes.INTERNAL_ERROR, "Request cancelled");
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new McpError(ErrorCodes.INTERNAL_ERROR, "The client did not answer " + method);
            } finally {
                legacy.pendingClientRequests().remove(id);
            }
        }
    }
}
