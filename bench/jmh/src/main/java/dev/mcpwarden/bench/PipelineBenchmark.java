package dev.mcpwarden.bench;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcCodec;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.ModernMeta;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.pipeline.CorrelationIds;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;

/**
 * A 2026-07-28 {@code tools/call} of echo through {@link McpServer#handle(Call)}, in memory, with the security
 * pipeline of {@code warden bench-server --pipeline full} (authentication with a cached ES256 token, audit into a
 * log whose writer chains and hashes every record, CEL policy, integrity, rate limit, output guards) and without
 * any stage. The difference is what the pipeline costs per request on the request thread, minus HTTP; the audit
 * writer's hashing runs on its own thread (see {@link AuditBenchmark#writerPerRecord}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PipelineBenchmark {

    private McpServer plain;
    private McpServer full;
    private McpServer observed;
    private McpServer plainObserved;
    private dev.mcpwarden.telemetry.Telemetry telemetry;
    private Authenticator authenticator;
    private AuditLog log;
    private JsonRpcMessage.Request request;
    private String token;

    @Setup
    public void setUp() {
        SecurityFixtures fx = new SecurityFixtures();
        plain = Requests.echoServer();
        log = SecurityFixtures.discardingLog();
        SecurityFixtures.Pipeline p = fx.pipeline(log);
        full = p.server();
        authenticator = p.authenticator();
        telemetry = TelemetryFixture.telemetry();
        observed = fx.pipeline(log, telemetry.listener()).server();
        plainObserved = Requests.echoServer(telemetry.listener());
        token = fx.token();
        JsonRpcCodec codec = new JsonRpcCodec(Json.standard());
        request = (JsonRpcMessage.Request) codec.read(codec.parse(Requests.TOOLS_CALL_2026));
        check(pipelineOff());
        check(pipelineFull());
        check(pipelineFullTelemetry());
        check(telemetryOnly());
    }

    @TearDown
    public void tearDown() {
        telemetry.close();
        log.close();
    }

    private static void check(JsonNode r) {
        if (!"hello".equals(r.path("content").path(0).path("text").asString(""))) {
            throw new IllegalStateException("echo did not answer hello: " + r);
        }
    }

    /** No security stage: what {@code --pipeline off} does per request after HTTP. */
    @Benchmark
    public JsonNode pipelineOff() {
        ModernMeta meta = ModernMeta.read(request.params(), ProtocolVersion.V2026_07_28.id());
        Call call = new Call(request, meta.version(), null, meta.clientCapabilities(), meta.logLevel(),
                Outbound.NONE);
        call.correlationId(CorrelationIds.next());
        call.remoteAddress("127.0.0.1");
        return plain.handle(call);
    }

    /** Authentication (cache hit) and every MCP-level stage of {@code --pipeline full}. */
    @Benchmark
    public JsonNode pipelineFull() {
        String id = CorrelationIds.next();
        var principal = authenticator.authenticate(SecurityFixtures.head(token, id));
        ModernMeta meta = ModernMeta.read(request.params(), ProtocolVersion.V2026_07_28.id());
        Call call = new Call(request, meta.version(), null, meta.clientCapabilities(), meta.logLevel(),
                Outbound.NONE);
        call.principal(principal);
        call.remoteAddress("127.0.0.1");
        call.correlationId(id);
        return full.handle(call);
    }

    /**
     * The same with telemetry on as {@code bench-server --telemetry} runs it: a span per request sampled at 10%
     * (batched to an exporter that discards them) and the metrics of every request.
     */
    @Benchmark
    public JsonNode pipelineFullTelemetry() {
        String id = CorrelationIds.next();
        var principal = authenticator.authenticate(SecurityFixtures.head(token, id));
        ModernMeta meta = ModernMeta.read(request.params(), ProtocolVersion.V2026_07_28.id());
        Call call = new Call(request, meta.version(), null, meta.clientCapabilities(), meta.logLevel(),
                Outbound.NONE);
        call.principal(principal);
        call.remoteAddress("127.0.0.1");
        call.correlationId(id);
        return observed.handle(call);
    }

    /**
     * No security stage, only telemetry (10% of traces, metrics): what telemetry alone costs per request on the
     * request thread, against {@link #pipelineOff}.
     */
    @Benchmark
    public JsonNode telemetryOnly() {
        ModernMeta meta = ModernMeta.read(request.params(), ProtocolVersion.V2026_07_28.id());
        Call call = new Call(request, meta.version(), null, meta.clientCapabilities(), meta.logLevel(),
                Outbound.NONE);
        call.correlationId(CorrelationIds.next());
        call.remoteAddress("127.0.0.1");
        return plainObserved.handle(call);
    }
}
