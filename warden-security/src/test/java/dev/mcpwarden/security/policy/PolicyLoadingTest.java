package dev.mcpwarden.security.policy;

import static dev.mcpwarden.security.policy.PolicySetTest.ALICE;
import static dev.mcpwarden.security.policy.PolicySetTest.BOB;
import static dev.mcpwarden.security.policy.PolicySetTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpwarden.server.pipeline.Target.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoadingTest {

    static final String YAML = """
            version: 1
            rules:
              - id: admins
                effect: allow
                when: "'admin' in principal.roles"
              - id: same-tenant
                effect: allow
                targets: "tool:invoice_*"
                when: has(args.tenant) && args.tenant == principal.tenant
              - id: no-contractor-deletes
                effect: deny
                targets: ["tool:delete_*", "tool:drop_*"]
                when: principal.claims.employment == 'contractor'
                description: Contractors never delete.
              - id: prompts
                effect: allow
                targets: prompt:*
                when: true
            """;

    @TempDir
    Path dir;

    private static void assertLoaded(PolicySet set) {
        assertThat(set.rules()).extracting(PolicyRule::id)
                .containsExactly("admins", "same-tenant", "no-contractor-deletes", "prompts");
        assertThat(set.rules().get(2)).isEqualTo(new PolicyRule("no-contractor-deletes", Effect.DENY,
                List.of("tool:delete_*", "tool:drop_*"), "principal.claims.employment == 'contractor'",
                "Contractors never delete."));
        assertThat(set.rules().get(0).allTargets()).isTrue();
        assertThat(set.decide(ALICE, Kind.TOOL, "delete_x", "tools/call", null).ruleId()).isEqualTo("admins");
        assertThat(set.decide(BOB, Kind.TOOL, "delete_x", "tools/call", null).ruleId())
                .isEqualTo("no-contractor-deletes");
        assertThat(set.decide(BOB, Kind.TOOL, "invoice_get", "tools/call", json("{\"tenant\":\"acme\"}")).ruleId())
                .isEqualTo("same-tenant");
        assertThat(set.decide(BOB, Kind.PROMPT, "p", "prompts/get", null).ruleId()).isEqualTo("prompts");
        assertThat(set.decide(BOB, Kind.RESOURCE, "file:///x", "resources/read", null).ruleId())
                .isEqualTo("default-deny");
    }

    @Test
    void aYamlFileIsLoaded() throws IOException {
        Path file = Files.writeString(dir.resolve("policy.yaml"), YAML);

        assertLoaded(PolicySet.load(file));
        assertLoaded(PolicySet.load(Files.writeString(dir.resolve("policy.yml"), YAML)));
    }

    @Test
    void aJsonFileIsLoaded() throws IOException {
        Path file = Files.writeString(dir.resolve("policy.json"), """
                {"version": 1, "rules": [
                  {"id": "admins", "effect": "allow", "when": "'admin' in principal.roles"},
                  {"id": "same-tenant", "effect": "allow", "targets": "tool:invoice_*",
                   "when": "has(args.tenant) && args.tenant == principal.tenant"},
                  {"id": "no-contractor-deletes", "effect": "deny", "targets": ["tool:delete_*", "tool:drop_*"],
                   "when": "principal.claims.employment == 'contractor'", "description": "Contractors never delete."},
                  {"id": "prompts", "effect": "allow", "targets": "prompt:*", "when": "true"}
                ]}
                """);

        assertLoaded(PolicySet.load(file));
    }

    @Test
    void unicodeInAFileIsReadAsUtf8() throws IOException {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                rules:
                  - id: grüße
                    effect: allow
                    targets: "tool:grüße_*"
                    when: "args.an == 'Jürgen 日本'"
                """, StandardCharsets.UTF_8);

        PolicySet set = PolicySet.load(file);
        assertThat(set.decide(BOB, Kind.TOOL, "grüße_senden", "tools/call", json("{\"an\":\"Jürgen 日本\"}"))
                .ruleId()).isEqualTo("grüße");
    }

    @Test
    void anUnknownFileTypeIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("policy.txt"), YAML);

        assertThatThrownBy(() -> PolicySet.load(file)).isInstanceOf(InvalidPolicyException.class)
                .hasMessage("invalid policy " + file + ": 1 problem\n"
                        + "  - unknown policy file type: expected .yaml, .yml or .json");
    }

    @Test
    void everyStructuralProblemIsReportedWithItsPlace() {
        InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromYaml("""
                version: 2
                rule: []
                """));
        assertThat(e.problems()).containsExactly(
                "unknown field 'rule' (expected 'version' and 'rules')",
                "unsupported version 2 (this Warden reads version 1)",
                "missing field 'rules' (a list; an empty list denies everything)");

        e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromYaml("""
                rules:
                  - id: a
                    effect: permit
                    whn: "true"
                  - effect: allow
                    targets: []
                    when: "true"
                  - id: c
                    effect: deny
                    targets: [1]
                    when: {x: 1}
                    description: 3
                  - "just a string"
                """));
        assertThat(e.problems()).containsExactly(
                "rules[0] (id 'a'): unknown field 'whn' (expected one of id, effect, targets, when, description)",
                "rules[0] (id 'a'): effect must be 'allow' or 'deny', not 'permit'",
                "rules[0] (id 'a'): missing field 'when' (a CEL condition; write \"true\" for always)",
                "rules[1]: missing field 'id'",
                "rules[1]: 'targets' is empty; leave it out to select every target, or write \"*\"",
                "rules[2] (id 'c'): targets[0] must be a string, not a number",
                "rules[2] (id 'c'): 'when' must be a string holding a CEL expression, not an object",
                "rules[2] (id 'c'): 'description' must be a string, not a number",
                "rules[3]: a rule must be an object, not a string");
        assertThat(e.getMessage()).startsWith("invalid policy (yaml): 9 problems\n  - rules[0] (id 'a'): unknown");
    }

    @Test
    void anEmptyOrMalformedDocumentIsRefused() {
        assertThat(catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromYaml("")).problems())
                .containsExactly("the policy is empty: expected an object with 'rules'");
        assertThat(catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromJson("[]")).problems())
                .containsExactly("the policy must be an object with 'rules', not a list");
        assertThat(catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromJson("{\"rules\": [")
                ).problems()).singleElement().asString().startsWith("unreadable JSON: ");
        assertThat(catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromYaml("rules: [a, b")
                ).problems()).singleElement().asString().startsWith("unreadable YAML: ");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThat(catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromYaml("""
                rules:
                  - id: a
                    effect: allow
                    when: "true"
                    when: "false"
                """)).problems()).singleElement().asString()
                .startsWith("unreadable YAML: Duplicate Object property \"when\"").contains("(line ");
        assertThat(catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromJson(
                "{\"rules\": [], \"rules\": []}")).problems()).singleElement().asString()
                .startsWith("unreadable JSON: Duplicate Object property \"rules\"");
    }

    @Test
    void duplicateAndReservedIdsAreRefused() {
        InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.builder()
                .allow("a", "*", "true")
                .deny("a", "*", "false")
                .allow("default-deny", "*", "true")
                .allow("white space", "*", "true")
                .build());

        assertThat(e.problems()).containsExactly(
                "rules[1] (id 'a'): duplicate id 'a' (ids must be unique)",
                "rules[2] (id 'default-deny'): the id 'default-deny' is reserved for the implicit last rule",
                "rules[3] (id 'white space'): invalid id; use at most 128 letters, digits and . _ - : /");
    }

    @Test
    void badSelectorsAreRefused() {
        InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.builder()
                .allow("a", "", "true")
                .allow("b", "delete_*", "true")
                .allow("c", "tools:x", "true")
                .allow("d", "tool:", "true")
                .rule(new PolicyRule("e", Effect.ALLOW, List.of(), "true", null))
                .build());

        assertThat(e.problems()).containsExactly(
                "rules[0] (id 'a'): empty target selector",
                "rules[1] (id 'b'): target selector 'delete_*' is not KIND:PATTERN (e.g. 'tool:delete_*', 'prompt:*')",
                "rules[2] (id 'c'): target selector 'tools:x' has unknown kind 'tools' (expected tool, prompt,"
                        + " resource, resource_template or *)",
                "rules[3] (id 'd'): target selector 'tool:' has no name pattern (use 'tool:*' for all)",
                "rules[4] (id 'e'): empty targets; leave them out to select every target, or write \"*\"");
    }

    @Test
    void aSyntaxErrorIsReportedWithTheRuleIdAndPosition() {
        InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromYaml("""
                rules:
                  - id: broken
                    effect: allow
                    when: |-
                      'admin' in principal.roles &&
                        args.limit >
                """));

        assertThat(e.problems()).singleElement().asString().startsWith(
                "rules[0] (id 'broken'): condition error at line 2, column 15: mismatched input '<EOF>' expecting");
    }

    @Test
    void aNonBooleanConditionIsRefused() {
        InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.builder()
                .allow("string", "*", "principal.sub")
                .allow("int", "*", "size(principal.roles) + 1")
                .build());

        assertThat(e.problems()).containsExactly(
                "rules[0] (id 'string'): condition error at line 1, column 10: expected type 'bool' but found 'string'",
                "rules[1] (id 'int'): condition error at line 1, column 23: expected type 'bool' but found 'int'");
    }

    @Test
    void unknownVariablesFieldsAndFunctionsAreRefused() {
        InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.builder()
                .allow("var", "*", "user.name == 'x'")
                .allow("field", "*", "'admin' in principal.rols")
                .allow("fn", "*", "isAdmin(principal)")
                .allow("ok", "*", "true")
                .build());

        assertThat(e.problems()).containsExactly(
                "rules[0] (id 'var'): condition error at line 1, column 1: undeclared reference to 'user' (in container '')",
                "rules[1] (id 'field'): condition error at line 1, column 21: undefined field 'rols'",
                "rules[2] (id 'fn'): condition error at line 1, column 8: undeclared reference to 'isAdmin' (in container '')");
    }

    @Test
    void problemsOfEveryKindAreReportedTogether() {
        InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicySet.fromJson("""
                {"rules": [
                  {"id": "x", "effect": "allow", "targets": "bad", "when": "1 +"},
                  {"id": "x", "effect": "allow", "when": "true"}
                ]}"""));

        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems().get(0)).startsWith("rules[0] (id 'x'): target selector 'bad' is not KIND:PATTERN");
        assertThat(e.problems().get(1)).startsWith("rules[0] (id 'x'): condition error at line 1, column 4: ");
        assertThat(e.problems().get(2)).isEqualTo("rules[1] (id 'x'): duplicate id 'x' (ids must be unique)");
    }

    @Test
    void aConditionOver4KiBIsRefused() {
        String longest = "'" + "a".repeat(4088) + "' != ''"; // exactly 4096 bytes
        String tooLong = "'" + "ä".repeat(2047) + "' != ''"; // 2055 characters but 1 + 4094 + 7 bytes in UTF-8

        assertThat(PolicySet.builder().allow("ok", "*", longest).build().rules()).hasSize(1);
        assertThat(catchThrowableOfType(InvalidPolicyException.class,
                () -> PolicySet.builder().allow("long", "*", tooLong).build()).problems())
                .containsExactly("rules[0] (id 'long'): the condition is 4102 bytes long; the limit is 4096");
    }

    @Test
    void deeplyNestedConditionsAreRefused() {
        String nested = "(".repeat(100) + "true" + ")".repeat(100);

        assertThat(catchThrowableOfType(InvalidPolicyException.class,
                () -> PolicySet.builder().allow("deep", "*", nested).build()).problems())
                .singleElement().asString().startsWith("rules[0] (id 'deep'): condition error at line 1");
    }

    @Test
    void aLongChainOfAlternativesIsFine() {
        StringBuilder b = new StringBuilder("false");
        for (int i = 0; i < 100; i++) {
            b.append(" || principal.sub == 'user").append(i).append('\'');
        }
        PolicySet set = PolicySet.builder().allow("many", "*", b + " || principal.sub == 'bob'").build();

        assertThat(set.decide(BOB, Kind.TOOL, "t", "tools/call", null).ruleId()).isEqualTo("many");
    }
}
