package dev.mcpwarden.security.guard;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How tool results are guarded, as configuration for an {@link OutputGuardStage}.
 *
 * @param redactor       the redactor of every tool without its own
 * @param redactors      redactors by tool name
 * @param untrustedTools tools whose output is written by third parties: checked for injection and delimited
 * @param detector       the prompt-injection detector for untrusted output
 */
public record OutputGuardConfig(RedactorKind redactor, Map<String, RedactorKind> redactors,
                                Set<String> untrustedTools, DetectorSpec detector) {

    public OutputGuardConfig {
        Objects.requireNonNull(redactor, "redactor");
        redactors = Map.copyOf(redactors);
        untrustedTools = Set.copyOf(untrustedTools);
        Objects.requireNonNull(detector, "detector");
        for (String tool : redactors.keySet()) {
            if (tool.isBlank()) {
                throw new IllegalArgumentException("output guards: tool name must not be blank");
            }
        }
        for (String tool : untrustedTools) {
            if (tool.isBlank()) {
                throw new IllegalArgumentException("output guards: untrusted tool name must not be blank");
            }
        }
    }

    /** Secrets redacted from every result, no untrusted tools, the heuristic detector. */
    public static OutputGuardConfig defaults() {
        return new OutputGuardConfig(RedactorKind.SECRETS, Map.of(), Set.of(), new DetectorSpec.Heuristic());
    }

    /** The stage guarding results this way. */
    public OutputGuardStage toStage() {
        return toStage(tool -> false);
    }

    /** The stage guarding results this way, with the output of the tools {@code alsoUntrusted} accepts untrusted. */
    public OutputGuardStage toStage(java.util.function.Predicate<String> alsoUntrusted) {
        OutputGuardStage.Builder b = OutputGuardStage.builder().redactor(redactor.create())
                .untrusted(untrustedTools.toArray(String[]::new)).untrustedWhere(alsoUntrusted)
                .detector(detector.create());
        redactors.forEach((tool, kind) -> b.redactor(tool, kind.create()));
        return b.build();
    }
}
