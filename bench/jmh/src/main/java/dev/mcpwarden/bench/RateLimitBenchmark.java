package dev.mcpwarden.bench;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import java.time.InstantSource;
import java.util.List;
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

/** The rate-limit check of BenchPipeline: one per-principal rule, in-process token buckets. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RateLimitBenchmark {

    private static final RateLimitRule RULE = RateLimitRule.toolCallsPerMinutePerPrincipal(1_000_000_000L);

    private RateLimitStage stage;
    private LocalRateLimiter limiter;
    private Call call;
    private JsonNode result;
    private Chain<Call, JsonNode> chain;

    @Setup
    public void setUp() {
        limiter = new LocalRateLimiter(100_000, InstantSource.system());
        stage = new RateLimitStage(List.of(RULE), List.of(), limiter, RateLimitStage.WhenUnavailable.FAIL_CLOSED);
        call = CallFixtures.echoCall();
        result = ToolResult.text("hello").toJson();
        chain = c -> result;
    }

    /** The stage on a tools/call: key, bucket lookup, consumption. */
    @Benchmark
    public JsonNode stage() {
        return stage.apply(call, chain);
    }

    /** The limiter alone with a precomputed key. */
    @Benchmark
    public RateLimiter.Decision limiter() {
        return limiter.tryConsume(RULE, "https://bench.warden.invalid\u0000bench");
    }
}
