package dev.mcpwarden.security.guard;

/**
 * Judges whether untrusted text (a tool result, a fetched page, an argument) tries to instruct the model. A
 * detection is a signal, not a proof: pair it with {@link Spotlighter} so that even missed injections arrive marked
 * as data. Implementations are thread-safe and never throw.
 */
@FunctionalInterface
public interface PromptInjectionDetector {

    /** The judgement on {@code text}. */
    Detection detect(String text);

    /**
     * This detector for the output of a server whose tools are {@code toolNames}, so that text asking the model to
     * call one of them can be told from text that merely names a tool. Detectors that make no use of the names
     * (the default) return themselves.
     */
    default PromptInjectionDetector forTools(java.util.Collection<String> toolNames) {
        return this;
    }

    /** Whether {@link #detect} may block (a remote classifier); the safe default is yes. */
    default boolean mayBlock() {
        return true;
    }
}
