package dev.mcpwarden.security.guard;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How answers are guarded, as configuration for an {@link OutputGuardStage}.
 *
 * @param redactor           the redactor of every tool (and of every prompt, resource and completion) without its
 *                           own; {@link RedactorKind#SECRETS_AND_PII} by default, since in a multi-tenant server
 *                           one user's personal data in stored text must not reach another's model
 * @param redactors          redactors by tool name: a kind other than {@code SECRETS_AND_PII} is an opt-out
 * @param untrustedTools     tools whose whole output is written by third parties: checked for injection and
 *                           spotlighted (tools may also declare it, or declare fields, in their definitions)
 * @param untrustedPrompts   prompts whose messages are written by third parties
 * @param untrustedResources resources, by URI or by the URI template that serves them, whose contents are written
 *                           by third parties
 * @param spotlighting       how untrusted output is marked, for every tool without its own
 * @param toolSpotlighting   how one tool's untrusted output is marked; its field rules may declare third-party fields
 * @param detector           the prompt-injection detector for untrusted output
 */
public record OutputGuardConfig(RedactorKind redactor, Map<String, RedactorKind> redactors,
                                Set<String> untrustedTools, Set<String> untrustedPrompts,
                                Set<String> untrustedResources, SpotlightConfig spotlighting,
                                Map<String, SpotlightConfig> toolSpotlighting, DetectorSpec detector) {

    public OutputGuardConfig {
        Objects.requireNonNull(redactor, "redactor");
        redactors = Map.copyOf(redactors);
        untrustedTools = Set.copyOf(untrustedTools);
        untrustedPrompts = Set.copyOf(untrustedPrompts);
        untrustedResources = Set.copyOf(untrustedResources);
        Objects.requireNonNull(spotlighting, "spotlighting");
        toolSpotlighting = Map.copyOf(toolSpotlighting);
        Objects.requireNonNull(detector, "detector");
        for (String tool : redactors.keySet()) {
            if (tool.isBlank()) {
                throw new IllegalArgumentException("output guards: tool name must not be blank");
            }
        }
        for (Set<String> names : java.util.List.of(untrustedTools, untrustedPrompts, untrustedResources,
                toolSpotlighting.keySet())) {
            for (String name : names) {
                if (name.isBlank()) {
                    throw new IllegalArgumentException("output guards: an untrusted source's name must not be blank");
                }
            }
        }
    }

    /** Redactors and untrusted tools only: no untrusted prompts or resources, default spotlighting. */
    public OutputGuardConfig(RedactorKind redactor, Map<String, RedactorKind> redactors, Set<String> untrustedTools,
                             DetectorSpec detector) {
        this(redactor, redactors, untrustedTools, Set.of(), Set.of(), SpotlightConfig.defaults(), Map.of(), detector);
    }

    /** Secrets and personal data redacted from every answer, no untrusted sources, the heuristic detector. */
    public static OutputGuardConfig defaults() {
        return new OutputGuardConfig(RedactorKind.SECRETS_AND_PII, Map.of(), Set.of(), new DetectorSpec.Heuristic());
    }

    /** The stage guarding results this way. */
    public OutputGuardStage toStage() {
        return toStage(tool -> false);
    }

    /** The stage guarding results this way, with the output of the tools {@code alsoUntrusted} accepts untrusted. */
    public OutputGuardStage toStage(java.util.function.Predicate<String> alsoUntrusted) {
        OutputGuardStage.Builder b = OutputGuardStage.builder().redactor(redactor.create())
                .untrusted(untrustedTools.toArray(String[]::new)).untrustedWhere(alsoUntrusted)
                .untrustedPrompts(untrustedPrompts.toArray(String[]::new))
                .untrustedResources(untrustedResources.toArray(String[]::new))
                .spotlighting(spotlighting)
                .detector(detector.create());
        redactors.forEach((tool, kind) -> b.redactor(tool, kind.create()));
        toolSpotlighting.forEach(b::spotlighting);
        return b.build();
    }
}
