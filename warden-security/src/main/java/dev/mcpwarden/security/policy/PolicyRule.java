package dev.mcpwarden.security.policy;

import java.util.List;

/**
 * One rule as written, before compilation. Nothing is checked here; {@link PolicySet} checks every rule when it is
 * built and reports all problems together.
 *
 * @param id          unique within the set; letters, digits and {@code . _ - : /}, at most 128 characters
 * @param effect      what the rule does when its condition holds
 * @param targets     selectors ({@code KIND:PATTERN}, {@code *} matches any characters), or null for every target;
 *                    never empty
 * @param when        the condition, a CEL expression that must type-check to {@code bool}
 * @param description free text for humans, or null
 */
public record PolicyRule(String id, Effect effect, List<String> targets, String when, String description) {

    public PolicyRule {
        targets = targets == null ? null : List.copyOf(targets);
    }

    /** Whether the rule applies to every target. */
    public boolean allTargets() {
        return targets == null;
    }
}
