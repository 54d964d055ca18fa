package dev.mcpwarden.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.IntegrityEvent;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.Processes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Grafana dashboard and the alert rules query only metrics Warden exports, under the names and labels the
 * Prometheus endpoint writes: a renamed metric breaks this test, not an operator's screen at 3 a.m.
 */
class DashboardTest {

    static final Path OBSERVABILITY = Processes.repoRoot().resolve("observability");
    /** A metric selected in PromQL: a name followed by its label matchers or its range (labels are not). */
    static final Pattern METRIC = Pattern.compile("\\b((?:warden|mcp)_[a-z_]+)(?=\\{|\\[)");

    /** Every series name on /metrics after each kind of event happened once. */
    static Set<String> exported() throws Exception {
        try (Telemetry telemetry = Telemetry.create(TelemetryOptions.metricsOnly("dashboard"))) {
            telemetry.auditQueue(() -> 3).upstreamCircuits(() -> Map.of("tickets", "OPEN"));
            McpServer server = McpServer.builder("s", "1")
                    .controls(Controls.builder().insecureWithoutAuthentication().listener(telemetry.listener())
                            .build())
                    .tool(Tool.builder("search").description("s").handler(ctx -> ToolResult.text("ok")).build())
                    .build();
            HttpTransport http = server.serveHttp(HttpOptions.loopback(Ports.free()));
            try {
                McpHttp client = new McpHttp(http.uri());
                ObjectNode p = Json.object();
                p.put("name", "search");
                p.putObject("arguments");
                p.set("_meta", McpHttp.meta2026(null));
                assertThat(client.post(McpHttp.headers2026("tools/call", "search"),
                        McpHttp.request(1, "tools/call", p)).status()).isEqualTo(200);
                Map<String, String> wrongType = new java.util.HashMap<>(McpHttp.headers2026("tools/call", "search"));
                wrongType.put("Content-Type", "text/plain");
                assertThat(client.post(wrongType, McpHttp.request(2, "tools/call", p)).status()).isEqualTo(415);
            } finally {
                http.close();
            }
            Call call = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(1), "tools/call", Json.object()),
                    ProtocolVersion.V2026_07_28, null, Json.object(), null, Outbound.NONE);
            var l = telemetry.listener();
            l.controlled(call, new ControlEvent.PolicyDecided("no-deletes", false, "denied"));
            l.controlled(call, new ControlEvent.Blocked(ControlEvent.Control.RATE_LIMIT, "per-minute"));
            l.controlled(call, new ControlEvent.Finding(ControlEvent.Control.OUTPUT_GUARD, "PROMPT_INJECTION",
                    "quarantined", 1));
            l.authenticationRefused(null, Rejection.unavailable("issuer down", 1));
            l.sessionStarted(null, "s1");
            l.sessionEnded(null, "s1");
            telemetry.integrityListener().accept(new IntegrityEvent(Instant.now(),
                    IntegrityEvent.Type.CHANGED_WITHHELD, DefinitionKind.TOOL, "fetch_url", "a", "b", null, null));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            telemetry.writePrometheus(out);
            Set<String> names = new TreeSet<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
            return names;
        }
    }

    static Set<String> referenced(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardAndTheAlertRulesQueryIsExported() throws Exception {
        Set<String> exported = exported();
        JsonNode dashboard = Json.standard().parse(Files.readString(OBSERVABILITY.resolve(
                "grafana/warden-dashboard.json")));
        StringBuilder exprs = new StringBuilder();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.append(t.path("expr")
                .asString()).append('\n')));
        Set<String> dashboardNames = referenced(exprs.toString());
        Set<String> ruleNames = referenced(Files.readString(OBSERVABILITY.resolve("prometheus/warden-alerts.yml")));

        assertThat(dashboardNames).hasSizeGreaterThan(10);
        assertThat(exported).containsAll(dashboardNames).containsAll(ruleNames);
        // every metric Warden exports has a place on the dashboard
        assertThat(dashboardNames).containsAll(exported.stream().filter(n -> !n.endsWith("_sum")
                && !(n.endsWith("_count") && !n.startsWith("mcp_server_operation")) && !n.equals("target_info")
                && !n.startsWith("mcp_server_session_duration_seconds_count")).toList());
    }

    @Test
    void theDashboardIsOneDataSourceVariableAwayFromAnyPrometheus() throws Exception {
        JsonNode dashboard = Json.standard().parse(Files.readString(OBSERVABILITY.resolve(
                "grafana/warden-dashboard.json")));
        assertThat(dashboard.path("uid").asString()).isEqualTo("warden-overview");
        assertThat(dashboard.path("templating").path("list").path(0).path("name").asString()).isEqualTo("datasource");
        dashboard.path("panels").forEach(p -> {
            if (!"row".equals(p.path("type").asString())) {
                assertThat(p.path("datasource").path("uid").asString()).as(p.path("title").asString())
                        .isEqualTo("${datasource}");
                assertThat(p.path("targets").size()).as(p.path("title").asString()).isPositive();
            }
        });
    }
}
