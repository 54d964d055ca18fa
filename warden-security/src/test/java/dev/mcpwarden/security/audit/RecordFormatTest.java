package dev.mcpwarden.security.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class RecordFormatTest {

    private static final Json JSON = Json.standard();

    @Test
    void eventJsonIsByteForByteWhatJacksonWritesForTheEventsTree() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("zeta", List.of("a\"b", "tab\there", "é and 😀", Map.of("k", 1)));
        nested.put("alpha", Map.of("b", true, "a", false));
        nested.put("control", "bell\u0007 nul\u0000 del\u007f");
        AuditEvent event = AuditEvent.builder(AuditEventType.TOOL_CALL, Instant.parse("2026-11-22T10:05:28.631743462Z"),
                        "corr\\1")
                .principal(AuditPrincipal.of("https://issuer.example/ä", "alice", "client \"1\""))
                .target("search/\u2028line")
                .outcome("ok")
                .latency(Duration.ofNanos(123_456_789))
                .detail("nested", nested)
                .detail("count", 7)
                .detail("big", 12_345_678_901L)
                .detail("negative", -3)
                .detail("ratio", 0.25)
                .detail("precise", new BigDecimal("1.50"))
                .detail("huge", new BigInteger("123456789012345678901234567890"))
                .detail("empty", "")
                .build();

        assertThat(new String(RecordFormat.eventJson(event), StandardCharsets.UTF_8)).isEqualTo(treeJson(event));
    }

    @Test
    void eventJsonLeavesOutUnsetMembers() {
        AuditEvent event = AuditEvent.builder(AuditEventType.INTEGRITY, Instant.parse("2026-01-01T00:00:00Z"), "log-1")
                .outcome("genesis").build();

        assertThat(new String(RecordFormat.eventJson(event), StandardCharsets.UTF_8))
                .isEqualTo("{\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"INTEGRITY\",\"correlationId\":\"log-1\","
                        + "\"outcome\":\"genesis\"}")
                .isEqualTo(treeJson(event));
    }

    @Test
    void aPrincipalWithOnlyALaterMemberHasNoLeadingComma() {
        AuditEvent event = AuditEvent.builder(AuditEventType.AUTHENTICATION, Instant.parse("2026-01-01T00:00:00Z"),
                "r1").principal(AuditPrincipal.of(null, null, "client-only")).outcome("accepted").build();

        assertThat(new String(RecordFormat.eventJson(event), StandardCharsets.UTF_8))
                .contains("\"principal\":{\"clientId\":\"client-only\"}")
                .isEqualTo(treeJson(event));
    }

    /** The format's definition: the event as a Jackson tree (detail keys sorted), serialised compactly. */
    private static String treeJson(AuditEvent e) {
        ObjectNode o = Json.nodes().objectNode();
        o.put("time", e.time().toString());
        o.put("type", e.type().name());
        o.put("correlationId", e.correlationId());
        AuditPrincipal p = e.principal();
        if (!p.isEmpty()) {
            ObjectNode po = o.putObject("principal");
            putIfSet(po, "issuer", p.issuer());
            putIfSet(po, "subject", p.subject());
            putIfSet(po, "clientId", p.clientId());
            putIfSet(po, "tenant", p.tenant());
        }
        putIfSet(o, "target", e.target());
        o.put("outcome", e.outcome());
        if (e.latency() != null) {
            o.put("latencyMicros", e.latency().toNanos() / 1000);
        }
        if (!e.detail().isEmpty()) {
            o.set("detail", node(e.detail()));
        }
        return new String(JSON.mapper().writeValueAsBytes(o), StandardCharsets.UTF_8);
    }

    private static JsonNode node(Object v) {
        return switch (v) {
            case Map<?, ?> m -> {
                ObjectNode o = Json.nodes().objectNode();
                new TreeMap<>(m).forEach((k, x) -> o.set((String) k, node(x)));
                yield o;
            }
            case List<?> l -> {
                var a = Json.nodes().arrayNode();
                l.forEach(x -> a.add(node(x)));
                yield a;
            }
            default -> JSON.mapper().valueToTree(v);
        };
    }

    private static void putIfSet(ObjectNode o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
    }
}
