package dev.mcpwarden.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The problems found while loading one file, collected so that all of them are reported at once. */
final class Problems {

    private final String source;
    private final List<ConfigProblem> found = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    void add(YamlTree.Location at, String message) {
        found.add(new ConfigProblem(source, at.line(), at.column(), message));
    }

    void warn(YamlTree.Location at, String message) {
        warnings.add(source + ":" + at.line() + ":" + at.column() + ": warning: " + message);
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    /** In file order, so the output reads top to bottom. */
    List<ConfigProblem> sorted() {
        List<ConfigProblem> out = new ArrayList<>(found);
        out.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
        return out;
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }
}
