package dev.mcpwarden.security.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * A field of structured content: a JSON Pointer whose {@code *} segments match any member or index, or a bare member
 * name matching at any depth.
 */
record FieldPattern(String source, List<String> segments, boolean anyDepth) {

    static FieldPattern parse(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("spotlighting: a field is a JSON Pointer or a member name, was blank");
        }
        if (!pattern.startsWith("/")) {
            if (pattern.contains("/")) {
                throw new IllegalArgumentException("spotlighting: field " + pattern
                        + " is neither a JSON Pointer (starting with /) nor a member name");
            }
            return new FieldPattern(pattern, List.of(pattern), true);
        }
        List<String> segments = new ArrayList<>();
        for (String s : pattern.substring(1).split("/", -1)) {
            segments.add(s.replace("~1", "/").replace("~0", "~"));
        }
        return new FieldPattern(pattern, List.copyOf(segments), false);
    }

    /** Whether the value at {@code path} (member names and indexes as strings) is this field. */
    boolean matches(List<String> path) {
        if (anyDepth) {
            return !path.isEmpty() && path.get(path.size() - 1).equals(segments.get(0));
        }
        if (path.size() != segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            if (!segments.get(i).equals("*") && !segments.get(i).equals(path.get(i))) {
                return false;
            }
        }
        return true;
    }
}
