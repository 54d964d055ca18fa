package dev.mcpwarden.security.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.pipeline.Target;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzes the policy loader: a policy file in YAML (or JSON, when it starts with <code>{</code>) is compiled and, when
 * it compiles, decides for a few principals, targets and arguments (seeds in {@code PolicyLoaderFuzzTestInputs/}).
 *
 * <p>Invariants: loading either compiles or throws {@link InvalidPolicyException} listing at least one problem,
 * never anything else; a compiled policy decides every request without throwing, deterministically, allowing only
 * by one of its own allow rules and denying by one of its rules or the default deny.
 */
class PolicyLoaderFuzzTest {

    private static final List<Principal> PRINCIPALS = List.of(
            new Principal("https://issuer.example", "alice", "c1", Set.of("tickets:read"), "acme", Set.of("admin"),
                    Map.of("employment", "staff", "level", 3L, "groups", List.of("a", "b"))),
            new Principal("https://issuer.example", "bob", null, Set.of(), null, Set.of(), Map.of()));
    private static final List<JsonNode> ARGS = List.of(
            Json.standard().parse("{\"tenant\":\"acme\",\"n\":1,\"path\":\"/reports/q1\",\"tags\":[\"x\"],\"o\":{}}"),
            Json.nodes().nullNode());
    private static final List<String> NAMES = List.of("delete_ticket", "report_q1", "file:///reports/a.txt", "");

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aPolicyCompilesOrListsItsProblemsAndThenDecidesEveryRequest(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        PolicySet policy;
        try {
            policy = text.stripLeading().startsWith("{") ? PolicySet.fromJson(text) : PolicySet.fromYaml(text);
        } catch (InvalidPolicyException e) {
            assertThat(e.problems()).isNotEmpty();
            return;
        }
        Set<String> allowRules = policy.rules().stream().filter(r -> r.effect() == Effect.ALLOW)
                .map(PolicyRule::id).collect(Collectors.toSet());
        Set<String> known = policy.rules().stream().map(PolicyRule::id).collect(Collectors.toSet());
        known.add(Decision.DEFAULT_DENY);
        for (Principal principal : PRINCIPALS) {
            for (Target.Kind kind : Target.Kind.values()) {
                for (String name : NAMES) {
                    Decision visible = policy.decideVisibility(principal, kind, name);
                    assertThat(visible).isNotNull();
                    for (JsonNode args : ARGS) {
                        Decision d = policy.decide(principal, kind, name, "tools/call", args);
                        assertThat(policy.decide(principal, kind, name, "tools/call", args)).isEqualTo(d);
                        if (d.allowed()) {
                            assertThat(d.ruleId()).isIn(allowRules);
                        } else {
                            // a deny rule that holds, a rule whose condition failed (errors deny), or the default
                            assertThat(d.ruleId()).isIn(known);
                        }
                    }
                }
            }
        }
    }
}
