package dev.mcpwarden.security.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEventTest {

    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void tokensAreNeverAcceptedAsPrincipalOrDetail() {
        String jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

        assertThatThrownBy(() -> AuditPrincipal.of("https://issuer.example", jwt, "client"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("principal.subject looks like a token (a JWT); the audit log never records credentials");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.AUTHENTICATION, T, "r1").outcome("rejected")
                .detail("header", Map.of("authorization", jwt)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("detail.header.authorization looks like a token (a JWT); the audit log never records"
                        + " credentials");
    }

    @Test
    void detailAcceptsOnlyJsonSafeValues() {
        AuditEvent ok = AuditEvent.builder(AuditEventType.POLICY_DECISION, T, "r1").outcome("deny")
                .detail("rule", "tenant-only").detail("scopes", List.of("a", "b")).detail("weight", 0.5)
                .detail("hits", 3L).build();
        assertThat(ok.detail()).containsOnlyKeys("hits", "rule", "scopes", "weight");

        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.POLICY_DECISION, T, "r1").outcome("deny")
                .detail("when", new Object()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("detail.when has a type the audit log cannot record as JSON: java.lang.Object");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.POLICY_DECISION, T, "r1").outcome("deny")
                .detail("ratio", Double.NaN).build())
                .hasMessage("detail.ratio is not a finite number: NaN");
    }

    @Test
    void detailIsCopiedSoLaterChangesDoNotLeakIn() {
        List<String> scopes = new ArrayList<>(List.of("a"));
        AuditEvent e = AuditEvent.builder(AuditEventType.POLICY_DECISION, T, "r1").outcome("allow")
                .detail("scopes", scopes).build();
        scopes.add("b");

        assertThat(e.detail().get("scopes")).isEqualTo(List.of("a"));
    }

    @Test
    void correlationIdAndOutcomeAreRequired() {
        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.SESSION, T, " ").outcome("started").build())
                .hasMessage("correlationId is required (was \" \")");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEventType.SESSION, T, "r1").build())
                .hasMessage("outcome is required (was null)");
    }

    @Test
    void argumentDigestIgnoresKeyOrder() {
        String a = AuditEvent.argumentDigest(Json.standard().parse("{\"q\":\"x\",\"n\":{\"b\":1,\"a\":2}}"));
        String b = AuditEvent.argumentDigest(Json.standard().parse("{\"n\":{\"a\":2,\"b\":1},\"q\":\"x\"}"));
        String c = AuditEvent.argumentDigest(Json.standard().parse("{\"n\":{\"a\":2,\"b\":1},\"q\":\"y\"}"));

        assertThat(a).isEqualTo(b).startsWith("sha256:").hasSize(7 + 64);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void argumentDigestIsSha256OfTheRfc8785TextSoNumbersCountByValue() {
        // sha256 of {"n":1,"q":"x"}, computed independently with sha256sum
        String expected = "sha256:21cb6a2770080a018b6e36367c3422d8ed912ea7885c3a27eb4a36ad5169376d";
        assertThat(AuditEvent.argumentDigest(Json.standard().parse("{\"q\":\"x\",\"n\":1}"))).isEqualTo(expected);
        assertThat(AuditEvent.argumentDigest(Json.standard().parse("{ \"q\" : \"x\", \"n\" : 1.0 }"))).isEqualTo(expected);
        assertThat(AuditEvent.argumentDigest(Json.standard().parse("{\"n\":1e0,\"q\":\"x\"}"))).isEqualTo(expected);
    }
}
