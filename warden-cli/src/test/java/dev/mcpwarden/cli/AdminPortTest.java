package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.examples.sample.SampleServer;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.telemetry.TelemetryOptions;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/** {@code --admin-port}: the same flag on demo, sample-server and gateway, serving metrics on loopback. */
class AdminPortTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.sample.test");

    @Test
    void theThreeServingCommandsTakeTheAdminPortFlagOnLoopbackByDefault() {
        for (Object command : List.of(new DemoCommand(), new SampleServerCommand(), new GatewayCommand())) {
            CommandLine cl = new CommandLine(command);
            assertThat(cl.getCommandSpec().findOption("--admin-port")).as(cl.getCommandName()).isNotNull();
            assertThat(cl.getCommandSpec().findOption("--admin-host").<String>getValue()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void withoutAnAdminPortOrOtelVariablesNoTelemetryIsBuilt() {
        assertThat(CliTelemetry.options(false, "s", Map.of()).enabled()).isFalse();
        assertThat(CliTelemetry.options(false, "s", Map.of("OTEL_TRACES_EXPORTER", "none")).enabled()).isFalse();
        TelemetryOptions traced = CliTelemetry.options(false, "s",
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
        assertThat(traced.traces()).isTrue();
        assertThat(traced.metrics()).isFalse();
        assertThat(traced.sampleRatio()).isEqualTo(0.1);
        assertThat(CliTelemetry.options(true, "s", Map.of("OTEL_SDK_DISABLED", "true")).enabled()).isFalse();
        TelemetryOptions admin = CliTelemetry.options(true, "s", Map.of("OTEL_SERVICE_NAME", "helpdesk"));
        assertThat(admin.metrics()).isTrue();
        assertThat(admin.traces()).isFalse();
        assertThat(admin.serviceName()).isEqualTo("helpdesk");
    }

    @Test
    void anAdminPortInUseIsRefusedWithAMessageNamingIt() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            AdminPortOptions flags = new AdminPortOptions();
            flags.adminPort = taken.getLocalPort();
            try (CliTelemetry t = CliTelemetry.of(flags, "s", Map.of(), null)) {
                Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> t.serveAdmin(null,
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
                assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("cannot serve the admin port on 127.0.0.1:" + taken.getLocalPort());
            }
        }
    }

    @Test
    void theFilesTelemetryIsUsedWhereNoFlagOrVariableSaysOtherwise() {
        dev.mcpwarden.telemetry.TelemetryConfig file = new dev.mcpwarden.telemetry.TelemetryConfig(
                new TelemetryOptions("gw", false, 0.5, true, false, java.util.Optional.empty()),
                java.util.Optional.of(new dev.mcpwarden.telemetry.AdminOptions("127.0.0.1", 0)));
        try (CliTelemetry t = CliTelemetry.of(new AdminPortOptions(), "ignored", Map.of(), file)) {
            assertThat(t.telemetry()).isNotNull();
            assertThat(t.telemetry().servesPrometheus()).isTrue();
        }
        try (CliTelemetry t = CliTelemetry.of(new AdminPortOptions(), "ignored", Map.of("OTEL_SDK_DISABLED", "true"),
                file)) {
            assertThat(t.telemetry()).isNull();
        }
    }

    @Test
    void aRugPulledSampleCountsItsWithheldDefinitionOnTheAdminPortsMetrics() throws Exception {
        AdminPortOptions flags = new AdminPortOptions();
        flags.adminPort = 0;
        int port = Ports.free();
        URI resource = URI.create("http://127.0.0.1:" + port + "/mcp");
        try (CliTelemetry telemetry = CliTelemetry.of(flags, "sample", Map.of(), null)) {
            HttpTransport http = SampleServer.start(port, resource,
                    TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks()), null, true, null,
                    telemetry.apply(SampleServer.Deployment.SINGLE));
            try {
                ByteArrayOutputStream printed = new ByteArrayOutputStream();
                telemetry.serveAdmin(http, new PrintStream(printed, true, StandardCharsets.UTF_8));
                Matcher m = Pattern.compile("admin port: (http://127\\.0\\.0\\.1:\\d+)/metrics")
                        .matcher(printed.toString(StandardCharsets.UTF_8));
                assertThat(m.find()).as(printed.toString(StandardCharsets.UTF_8)).isTrue();

                Map<String, String> h = McpHttp.headers2026("tools/list", null);
                Map<String, Object> claims = ISSUER.claims("alice", resource.toString(), "tickets:read");
                claims.put("tenant", "acme");
                claims.put("roles", List.of("agent"));
                h.put("Authorization", "Bearer " + ISSUER.sign(claims));
                ObjectNode p = Json.object();
                p.set("_meta", McpHttp.meta2026(null));
                McpHttp.Reply listed = new McpHttp(http.uri()).post(h, McpHttp.request(1, "tools/list", p));
                assertThat(listed.status()).isEqualTo(200);
                assertThat(listed.body()).doesNotContain("\"fetch_url\"");

                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(m.group(1) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).containsPattern(
                        "warden_definitions_withheld_total\\{kind=\"tools\",reason=\"changed_withheld\"} [1-9]")
                        .containsPattern("warden_requests_total\\{mcp_method_name=\"tools/list\",outcome=\"answered\"} 1")
                        .doesNotContain("alice");
            } finally {
                http.close();
            }
        }
    }
}
