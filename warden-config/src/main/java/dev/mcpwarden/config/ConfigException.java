package dev.mcpwarden.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration file that cannot be used: every problem found in it (loading does not stop at the first), or the
 * one reason it could not be read. The message lists them one per line as {@code file:line:column: message}.
 */
public final class ConfigException extends RuntimeException {

    private final List<ConfigProblem> problems;
    private final boolean unreadable;

    ConfigException(List<ConfigProblem> problems) {
        this(problems, false);
    }

    ConfigException(List<ConfigProblem> problems, boolean unreadable) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
        this.unreadable = unreadable;
    }

    /** Whether the file could not be read at all (missing, not UTF-8, too large), as opposed to read and wrong. */
    public boolean unreadable() {
        return unreadable;
    }

    /** The problems in file order. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
