package dev.mcpwarden.security.guard;

import java.util.Objects;

/** Which prompt-injection detector checks the output of untrusted tools. */
public sealed interface DetectorSpec {

    /** The detector this declaration stands for. */
    PromptInjectionDetector create();

    /** The built-in heuristic detector ({@link HeuristicInjectionDetector#standard()}), the default. */
    record Heuristic() implements DetectorSpec {
        @Override
        public PromptInjectionDetector create() {
            return HeuristicInjectionDetector.standard();
        }
    }

    /**
     * Azure AI Content Safety Prompt Shields ({@link PromptShieldsDetector}).
     *
     * @param config the endpoint, key, timeout and failure mode
     */
    record PromptShields(PromptShieldsDetector.Config config) implements DetectorSpec {
        public PromptShields {
            Objects.requireNonNull(config, "config");
        }

        @Override
        public PromptInjectionDetector create() {
            return PromptShieldsDetector.create(config);
        }
    }
}
