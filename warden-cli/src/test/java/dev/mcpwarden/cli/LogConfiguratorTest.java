package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The command line's log formats: text for people, JSON lines for log pipelines. */
class LogConfiguratorTest {

    final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void logTo(Map<String, String> env) {
        context.reset();
        LogConfigurator.configure(context, env, out);
    }

    @AfterEach
    void restore() {
        context.reset();
        new LogConfigurator().configure(context);
    }

    List<JsonNode> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().map(l -> Json.standard().parse(l)).toList();
    }

    @Test
    void textIsTheDefaultFormat() {
        logTo(Map.of());
        LoggerFactory.getLogger("dev.mcpwarden.test").info("listening on {}", "http://127.0.0.1:8080/mcp");
        assertThat(out.toString(StandardCharsets.UTF_8))
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  dev.mcpwarden.test - listening on "
                        + "http://127.0.0.1:8080/mcp\\R");
    }

    @Test
    void jsonLinesCarryLevelLoggerMessageAndMaskAnythingShapedLikeACredential() {
        logTo(Map.of("WARDEN_LOG_FORMAT", "json", "WARDEN_LOG_LEVEL", "debug"));
        Logger log = LoggerFactory.getLogger("dev.mcpwarden.test");
        String jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
        log.debug("upstream said: Authorization: Bearer abcdef0123456789 and then {}", jwt);
        log.warn("refused", new IllegalStateException("token " + jwt + " expired"));

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).path("level").asString()).isEqualTo("DEBUG");
        assertThat(lines.get(0).path("logger_name").asString()).isEqualTo("dev.mcpwarden.test");
        assertThat(lines.get(0).path("message").asString())
                .isEqualTo("upstream said: Authorization: Bearer **** and then ****");
        assertThat(lines.get(0).has("@timestamp")).isTrue();
        assertThat(lines.get(1).path("stack_trace").asString()).contains("IllegalStateException: token **** expired")
                .doesNotContain("eyJ");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("abcdef0123456789").doesNotContain(jwt);
    }

    @Test
    void whatAToolLogsWhileServingARequestCarriesThatRequestsCorrelationId() throws Exception {
        logTo(Map.of("WARDEN_LOG_FORMAT", "json"));
        Logger log = LoggerFactory.getLogger("dev.mcpwarden.tickets");
        McpServer server = McpServer.builder("tickets", "1").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("lookup").description("Looks a ticket up").handler(ctx -> {
                    log.info("looking up a ticket");
                    return ToolResult.text(String.valueOf(org.slf4j.MDC.get(McpServer.LOG_CORRELATION_ID)));
                }).build())
                .build();
        try (HttpTransport http = HttpTransport.builder(server, HttpOptions.loopback(Ports.free())).start()) {
            McpHttp client = new McpHttp(http.uri());
            ObjectNode params = Json.object();
            params.put("name", "lookup");
            params.putObject("arguments");
            params.set("_meta", McpHttp.meta2026(null));
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                McpHttp.Reply r = client.post(McpHttp.headers2026("tools/call", "lookup"),
                        McpHttp.request(i, "tools/call", params));
                assertThat(r.status()).isEqualTo(200);
                ids.add(r.json().path("result").path("content").path(0).path("text").asString());
            }
            List<JsonNode> toolLines = lines().stream()
                    .filter(l -> l.path("message").asString().equals("looking up a ticket")).toList();
            assertThat(toolLines).hasSize(2);
            assertThat(toolLines.stream().map(l -> l.path(McpServer.LOG_CORRELATION_ID).asString()).toList())
                    .isEqualTo(ids).doesNotContain("null", "").doesNotHaveDuplicates();
        }
        assertThat(org.slf4j.MDC.get(McpServer.LOG_CORRELATION_ID)).isNull();
    }
}
