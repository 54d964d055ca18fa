package dev.mcpwarden.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file, where it is.
 *
 * @param source  the file name as given to the loader
 * @param line    1-based line
 * @param column  1-based column
 * @param message what is wrong and what was expected; never a secret's value
 */
public record ConfigProblem(String source, int line, int column, String message) {

    public ConfigProblem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based, were " + line + ":" + column);
        }
    }

    /** {@code source:line:column: message}, the format compilers and editors understand. */
    @Override
    public String toString() {
        return source + ":" + line + ":" + column + ": " + message;
    }
}
