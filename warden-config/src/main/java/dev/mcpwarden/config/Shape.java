package dev.mcpwarden.config;

import dev.mcpwarden.config.YamlTree.ListNode;
import dev.mcpwarden.config.YamlTree.Location;
import dev.mcpwarden.config.YamlTree.MapNode;
import dev.mcpwarden.config.YamlTree.Node;
import dev.mcpwarden.config.YamlTree.Scalar;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The declared shape of a value in the configuration file. One declaration serves twice: it binds a YAML node
 * (checking its type and range, reporting problems with their location) and it writes the JSON Schema of the same
 * value, so the published schema and the loader cannot disagree.
 */
abstract class Shape {

    /** What a value must be, as an error message says it: {@code an integer (0-65535)}. */
    abstract String expected();

    /** The bound value, or null when the node is wrong (the problem is recorded). */
    abstract Object bind(Node node, String path, Binding ctx);

    /** The JSON Schema of this shape. */
    abstract ObjectNode schema();

    /** What binding needs besides the node: where problems go, where relative paths start, secret providers. */
    interface Binding {
        Problems problems();

        Path baseDirectory();

        Map<String, SecretProvider> secretProviders();
    }

    static String quoted(String path) {
        return "'" + path + "'";
    }

    /** How a wrong value is shown in a message: strings quoted, numbers bare, collections by kind. */
    static String shown(Node node) {
        return switch (node) {
            case MapNode m -> "a mapping";
            case ListNode l -> "a list";
            case Scalar s when s.token() == JsonToken.VALUE_NULL -> "empty";
            case Scalar s when s.token() == JsonToken.VALUE_STRING ->
                    Json.standard().text(Json.nodes().stringNode(s.text()));
            case Scalar s -> s.text();
        };
    }

    Object mismatch(Node node, String path, Binding ctx) {
        ctx.problems().add(node.location(), quoted(path) + " must be " + expected() + ", was " + shown(node));
        return null;
    }

    /** Whether a bound value stands for a problem: nothing bound, or a section with a problem inside. */
    static boolean failed(Object v) {
        return v == null || (v instanceof Bound b && !b.complete());
    }

    static boolean isString(Node node) {
        return node instanceof Scalar s && s.token() == JsonToken.VALUE_STRING;
    }

    // ---------------------------------------------------------------------------------------------------- scalars

    /** A non-blank string, optionally matching a pattern. */
    static final class Text extends Shape {
        private final Pattern pattern;
        private final String hint;

        Text(String regex, String hint) {
            this.pattern = regex == null ? null : Pattern.compile(regex);
            this.hint = hint;
        }

        @Override
        String expected() {
            return hint == null ? "a non-empty string" : hint;
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (node instanceof Scalar s && s.token() != JsonToken.VALUE_STRING && s.token() != JsonToken.VALUE_NULL) {
                // version: 1.0 or name: yes are YAML numbers and booleans; say how to write them as text
                ctx.problems().add(node.location(), quoted(path) + " must be " + expected() + ", was " + s.text()
                        + " (a YAML " + (s.token().isNumeric() ? "number" : "boolean") + "; quote it: \""
                        + s.text() + "\")");
                return null;
            }
            if (!isString(node) || ((Scalar) node).text().isBlank()
                    || (pattern != null && !pattern.matcher(((Scalar) node).text()).matches())) {
                return mismatch(node, path, ctx);
            }
            return ((Scalar) node).text();
        }

        @Override
        ObjectNode schema() {
            ObjectNode s = Json.object().put("type", "string").put("minLength", 1);
            if (pattern != null) {
                s.put("pattern", pattern.pattern());
            }
            return s;
        }
    }

    /** An integer in a range, bound as a {@code Long}. */
    static final class Int extends Shape {
        private final long min;
        private final long max;

        Int(long min, long max) {
            this.min = min;
            this.max = max;
        }

        @Override
        String expected() {
            return "an integer (" + min + "-" + max + ")";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!(node instanceof Scalar s) || s.token() != JsonToken.VALUE_NUMBER_INT) {
                return mismatch(node, path, ctx);
            }
            long v;
            try {
                v = Long.parseLong(s.text());
            } catch (NumberFormatException e) {
                return mismatch(node, path, ctx);
            }
            return v < min || v > max ? mismatch(node, path, ctx) : v;
        }

        @Override
        ObjectNode schema() {
            return Json.object().put("type", "integer").put("minimum", min).put("maximum", max);
        }
    }

    /** A number from 0 to 1 (a share, such as a sampling ratio), bound as a {@code Double}. */
    static final class Ratio extends Shape {
        @Override
        String expected() {
            return "a number from 0 to 1";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!(node instanceof Scalar s) || (s.token() != JsonToken.VALUE_NUMBER_INT
                    && s.token() != JsonToken.VALUE_NUMBER_FLOAT)) {
                return mismatch(node, path, ctx);
            }
            double v;
            try {
                v = Double.parseDouble(s.text());
            } catch (NumberFormatException e) {
                return mismatch(node, path, ctx);
            }
            return v >= 0 && v <= 1 ? v : mismatch(node, path, ctx);
        }

        @Override
        ObjectNode schema() {
            return Json.object().put("type", "number").put("minimum", 0).put("maximum", 1);
        }
    }

    /** {@code true} or {@code false}. */
    static final class Bool extends Shape {
        @Override
        String expected() {
            return "true or false";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (node instanceof Scalar s && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)) {
                return s.token() == JsonToken.VALUE_TRUE;
            }
            return mismatch(node, path, ctx);
        }

        @Override
        ObjectNode schema() {
            return Json.object().put("type", "boolean");
        }
    }

    /** A duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, or ISO-8601 ({@code PT30S}). */
    static final class Dur extends Shape {
        static final String PATTERN = "^([0-9]+(ms|s|m|h|d)|P(?=.)([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?"
                + "([0-9]+(\\.[0-9]+)?S)?)?)$";
        private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
        private final Duration min;
        private final Duration max;

        Dur(Duration min, Duration max) {
            this.min = min;
            this.max = max;
        }

        @Override
        String expected() {
            return "a duration (e.g. 30s, 5m, 1h or ISO-8601 PT30S) from " + format(min) + " to " + format(max);
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!isString(node)) {
                return mismatch(node, path, ctx);
            }
            Duration d = parse(((Scalar) node).text());
            if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                return mismatch(node, path, ctx);
            }
            return d;
        }

        static Duration parse(String text) {
            Matcher m = SHORT.matcher(text);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            if (!text.matches(PATTERN)) {
                return null;
            }
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        /** The shortest form of {@code d} in the file's own syntax. */
        static String format(Duration d) {
            if (d.isZero()) {
                return "0s";
            }
            long ms = d.toMillis();
            if (ms % 86_400_000L == 0) {
                return ms / 86_400_000L + "d";
            }
            if (ms % 3_600_000L == 0) {
                return ms / 3_600_000L + "h";
            }
            if (ms % 60_000L == 0) {
                return ms / 60_000L + "m";
            }
            return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }

        @Override
        ObjectNode schema() {
            return Json.object().put("type", "string").put("pattern", PATTERN);
        }
    }

    /** One of a fixed set of words. */
    static final class Choice extends Shape {
        private final List<String> values;

        Choice(String... values) {
            this.values = List.of(values);
        }

        List<String> values() {
            return values;
        }

        @Override
        String expected() {
            return "one of: " + String.join(", ", values);
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!isString(node) || !values.contains(((Scalar) node).text())) {
                return mismatch(node, path, ctx);
            }
            return ((Scalar) node).text();
        }

        @Override
        ObjectNode schema() {
            ObjectNode s = Json.object().put("type", "string");
            ArrayNode e = s.putArray("enum");
            values.forEach(e::add);
            return s;
        }
    }

    /** An absolute URI with one of the given schemes. */
    static final class Uri extends Shape {
        private final List<String> schemes;

        Uri(String... schemes) {
            this.schemes = List.of(schemes);
        }

        @Override
        String expected() {
            return "an absolute " + String.join(" or ", schemes) + " URL";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!isString(node)) {
                return mismatch(node, path, ctx);
            }
            try {
                URI u = new URI(((Scalar) node).text());
                if (!u.isAbsolute() || u.getHost() == null
                        || !schemes.contains(u.getScheme().toLowerCase(Locale.ROOT))) {
                    return mismatch(node, path, ctx);
                }
                return u;
            } catch (URISyntaxException e) {
                return mismatch(node, path, ctx);
            }
        }

        @Override
        ObjectNode schema() {
            return Json.object().put("type", "string").put("format", "uri")
                    .put("pattern", "^(" + String.join("|", schemes) + ")://");
        }
    }

    /** A file or directory path; relative paths start at the configuration file's directory. */
    static final class FilePath extends Shape {
        private final boolean mustExist;

        FilePath(boolean mustExist) {
            this.mustExist = mustExist;
        }

        @Override
        String expected() {
            return "a file path";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!isString(node) || ((Scalar) node).text().isBlank()) {
                return mismatch(node, path, ctx);
            }
            Path p;
            try {
                p = ctx.baseDirectory().resolve(((Scalar) node).text()).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                return mismatch(node, path, ctx);
            }
            if (mustExist && !Files.isRegularFile(p)) {
                ctx.problems().add(node.location(), quoted(path) + " names a file that does not exist: " + p);
                return null;
            }
            return p;
        }

        @Override
        ObjectNode schema() {
            return Json.object().put("type", "string").put("minLength", 1);
        }
    }

    /** A secret reference ({@code scheme:name}) resolved by its provider; a literal value is refused. */
    static final class SecretRef extends Shape {
        static final String PATTERN = "^[a-z][a-z0-9+.-]*:.+$";
        private static final Pattern REFERENCE = Pattern.compile("([a-z][a-z0-9+.-]{0,31}):(.*)", Pattern.DOTALL);

        @Override
        String expected() {
            return "a secret reference (file:... or env:...)";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            // Never show the value: a literal written here is exactly the secret that must not reach a log.
            Matcher m = isString(node) ? REFERENCE.matcher(((Scalar) node).text()) : null;
            if (m == null || !m.matches()) {
                ctx.problems().add(node.location(), quoted(path) + " must be " + expected() + ", not a literal");
                return null;
            }
            SecretProvider provider = ctx.secretProviders().get(m.group(1));
            if (provider == null) {
                ctx.problems().add(node.location(), quoted(path) + ": no secret provider for scheme '" + m.group(1)
                        + "' (known: " + String.join(", ", ctx.secretProviders().keySet()) + ")");
                return null;
            }
            try {
                return provider.resolve(m.group(2), new SecretProvider.Context() {
                    @Override
                    public Path baseDirectory() {
                        return ctx.baseDirectory();
                    }

                    @Override
                    public void warn(String message) {
                        ctx.problems().warn(node.location(), quoted(path) + ": " + message);
                    }
                });
            } catch (IllegalArgumentException e) {
                ctx.problems().add(node.location(), quoted(path) + ": " + e.getMessage());
                return null;
            }
        }

        @Override
        ObjectNode schema() {
            return Json.object().put("type", "string").put("pattern", PATTERN);
        }

        static boolean isSecret(Object o) {
            return o instanceof Secret;
        }
    }

    // ---------------------------------------------------------------------------------------------- collections

    /** A list of values of one shape. */
    static final class ListOf extends Shape {
        private final Shape item;
        private final int minItems;

        ListOf(Shape item, int minItems) {
            this.item = item;
            this.minItems = minItems;
        }

        @Override
        String expected() {
            return minItems > 0 ? "a list of at least " + minItems + " item(s)" : "a list";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!(node instanceof ListNode list) || list.items().size() < minItems) {
                return mismatch(node, path, ctx);
            }
            List<Object> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < list.items().size(); i++) {
                Object v = item.bind(list.items().get(i), path + "[" + i + "]", ctx);
                ok &= !failed(v);
                out.add(v);
            }
            return ok ? List.copyOf(out) : null;
        }

        @Override
        ObjectNode schema() {
            ObjectNode s = Json.object().put("type", "array");
            s.set("items", item.schema());
            if (minItems > 0) {
                s.put("minItems", minItems);
            }
            return s;
        }
    }

    /** A mapping from names the user chooses (tools, arguments, methods) to values of one shape. */
    static final class MapOf extends Shape {
        private final String keyName;
        private final Shape value;

        MapOf(String keyName, Shape value) {
            this.keyName = keyName;
            this.value = value;
        }

        @Override
        String expected() {
            return "a mapping from " + keyName + " to values";
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!(node instanceof MapNode map)) {
                return mismatch(node, path, ctx);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            boolean ok = true;
            for (Map.Entry<String, YamlTree.Entry> e : map.entries().entrySet()) {
                if (e.getKey().isBlank()) {
                    ctx.problems().add(e.getValue().keyLocation(), "a " + keyName + " under " + quoted(path)
                            + " must not be blank");
                    ok = false;
                    continue;
                }
                Object v = value.bind(e.getValue().value(), path + "." + e.getKey(), ctx);
                ok &= !failed(v);
                out.put(e.getKey(), v);
            }
            return ok ? out : null;
        }

        @Override
        ObjectNode schema() {
            ObjectNode s = Json.object().put("type", "object");
            s.putObject("propertyNames").put("minLength", 1);
            s.set("additionalProperties", value.schema());
            return s;
        }
    }

    // ---------------------------------------------------------------------------------------------------- objects

    /**
     * One key of a section.
     *
     * @param name        the key, kebab-case
     * @param shape       what its value must be
     * @param required    whether it must be written
     * @param defaultYaml the value used when it is absent, as it would be written in YAML (a string, number,
     *                    boolean, list or map), or null for none
     * @param description what the key means, for the schema
     */
    record Field(String name, Shape shape, boolean required, Object defaultYaml, String description) {
        Field {
            if (!name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException("keys are kebab-case, was " + name);
            }
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("key " + name + " needs a description");
            }
            if (required && defaultYaml != null) {
                throw new IllegalArgumentException("required key " + name + " cannot have a default");
            }
        }
    }

    static Field required(String name, Shape shape, String description) {
        return new Field(name, shape, true, null, description);
    }

    static Field optional(String name, Shape shape, String description) {
        return new Field(name, shape, false, null, description);
    }

    static Field withDefault(String name, Shape shape, Object defaultYaml, String description) {
        return new Field(name, shape, false, defaultYaml, description);
    }

    /**
     * A bound mapping: the value of every field (defaults filled in), where each was written, and whether all of them
     * bound. An incomplete section is not turned into a record (so one mistake gives one problem), but its complete
     * siblings still are, so their records' own checks are reported in the same run.
     */
    record Bound(String path, Location location, Map<String, Object> values, Map<String, Location> locations,
                 boolean complete) {

        @SuppressWarnings("unchecked")
        <T> T get(String key) {
            return (T) values.get(key);
        }

        boolean has(String key) {
            return values.get(key) != null;
        }

        Location at(String key) {
            return locations.getOrDefault(key, location);
        }

        String pathOf(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }
    }

    /** A section: a mapping with a fixed set of keys; an unknown key or a missing required key is a problem. */
    static final class Obj extends Shape {
        private final List<Field> fields;
        private final List<List<String>> atMostOneOf;

        Obj(List<Field> fields) {
            this(fields, List.of());
        }

        Obj(List<Field> fields, List<List<String>> atMostOneOf) {
            this.fields = List.copyOf(fields);
            this.atMostOneOf = List.copyOf(atMostOneOf);
        }

        List<Field> fields() {
            return fields;
        }

        String keyList() {
            return String.join(", ", fields.stream().map(Field::name).toList());
        }

        @Override
        String expected() {
            return "a mapping with keys " + keyList();
        }

        static String under(String path) {
            return path.isEmpty() ? "at the top level" : "under " + quoted(path);
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!(node instanceof MapNode map)) {
                return mismatch(node, path, ctx);
            }
            boolean ok = true;
            Map<String, Field> byName = new LinkedHashMap<>();
            fields.forEach(f -> byName.put(f.name(), f));
            for (Map.Entry<String, YamlTree.Entry> e : map.entries().entrySet()) {
                if (!byName.containsKey(e.getKey())) {
                    ctx.problems().add(e.getValue().keyLocation(), "unknown key " + quoted(e.getKey()) + " "
                            + under(path) + "; expected one of: " + keyList());
                    ok = false;
                }
            }
            for (List<String> group : atMostOneOf) {
                List<String> given = group.stream().filter(map.entries()::containsKey).toList();
                if (given.size() > 1) {
                    ctx.problems().add(map.entries().get(given.get(1)).keyLocation(), "give at most one of "
                            + String.join(", ", group) + " " + under(path) + ", not " + String.join(" and ", given));
                    ok = false;
                }
            }
            Map<String, Object> values = new LinkedHashMap<>();
            Map<String, Location> locations = new LinkedHashMap<>();
            for (Field f : fields) {
                String fieldPath = path.isEmpty() ? f.name() : path + "." + f.name();
                YamlTree.Entry e = map.entries().get(f.name());
                if (e == null) {
                    if (f.required()) {
                        ctx.problems().add(map.location(), "missing required key " + quoted(f.name()) + " "
                                + under(path));
                        ok = false;
                    } else if (f.defaultYaml() != null) {
                        Object v = f.shape().bind(synthetic(f.defaultYaml(), map.location()), fieldPath, ctx);
                        ok &= !failed(v);
                        values.put(f.name(), v);
                    }
                    continue;
                }
                Object v = f.shape().bind(e.value(), fieldPath, ctx);
                ok &= !failed(v);
                values.put(f.name(), v);
                locations.put(f.name(), e.value().location());
            }
            return new Bound(path, map.location(), values, locations, ok);
        }

        @Override
        ObjectNode schema() {
            ObjectNode s = Json.object().put("type", "object");
            ObjectNode props = s.putObject("properties");
            ArrayNode required = Json.array();
            for (Field f : fields) {
                props.set(f.name(), Shape.fieldSchema(f));
                if (f.required()) {
                    required.add(f.name());
                }
            }
            if (!required.isEmpty()) {
                s.set("required", required);
            }
            s.put("additionalProperties", false);
            return s;
        }
    }

    /** The schema of one field: its shape with its description and default. */
    static ObjectNode fieldSchema(Field f) {
        ObjectNode s = Json.object().put("description", f.description());
        s.setAll(f.shape().schema());
        if (f.defaultYaml() != null) {
            s.set("default", Json.standard().toTree(f.defaultYaml()));
        }
        return s;
    }

    /**
     * A section whose {@code kind} key picks one of several shapes (a guard, a detector, a limiter). Each variant
     * is an {@link Obj} that declares {@code kind} itself.
     */
    static final class Tagged extends Shape {
        private final Map<String, Obj> variants;

        Tagged(Map<String, Obj> variants) {
            this.variants = new LinkedHashMap<>(variants);
        }

        @Override
        String expected() {
            return "a mapping with kind: " + String.join(" | ", variants.keySet());
        }

        @Override
        Object bind(Node node, String path, Binding ctx) {
            if (!(node instanceof MapNode map)) {
                return mismatch(node, path, ctx);
            }
            YamlTree.Entry kind = map.entries().get("kind");
            if (kind == null) {
                ctx.problems().add(map.location(), "missing required key 'kind' " + Obj.under(path)
                        + "; expected one of: " + String.join(", ", variants.keySet()));
                return null;
            }
            Obj variant = isString(kind.value()) ? variants.get(((Scalar) kind.value()).text()) : null;
            if (variant == null) {
                ctx.problems().add(kind.value().location(), quoted(path + ".kind") + " must be one of: "
                        + String.join(", ", variants.keySet()) + ", was " + shown(kind.value()));
                return null;
            }
            return variant.bind(node, path, ctx);
        }

        @Override
        ObjectNode schema() {
            ObjectNode s = Json.object().put("type", "object");
            ArrayNode oneOf = s.putArray("oneOf");
            variants.values().forEach(v -> oneOf.add(v.schema()));
            return s;
        }
    }

    /** A node for a default written as Java values, at the location of the mapping that omitted it. */
    static Node synthetic(Object value, Location at) {
        return switch (value) {
            case String s -> new Scalar(at, JsonToken.VALUE_STRING, s);
            case Boolean b -> new Scalar(at, b ? JsonToken.VALUE_TRUE : JsonToken.VALUE_FALSE, b.toString());
            case Double d -> new Scalar(at, JsonToken.VALUE_NUMBER_FLOAT, d.toString());
            case Number n -> new Scalar(at, JsonToken.VALUE_NUMBER_INT, n.toString());
            case List<?> l -> new ListNode(at, l.stream().map(v -> synthetic(v, at)).toList());
            case Map<?, ?> m -> {
                Map<String, YamlTree.Entry> entries = new LinkedHashMap<>();
                m.forEach((k, v) -> entries.put((String) k, new YamlTree.Entry(at, synthetic(v, at))));
                yield new MapNode(at, entries);
            }
            default -> throw new IllegalArgumentException("unsupported default " + value);
        };
    }

    /** The schema of a value, for tests. */
    static JsonNode schemaOf(Shape shape) {
        return shape.schema();
    }
}
