package dev.mcpwarden.security.integrity;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The pins users commit: for each kind of definition, identity → digest. Immutable; {@link #with} and
 * {@link #without} return changed copies.
 *
 * <pre>{@code
 * {
 *   "version": 1,
 *   "tools": {
 *     "get_ticket": "sha256:…"
 *   },
 *   "prompts": {},
 *   "resourceTemplates": {},
 *   "packages": {
 *     "@scope/name": {"version": "1.2.3", "integrity": "sha512-…"}
 *   }
 * }
 * }</pre>
 *
 * <p>{@code packages} (written only when there is one) pins the npm packages the gateway installs for its upstreams:
 * a package's version and the integrity of its tarball, so that a new version of a package is refused before it runs,
 * as a changed definition is withheld (docs/supply-chain.md).
 *
 * <p>{@link #toJson()} is stable: members in the order above, pins sorted by name, two-space indent, one pin per
 * line, a final newline, and every character outside printable ASCII written as a {@code \\uXXXX} escape (so an
 * invisible or look-alike character in a name shows in a diff). Reading is strict: unknown members, a version other
 * than {@value #VERSION}, non-string or malformed digests are refused with a message naming the file and the member.
 */
public final class PinFile {

    /** The format version this Warden reads and writes. */
    public static final int VERSION = 1;

    private static final PinFile EMPTY = new PinFile(new EnumMap<>(DefinitionKind.class), Map.of());

    /**
     * A pinned npm package: its exact version and its tarball's integrity ({@code sha512-} and a base64 SHA-512, as
     * a lockfile names it).
     */
    public record PackagePin(String version, String integrity) {
        public PackagePin {
            Objects.requireNonNull(version, "version");
            if (!version.matches("[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?")) {
                throw new IllegalArgumentException("a pinned package version is an exact version, was "
                        + abbreviate(version));
            }
            Objects.requireNonNull(integrity, "integrity");
            if (!integrity.matches("sha512-[A-Za-z0-9+/]{86}==")) {
                throw new IllegalArgumentException("a package integrity is sha512- and a base64 SHA-512, was "
                        + abbreviate(integrity));
            }
        }
    }

    private final Map<DefinitionKind, Map<String, String>> pins;
    private final Map<String, PackagePin> packages;

    private PinFile(Map<DefinitionKind, Map<String, String>> pins, Map<String, PackagePin> packages) {
        EnumMap<DefinitionKind, Map<String, String>> copy = new EnumMap<>(DefinitionKind.class);
        for (DefinitionKind k : DefinitionKind.values()) {
            Map<String, String> m = pins.get(k);
            copy.put(k, Collections.unmodifiableMap(new TreeMap<>(m == null ? Map.of() : m)));
        }
        this.pins = Collections.unmodifiableMap(copy);
        this.packages = Collections.unmodifiableMap(new TreeMap<>(packages));
    }

    /** A pin file with no pins. */
    public static PinFile empty() {
        return EMPTY;
    }

    /** A pin file pinning exactly the given definitions at their current digests. */
    public static PinFile of(Collection<Definition> definitions) {
        EnumMap<DefinitionKind, Map<String, String>> m = new EnumMap<>(DefinitionKind.class);
        for (Definition d : definitions) {
            String previous = m.computeIfAbsent(d.kind(), k -> new TreeMap<>()).put(d.name(), d.digest());
            if (previous != null && !previous.equals(d.digest())) {
                throw new IllegalArgumentException("two different " + d.kind().pinKey() + " definitions are named "
                        + quote(d.name()) + "; resolve the name collision before pinning");
            }
        }
        return new PinFile(m, Map.of());
    }

    /** Reads a pin file. */
    public static PinFile read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "pin file does not exist");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new PinFileException("pin file " + file + ": not UTF-8 text", e);
        }
        return parse(text, file.toString());
    }

    /** Parses a pin file's text; {@code source} names it in error messages. */
    public static PinFile parse(String text, String source) {
        JsonNode root;
        try {
            root = Json.standard().parse(text);
        } catch (JacksonException e) {
            throw new PinFileException("pin file " + source + ": not valid JSON ("
                    + e.getOriginalMessage() + location(e) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new PinFileException("pin file " + source + ": the top level must be a JSON object");
        }
        JsonNode version = root.get("version");
        if (version == null) {
            throw new PinFileException("pin file " + source + ": \"version\" is missing (expected " + VERSION + ")");
        }
        if (!version.isIntegralNumber() || version.asLong() != VERSION) {
            throw new PinFileException("pin file " + source + ": unsupported version " + version
                    + " (this Warden reads version " + VERSION + ")");
        }
        EnumMap<DefinitionKind, Map<String, String>> m = new EnumMap<>(DefinitionKind.class);
        Map<String, PackagePin> packages = new TreeMap<>();
        for (Map.Entry<String, JsonNode> member : root.properties()) {
            String key = member.getKey();
            if (key.equals("version")) {
                continue;
            }
            if (key.equals("packages")) {
                packages = packages(member.getValue(), source);
                continue;
            }
            DefinitionKind kind = DefinitionKind.byPinKey(key);
            if (kind == null) {
                throw new PinFileException("pin file " + source + ": unknown member " + quote(key)
                        + " (expected version, tools, prompts, resourceTemplates, packages)");
            }
            JsonNode entries = member.getValue();
            if (!entries.isObject()) {
                throw new PinFileException("pin file " + source + ": \"" + key
                        + "\" must be an object of name to digest, was " + entries.getNodeType());
            }
            Map<String, String> kindPins = new TreeMap<>();
            for (Map.Entry<String, JsonNode> pin : entries.properties()) {
                JsonNode digest = pin.getValue();
                if (!digest.isString() || !DefinitionDigest.isWellFormed(digest.asString())) {
                    throw new PinFileException("pin file " + source + ": " + key + "." + quote(pin.getKey())
                            + " must be a digest like \"sha256:<64 lower-case hex digits>\", was "
                            + abbreviate(digest.toString()));
                }
                kindPins.put(pin.getKey(), digest.asString());
            }
            m.put(kind, kindPins);
        }
        return new PinFile(m, packages);
    }

    private static Map<String, PackagePin> packages(JsonNode entries, String source) {
        if (!entries.isObject()) {
            throw new PinFileException("pin file " + source + ": \"packages\" must be an object of package name to "
                    + "{version, integrity}, was " + entries.getNodeType());
        }
        Map<String, PackagePin> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : entries.properties()) {
            JsonNode v = e.getValue();
            try {
                if (!v.isObject() || v.size() != 2 || !v.path("version").isString()
                        || !v.path("integrity").isString()) {
                    throw new IllegalArgumentException("must be {\"version\": ..., \"integrity\": ...}");
                }
                out.put(e.getKey(), new PackagePin(v.path("version").asString(), v.path("integrity").asString()));
            } catch (IllegalArgumentException ex) {
                throw new PinFileException("pin file " + source + ": packages." + quote(e.getKey()) + " "
                        + ex.getMessage());
            }
        }
        return out;
    }

    /** The pins of one kind, identity → digest, sorted by identity. */
    public Map<String, String> pins(DefinitionKind kind) {
        return pins.get(kind);
    }

    /** The pinned digest of a definition. */
    public Optional<String> digest(DefinitionKind kind, String name) {
        return Optional.ofNullable(pins.get(kind).get(name));
    }

    /** Whether no definition of any kind is pinned. */
    public boolean isEmpty() {
        return pins.values().stream().allMatch(Map::isEmpty);
    }

    /** A copy with {@code name} pinned at {@code digest}. */
    public PinFile with(DefinitionKind kind, String name, String digest) {
        Objects.requireNonNull(name, "name");
        if (!DefinitionDigest.isWellFormed(digest)) {
            throw new IllegalArgumentException("not a digest: " + abbreviate(String.valueOf(digest)));
        }
        EnumMap<DefinitionKind, Map<String, String>> m = new EnumMap<>(pins);
        Map<String, String> kindPins = new TreeMap<>(m.get(kind));
        kindPins.put(name, digest);
        m.put(kind, kindPins);
        return new PinFile(m, packages);
    }

    /** A copy without the pin of {@code name}. */
    public PinFile without(DefinitionKind kind, String name) {
        if (!pins.get(kind).containsKey(name)) {
            return this;
        }
        EnumMap<DefinitionKind, Map<String, String>> m = new EnumMap<>(pins);
        Map<String, String> kindPins = new TreeMap<>(m.get(kind));
        kindPins.remove(name);
        m.put(kind, kindPins);
        return new PinFile(m, packages);
    }

    /** The pinned npm packages, by name, sorted. */
    public Map<String, PackagePin> packages() {
        return packages;
    }

    /** The pin of the npm package {@code name}. */
    public Optional<PackagePin> packagePin(String name) {
        return Optional.ofNullable(packages.get(name));
    }

    /** A copy with the npm package {@code name} pinned at {@code pin}. */
    public PinFile withPackage(String name, PackagePin pin) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pin, "pin");
        Map<String, PackagePin> p = new TreeMap<>(packages);
        p.put(name, pin);
        return new PinFile(pins, p);
    }

    /** The file's text in its stable format. */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"version\": ").append(VERSION);
        for (DefinitionKind kind : DefinitionKind.values()) {
            sb.append(",\n  ").append(quote(kind.pinKey())).append(": {");
            Map<String, String> kindPins = pins.get(kind);
            if (!kindPins.isEmpty()) {
                boolean first = true;
                for (Map.Entry<String, String> pin : kindPins.entrySet()) {
                    sb.append(first ? "\n" : ",\n").append("    ").append(quote(pin.getKey())).append(": ")
                            .append(quote(pin.getValue()));
                    first = false;
                }
                sb.append("\n  ");
            }
            sb.append('}');
        }
        if (!packages.isEmpty()) {
            sb.append(",\n  \"packages\": {");
            boolean first = true;
            for (Map.Entry<String, PackagePin> e : packages.entrySet()) {
                sb.append(first ? "\n" : ",\n").append("    ").append(quote(e.getKey())).append(": {\"version\": ")
                        .append(quote(e.getValue().version())).append(", \"integrity\": ")
                        .append(quote(e.getValue().integrity())).append('}');
                first = false;
            }
            sb.append("\n  }");
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    /** Writes the file atomically (a sibling temporary file moved into place). */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PinFile p && p.pins.equals(pins) && p.packages.equals(packages);
    }

    @Override
    public int hashCode() {
        return pins.hashCode() * 31 + packages.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }

    /** A JSON string literal of {@code s}, ASCII only. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append('"').toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String location(JacksonException e) {
        var loc = e.getLocation();
        return loc == null || loc.getLineNr() < 0 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
