package dev.mcpwarden.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * A YAML document as a tree that remembers where every key and value was written, read with Jackson's streaming
 * YAML parser so that each node gets its token's line and column (Jackson's own trees drop them).
 */
final class YamlTree {

    /** A 1-based position in the file. */
    record Location(int line, int column) {
        static Location of(TokenStreamLocation l) {
            return new Location(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
        }
    }

    /** A node of the tree. */
    sealed interface Node {
        Location location();
    }

    /** A mapping: keys in file order, each with where the key was written. */
    record MapNode(Location location, Map<String, Entry> entries) implements Node {
    }

    /** One key of a mapping. */
    record Entry(Location keyLocation, Node value) {
    }

    /** A sequence. */
    record ListNode(Location location, List<Node> items) implements Node {
    }

    /** A scalar: its text and the token type YAML resolved it to (string, integer, float, boolean, null). */
    record Scalar(Location location, JsonToken token, String text) implements Node {
    }

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlTree() {
    }

    /** The document in {@code text}, or null when it cannot be read (the reason is added to {@code problems}). */
    static Node read(String text, Problems problems) {
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                problems.add(new Location(1, 1), "the file is empty; expected a mapping with keys server, http,"
                        + " security");
                return null;
            }
            Node root = node(p, problems);
            JsonToken next = p.nextToken();
            if (next != null) {
                problems.add(Location.of(p.currentTokenLocation()), "a second YAML document; a configuration file"
                        + " holds exactly one");
            }
            return root;
        } catch (JacksonException e) {
            TokenStreamLocation l = e.getLocation();
            String message = e.getOriginalMessage();
            problems.add(l == null ? new Location(1, 1) : Location.of(l), "not valid YAML: " + firstLine(message));
            return null;
        }
    }

    private static Node node(JsonParser p, Problems problems) {
        Location at = Location.of(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String key = p.currentName();
                Location keyAt = Location.of(p.currentTokenLocation());
                p.nextToken();
                Node value = node(p, problems);
                if (entries.containsKey(key)) {
                    // YAML forbids it and readers disagree on which one wins: refuse rather than guess
                    problems.add(keyAt, "duplicate key '" + key + "' (first at line "
                            + entries.get(key).keyLocation().line() + ")");
                } else {
                    entries.put(key, new Entry(keyAt, value));
                }
            }
            return new MapNode(at, entries);
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(node(p, problems));
            }
            return new ListNode(at, List.copyOf(items));
        }
        return new Scalar(at, t, t == JsonToken.VALUE_NULL ? null : p.getString());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
