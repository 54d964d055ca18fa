package dev.mcpwarden.bench;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.guard.Redaction;
import dev.mcpwarden.security.guard.Redactor;
import dev.mcpwarden.server.dispatch.Call;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * The secrets redactor on tool results: a 4 KiB text result with nothing to find, the same with a few secrets in
 * it, and the tiny echo result of the load benchmark (where per-call fixed costs dominate).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class OutputGuardBenchmark {

    private Redactor redactor;
    private OutputGuardStage stage;
    private ObjectNode clean4k;
    private ObjectNode secrets4k;
    private ObjectNode echo;

    @Setup
    public void setUp() {
        redactor = Redactor.secrets();
        stage = OutputGuardStage.builder().redactor(redactor).build();
        clean4k = ToolResult.text(text4k(false)).toJson();
        secrets4k = ToolResult.text(text4k(true)).toJson();
        echo = ToolResult.text("hello").toJson();
        if (redactor.redact(clean4k).redacted() || redactor.redact(secrets4k).findings().size() != 3) {
            throw new IllegalStateException("unexpected findings: " + redactor.redact(secrets4k).findings());
        }
    }

    /** About 4 KiB of a plausible tool result: log lines, configuration, prose; secrets optionally mixed in. */
    static String text4k(boolean withSecrets) {
        String[] lines = {
            "2026-03-14T09:26:53.589Z INFO  [worker-7] order 48213 shipped to warehouse eu-west-2 (3 parcels)",
            "2026-03-14T09:26:54.001Z WARN  [worker-2] retrying upstream call to https://api.example.com/v2/items",
            "service:", "  name: inventory", "  replicas: 3", "  image: registry.example.com/inventory:1.42.0",
            "The quarterly report shows a 12% increase in throughput after the cache was introduced in March.",
            "| id | name | status | updated |", "| 17 | alpha | ready | 2026-03-12 |", "| 18 | beta | failed | 2026-03-13 |",
            "SELECT id, name FROM customers WHERE region = 'north' ORDER BY created_at DESC LIMIT 50;",
            "def handler(event, context):", "    return {\"statusCode\": 200, \"body\": json.dumps(event)}",
        };
        StringBuilder sb = new StringBuilder(4200);
        int i = 0;
        while (sb.length() < 4096) {
            if (withSecrets && i == 9) {
                sb.append("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
            } else if (withSecrets && i == 20) {
                sb.append("token from CI: ghp_8f3KdL2mQ9xW7vB4nR1tY6uZ0aS5cE2hJ3kP\n");
            } else if (withSecrets && i == 31) {
                sb.append("db: password=Xk9#mQ2$vL7pR4wZ\n");
            }
            sb.append(lines[i % lines.length]).append('\n');
            i++;
        }
        return sb.substring(0, 4096);
    }

    @Benchmark
    public Redaction redactClean4k() {
        return redactor.redact(clean4k);
    }

    @Benchmark
    public Redaction redactSecrets4k() {
        return redactor.redact(secrets4k);
    }

    @Benchmark
    public Redaction redactEcho() {
        return redactor.redact(echo);
    }

    /** The whole stage on the echo call (redaction, outbound decoration, notes). */
    @Benchmark
    public JsonNode stageEcho() {
        Call call = CallFixtures.echoCall();
        return stage.apply(call, c -> echo);
    }
}
