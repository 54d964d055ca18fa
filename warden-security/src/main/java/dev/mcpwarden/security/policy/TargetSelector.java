package dev.mcpwarden.security.policy;

import dev.mcpwarden.server.pipeline.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code KIND:PATTERN}: a kind ({@code tool}, {@code prompt}, {@code resource}, {@code resource_template} or
 * {@code *}) and a name pattern in which {@code *} matches any run of characters (including none, and including
 * {@code /}); everything else matches itself, case-sensitively. {@code *} alone selects everything.
 */
final class TargetSelector {

    private final String text;
    private final Target.Kind kind; // null: any kind
    private final String[] parts;   // the literal parts around the stars
    private final boolean exact;    // no star

    private TargetSelector(String text, Target.Kind kind, String pattern) {
        this.text = text;
        this.kind = kind;
        List<String> split = new ArrayList<>();
        int from = 0;
        for (int star; (star = pattern.indexOf('*', from)) >= 0; from = star + 1) {
            split.add(pattern.substring(from, star));
        }
        split.add(pattern.substring(from));
        this.parts = split.toArray(String[]::new);
        this.exact = parts.length == 1;
    }

    /** The selector, or empty with the reason in {@code problem}. */
    static Optional<TargetSelector> parse(String text, List<String> problem) {
        if (text == null || text.isBlank()) {
            problem.add("empty target selector");
            return Optional.empty();
        }
        if (text.equals("*")) {
            return Optional.of(new TargetSelector(text, null, "*"));
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            problem.add("target selector '" + text + "' is not KIND:PATTERN (e.g. 'tool:delete_*', 'prompt:*')");
            return Optional.empty();
        }
        String k = text.substring(0, colon);
        String pattern = text.substring(colon + 1);
        if (pattern.isEmpty()) {
            problem.add("target selector '" + text + "' has no name pattern (use '" + k + ":*' for all)");
            return Optional.empty();
        }
        if (k.equals("*")) {
            return Optional.of(new TargetSelector(text, null, pattern));
        }
        Target.Kind kind = kindOf(k);
        if (kind == null) {
            problem.add("target selector '" + text + "' has unknown kind '" + k
                    + "' (expected tool, prompt, resource, resource_template or *)");
            return Optional.empty();
        }
        return Optional.of(new TargetSelector(text, kind, pattern));
    }

    /** The kind named as in policies and in {@code target.kind}, or null. */
    static Target.Kind kindOf(String name) {
        for (Target.Kind k : Target.Kind.values()) {
            if (name(k).equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** How policies name a kind: {@code tool}, {@code prompt}, {@code resource}, {@code resource_template}. */
    static String name(Target.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    boolean appliesTo(Target.Kind k) {
        return kind == null || kind == k;
    }

    boolean matches(Target.Kind k, String name) {
        return appliesTo(k) && matchesName(name);
    }

    boolean matchesName(String name) {
        if (exact) {
            return parts[0].equals(name);
        }
        String first = parts[0];
        String last = parts[parts.length - 1];
        if (name.length() < first.length() + last.length() || !name.startsWith(first) || !name.endsWith(last)) {
            return false;
        }
        // Greedy leftmost matching of the middle parts is exact for patterns with '*' only.
        int at = first.length();
        int end = name.length() - last.length();
        for (int i = 1; i < parts.length - 1; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            int found = name.indexOf(part, at);
            if (found < 0 || found + part.length() > end) {
                return false;
            }
            at = found + part.length();
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
