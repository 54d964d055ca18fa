package dev.mcpwarden.bench;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.audit.Audit;
import dev.mcpwarden.security.audit.AuditEvent;
import dev.mcpwarden.security.audit.AuditEventType;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.security.audit.AuditPrincipal;
import dev.mcpwarden.security.audit.AuditTrail;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit trail per request: the MCP audit stage building its event (with a trail that only keeps it), the stage
 * recording into an {@link AuditLog} (serialisation and queueing on the request thread), {@link AuditLog#record}
 * of a ready event, and the writer thread's per-record cost (chain, hash, line) measured as record plus flush of a
 * batch, minus nothing: it is the sustained cost of one record on both threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AuditBenchmark {

    private static final int BATCH = 256;

    private AuditLog log;
    private Stage<Call, JsonNode> buildOnly;
    private Stage<Call, JsonNode> toLog;
    private static Stage<Call, JsonNode> eventsTo(Audit audit) {
        return Controls.builder().listener(audit.listener()).build().events().stage();
    }
    private Chain<Call, JsonNode> chain;
    private AuditEvent event;
    private ObjectNode args;
    private volatile AuditEvent last;

    @Setup
    public void setUp() {
        log = SecurityFixtures.discardingLog();
        buildOnly = eventsTo(Audit.to(e -> last = e));
        toLog = eventsTo(Audit.to(AuditTrail.of(log)));
        ObjectNode result = ToolResult.text("hello").toJson();
        chain = c -> {
            SecurityEvents.report(c, new ControlEvent.PolicyDecided("bench-callers", true,
                    "allowed by rule 'bench-callers'"));
            return result;
        };
        args = Json.object().put("text", "hello");
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("rule", "bench-callers");
        policy.put("effect", "allow");
        policy.put("reason", "allowed by rule 'bench-callers'");
        event = AuditEvent.builder(AuditEventType.TOOL_CALL, Instant.now(), "3f9a1c07e2b4-000000002a")
                .principal(new AuditPrincipal(SecurityFixtures.ISSUER, "bench", "bench-load", null))
                .target("echo").outcome("ok").latency(Duration.ofNanos(12_345))
                .detail("method", "tools/call")
                .detail("arguments", AuditEvent.argumentDigest(args))
                .detail("remote_address", "127.0.0.1")
                .detail("protocol_version", "2026-07-28")
                .detail("policy", policy)
                .build();
    }

    @TearDown
    public void tearDown() {
        log.close();
    }

    /** The audit stage around a call, its event handed to a trail that keeps nothing. */
    @Benchmark
    public AuditEvent stageBuildEvent() {
        buildOnly.apply(CallFixtures.echoCall(), chain);
        return last;
    }

    /** The audit stage recording into an audit log (request-thread cost only). */
    @Benchmark
    public JsonNode stageToLog() {
        return toLog.apply(CallFixtures.echoCall(), chain);
    }

    /** {@code AuditLog.record} of a ready event: serialisation and queueing. */
    @Benchmark
    public void record() {
        log.record(event);
    }

    /** The digest of a tool call's arguments (canonical JSON, SHA-256). */
    @Benchmark
    public String argumentDigest() {
        return AuditEvent.argumentDigest(args);
    }

    /** One record through both threads: recording a batch, then waiting until the writer has chained it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void writerPerRecord(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            log.record(event);
        }
        log.flush();
    }
}
