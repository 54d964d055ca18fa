package dev.mcpwarden.bench;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.ModernMeta;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.session.Session;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;

/**
 * A {@code tools/call} of the echo tool through {@link McpServer#handle(Call)} (the MCP-level pipeline, argument
 * validation, binding, the handler and the result), in memory with a no-op {@link Outbound}: everything Warden does
 * per request except HTTP.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class DispatchBenchmark {

    private McpServer server;
    private JsonRpcCodec codec;
    private JsonRpcMessage.Request modern;
    private JsonRpcMessage.Request legacy;
    private Session session;

    @Setup
    public void setUp() {
        server = Requests.echoServer();
        codec = new JsonRpcCodec(Json.standard());
        modern = (JsonRpcMessage.Request) codec.read(codec.parse(Requests.TOOLS_CALL_2026));
        legacy = (JsonRpcMessage.Request) codec.read(codec.parse(Requests.TOOLS_CALL_2025));
        session = new Session("bench-session", ProtocolVersion.V2025_06_18, Json.object(),
                Json.object().put("name", "jmh").put("version", "1"), "anonymous", Instant.now());
        session.markInitialized();
        // Fail at set-up, not with a silently fast error path, if the call does not succeed.
        JsonNode r = dispatchModern();
        if (!"hello".equals(r.path("content").path(0).path("text").asString(""))) {
            throw new IllegalStateException("echo did not answer hello: " + r);
        }
    }

    /** A decoded 2026-07-28 request: envelope check, then the pipeline and the tool. */
    @Benchmark
    public JsonNode dispatchModern() {
        ModernMeta meta = ModernMeta.read(modern.params(), ProtocolVersion.V2026_07_28.id());
        return server.handle(new Call(modern, meta.version(), null, meta.clientCapabilities(), meta.logLevel(),
                Outbound.NONE));
    }

    /** A decoded 2025 request in an initialized session. */
    @Benchmark
    public JsonNode dispatchLegacy() {
        return server.handle(new Call(legacy, session.version(), session, session.clientCapabilities(), null,
                Outbound.NONE));
    }

    /** Request bytes to response bytes on the 2026-07-28 wire: decode, dispatch, encode. */
    @Benchmark
    public byte[] roundTripModern() {
        JsonRpcMessage.Request request = (JsonRpcMessage.Request) codec.read(codec.parse(Requests.TOOLS_CALL_2026));
        ModernMeta meta = ModernMeta.read(request.params(), ProtocolVersion.V2026_07_28.id());
        JsonNode result = server.handle(new Call(request, meta.version(), null, meta.clientCapabilities(),
                meta.logLevel(), Outbound.NONE));
        return codec.encode(new JsonRpcMessage.Response(request.id(), result));
    }
}
