package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.server.pipeline.Target;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeRulesTest {

    @Test
    void rulesBecomeTheSameRequirementsAsTheBuilder() {
        ScopeRules rules = new ScopeRules(Map.of("tools/call", Set.of("mcp:tools")), Map.of("delete", Set.of("admin")),
                Map.of("triage", Set.of("tickets:read")), Map.of("tickets://{id}", Set.of("tickets:read")));

        ScopeRequirements r = rules.toRequirements();

        assertThat(r.forMethod("tools/call")).containsExactly("mcp:tools");
        assertThat(r.forTarget(Target.Kind.TOOL, "delete")).containsExactly("admin");
        assertThat(r.forTarget(Target.Kind.PROMPT, "triage")).containsExactly("tickets:read");
        assertThat(r.forTarget(Target.Kind.RESOURCE_TEMPLATE, "tickets://{id}")).containsExactly("tickets:read");
        assertThat(r.forTarget(Target.Kind.TOOL, "other")).isEmpty();
    }

    @Test
    void aScopeWithASpaceIsRefusedShowingIt() {
        assertThatThrownBy(() -> new ScopeRules(Map.of(), Map.of("delete", Set.of("admin all")), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tool delete: a scope is printable ASCII without spaces, quotes or backslashes"
                        + " (RFC 6749 3.3), was 'admin all'");
    }

    @Test
    void aTargetWithoutScopesIsRefused() {
        assertThatThrownBy(() -> new ScopeRules(Map.of("tools/call", Set.of()), Map.of(), Map.of(), Map.of()))
                .hasMessage("method tools/call: at least one scope is required");
    }

    @Test
    void rulesAreImmutableCopies() {
        var tools = new java.util.HashMap<String, Set<String>>(Map.of("a", Set.of("s")));
        ScopeRules rules = new ScopeRules(Map.of(), tools, Map.of(), Map.of());
        tools.put("b", Set.of("t"));

        assertThat(rules.tools()).containsOnlyKeys("a");
        assertThatThrownBy(() -> rules.tools().put("c", Set.of("u"))).isInstanceOf(UnsupportedOperationException.class);
    }
}
