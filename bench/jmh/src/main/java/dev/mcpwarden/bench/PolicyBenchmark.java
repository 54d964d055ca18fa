package dev.mcpwarden.bench;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.policy.Decision;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.auth.Principal;
import java.util.Map;
import java.util.Set;
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

/** CEL policy decisions: BenchPipeline's 2-rule policy and a 4-rule policy with an argument-reading rule. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PolicyBenchmark {

    private PolicySet small;
    private PolicySet rich;
    private Principal principal;
    private JsonNode args;

    @Setup
    public void setUp() {
        small = SecurityFixtures.policy();
        rich = SecurityFixtures.richPolicy();
        principal = new Principal(SecurityFixtures.ISSUER, "bench", "bench-load", Set.of("bench"), null, Set.of(),
                Map.of("scope", "bench", "client_id", "bench-load"));
        args = Json.object().put("text", "hello");
        if (!decide2Rules().allowed() || !decide4Rules().allowed() || !visibility4Rules().allowed()) {
            throw new IllegalStateException("the benchmark policy does not allow echo");
        }
    }

    @Benchmark
    public Decision decide2Rules() {
        return small.decide(principal, Target.Kind.TOOL, "echo", "tools/call", args);
    }

    @Benchmark
    public Decision decide4Rules() {
        return rich.decide(principal, Target.Kind.TOOL, "echo", "tools/call", args);
    }

    @Benchmark
    public Decision visibility2Rules() {
        return small.decideVisibility(principal, Target.Kind.TOOL, "echo");
    }

    /** Partial evaluation: the argument-reading deny rule is evaluated with args and method unknown. */
    @Benchmark
    public Decision visibility4Rules() {
        return rich.decideVisibility(principal, Target.Kind.TOOL, "echo");
    }
}
