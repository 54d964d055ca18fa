package dev.mcpwarden.security.guard;

/**
 * Vets one string argument before a tool handler sees it. Implementations are immutable and thread-safe, never throw
 * on hostile input (a value that cannot be judged is blocked), and fail closed.
 */
@FunctionalInterface
public interface InputGuard {

    /** Decides on {@code value}; {@code null} is blocked. */
    Verdict check(String value);
}
