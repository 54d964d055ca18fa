package dev.mcpwarden.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The alert rules in {@code observability/prometheus} are valid, and fire (and stay quiet) as their tests say. */
class AlertRulesTest {

    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static Path rules;

    @BeforeAll
    static void promtool() {
        assumeTrue(System.getenv("CI") != null || Files.isExecutable(PROMTOOL),
                "promtool (Debian's prometheus package) is not installed");
        rules = Processes.repoRoot().resolve("observability/prometheus");
    }

    @Test
    void promtoolChecksTheAlertRules() throws Exception {
        Processes.Outcome o = Processes.run(List.of(PROMTOOL.toString(), "check", "rules",
                rules.resolve("warden-alerts.yml").toString()), Map.of(), Duration.ofSeconds(60));
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("SUCCESS: 7 rules found");
    }

    @Test
    void theRugPullTokenFailureUpstreamAndQuarantineAlertsFireAsTheirUnitTestsSay() throws Exception {
        Processes.Outcome o = Processes.run(List.of(PROMTOOL.toString(), "test", "rules",
                rules.resolve("warden-alerts.test.yml").toString()), Map.of(), Duration.ofSeconds(60));
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("SUCCESS");
    }
}
