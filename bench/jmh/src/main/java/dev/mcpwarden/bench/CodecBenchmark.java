package dev.mcpwarden.bench;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
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
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.IntNode;

/**
 * JSON-RPC decoding and encoding of a {@code tools/call}: Warden's strict codec (duplicate keys refused, nesting
 * bounded) against a plain Jackson {@code readTree}, which is what the raw Jetty+Jackson peer does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CodecBenchmark {

    private JsonRpcCodec codec;
    private JsonMapper plain;
    private JsonNode result;

    @Setup
    public void setUp() {
        codec = new JsonRpcCodec(Json.standard());
        plain = JsonMapper.builder().build();
        result = ToolResult.text("hello").toJson();
    }

    /** Bytes to a checked {@link JsonRpcMessage.Request}. */
    @Benchmark
    public JsonRpcMessage decodeToolsCall2026() {
        return codec.read(codec.parse(Requests.TOOLS_CALL_2026));
    }

    @Benchmark
    public JsonRpcMessage decodeToolsCall2025() {
        return codec.read(codec.parse(Requests.TOOLS_CALL_2025));
    }

    /** The floor for decoding: Jackson's default tree parse, no strictness, no message checks. */
    @Benchmark
    public JsonNode plainJacksonReadTree2026() {
        return plain.readTree(Requests.TOOLS_CALL_2026);
    }

    /** A tools/call result to bytes. */
    @Benchmark
    public byte[] encodeToolsCallResult() {
        return codec.encode(new JsonRpcMessage.Response(IntNode.valueOf(1), result));
    }

    /** Building the result tree from the handler's {@link ToolResult}, then encoding it. */
    @Benchmark
    public byte[] buildAndEncodeToolsCallResult() {
        return codec.encode(new JsonRpcMessage.Response(IntNode.valueOf(1), ToolResult.text("hello").toJson()));
    }
}
