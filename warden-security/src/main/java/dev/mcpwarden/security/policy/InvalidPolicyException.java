package dev.mcpwarden.security.policy;

import java.util.List;

/**
 * A policy that cannot be loaded, with every problem found (not just the first): syntax and type errors with rule
 * ids and positions, unknown fields, duplicate ids, bad selectors. A policy set is never built half-way.
 */
public final class InvalidPolicyException extends RuntimeException {

    private final List<String> problems;

    InvalidPolicyException(String source, List<String> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, in the order found. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        StringBuilder b = new StringBuilder("invalid policy ").append(source).append(": ")
                .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
        for (String p : problems) {
            b.append("\n  - ").append(p.replace("\n", "\n    "));
        }
        return b.toString();
    }
}
