package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mcpwarden.core.json.Json;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RedactorTest {

    static final String KEY = "sk_live_51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8";
    final Redactor redactor = Redactor.secretsAndPii();

    @Test
    void everyStringOfAToolResultIsRedactedAndFindingsCarryKindAndPointerOnly() {
        JsonNode result = Json.standard().parse("""
                {"content":[
                  {"type":"text","text":"key %s and mail jane.doe@example.com"},
                  {"type":"resource","resource":{"uri":"file:///c.txt","text":"AKIAIOSFODNN7EXAMPLE"}},
                  {"type":"image","data":"AKIAIOSFODNN7EXAMPLE","mimeType":"image/png"}
                 ],
                 "structuredContent":{"customer":{"ssn":"123-45-6789","cards":["4111 1111 1111 1111"],"n":7}},
                 "isError":false}
                """.formatted(KEY));
        String before = Json.standard().text(result);

        Redaction r = redactor.redact(result);

        assertThat(Json.standard().text(r.result())).isEqualTo("""
                {"content":[\
                {"type":"text","text":"key [REDACTED-API_KEY] and mail [REDACTED-EMAIL]"},\
                {"type":"resource","resource":{"uri":"file:///c.txt","text":"[REDACTED-AWS_KEY]"}},\
                {"type":"image","data":"AKIAIOSFODNN7EXAMPLE","mimeType":"image/png"}],\
                "structuredContent":{"customer":{"ssn":"[REDACTED-SSN]","cards":["[REDACTED-CARD]"],"n":7}},\
                "isError":false}""");
        assertThat(r.findings()).containsExactly(
                new Finding(FindingKind.API_KEY, "/content/0/text"),
                new Finding(FindingKind.EMAIL, "/content/0/text"),
                new Finding(FindingKind.AWS_KEY, "/content/1/resource/text"),
                new Finding(FindingKind.SSN, "/structuredContent/customer/ssn"),
                new Finding(FindingKind.CARD, "/structuredContent/customer/cards/0"));
        assertThat(r.redacted()).isTrue();
        assertThat(Json.standard().text(result)).as("input untouched").isEqualTo(before);
        assertThat(r.findings().toString()).doesNotContain(KEY).doesNotContain("jane.doe");
    }

    @Test
    void theRawValueAppearsNowhereInTheOutputEvenWhenSplitByInvisibleCharacters() {
        String hidden = "sk_live_\u200b51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8";
        JsonNode result = Json.standard().parse("{\"content\":[{\"type\":\"text\",\"text\":\"x " + hidden + " y\"}]}");
        String out = Json.standard().text(redactor.redact(result).result());
        assertThat(out).isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"x [REDACTED-API_KEY] y\"}]}");
        assertThat(out).doesNotContain("51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8").doesNotContain("sk_live_");
    }

    @Test
    void aSecretDisguisedWithALookAlikeLetterOrACombiningMarkIsRedactedAsOneWholeSpan() {
        // Cyrillic е (U+0435) for the e of "live", and a combining long stroke (U+0336) inside the key
        for (String disguised : List.of("sk_liv\u0435_51Hs9xZ2eZvKYlo2C0a1b2c3d4e5f6g7h8",
                "sk_live_51Hs9xZ2e\u0336ZvKYlo2C0a1b2c3d4e5f6g7h8")) {
            assertThat(redactor.redactText("key: " + disguised + " ok").text()).isEqualTo("key: [REDACTED-API_KEY] ok");
        }
    }

    @Test
    void aSecretUsedAsAnObjectMemberNameIsRedactedToo() {
        JsonNode node = Json.standard().parse("{\"" + KEY + "\":{\"owner\":\"ops\"}}");
        Redaction r = redactor.redact(node);
        assertThat(Json.standard().text(r.result())).isEqualTo("{\"[REDACTED-API_KEY]\":{\"owner\":\"ops\"}}");
        assertThat(r.findings()).containsExactly(new Finding(FindingKind.API_KEY, "/[REDACTED-API_KEY]"));
    }

    @Test
    void pointerSegmentsAreEscaped() {
        JsonNode node = Json.standard().parse("{\"a/b~c\":\"jane@example.com\"}");
        assertThat(redactor.redact(node).findings()).containsExactly(new Finding(FindingKind.EMAIL, "/a~1b~0c"));
    }

    @Test
    void overlappingFindingsBecomeOneReplacement() {
        Redactor.RedactedText r = redactor.redactText("db postgres://jane:Sup3rS3cret@db.example.com/app end");
        assertThat(r.text()).isEqualTo("db [REDACTED-CONNECTION_STRING] end");
        assertThat(r.kinds()).containsExactly(FindingKind.CONNECTION_STRING);
    }

    @Test
    void aCleanResultIsReturnedEqualAndWithoutFindings() {
        JsonNode node = Json.standard().parse("{\"content\":[{\"type\":\"text\",\"text\":\"T-100: printer jam\"}],"
                + "\"structuredContent\":{\"n\":1.5,\"ok\":true,\"none\":null}}");
        Redaction r = redactor.redact(node);
        assertThat(r.result()).isEqualTo(node);
        assertThat(r.findings()).isEmpty();
        assertThat(r.redacted()).isFalse();
    }

    @Test
    void aSecretsOnlyRedactorLeavesPersonalDataAlone() {
        assertThat(Redactor.secrets().redactText("jane@example.com " + KEY).text())
                .isEqualTo("jane@example.com [REDACTED-API_KEY]");
    }

    @Test
    void adversarialInputsAreScannedInBoundedTime() {
        String[] inputs = {
            "1 ".repeat(20_000) + "x",
            "+1234567890123456789 ".repeat(5_000) + "a",
            "host=a;".repeat(20_000),
            "jdbc:x:".repeat(20_000),
            "-----BEGIN PRIVATE KEY-----".repeat(2_000),
            "password=".repeat(20_000),
            "a@".repeat(20_000),
            "eyJ".repeat(20_000),
            "x@" + "a.".repeat(20_000) + "com",
            "-----BEGIN " + "A ".repeat(20_000),
            "4111-".repeat(20_000),
            "ignore " + "all ".repeat(20_000) + "instructions",
            "AAAA".repeat(20_000),
        };
        // Linear scanning takes well under a second on an idle machine; catastrophic backtracking on these inputs
        // takes minutes. The generous bound keeps the test meaningful on a loaded two-core CI machine.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (String input : inputs) {
                redactor.redactText(input);
                HeuristicInjectionDetector.standard().detect(input);
            }
        });
    }

    @Test
    void aCustomDetectorCanBeAdded() {
        Redactor custom = Redactor.of(List.of(text -> {
            int i = text.indexOf("ACME-");
            return i < 0 ? List.of() : List.of(new TextMatch(FindingKind.TOKEN, i, i + 9));
        }));
        assertThat(custom.redactText("id ACME-1234!").text()).isEqualTo("id [REDACTED-TOKEN]!");
    }
}
