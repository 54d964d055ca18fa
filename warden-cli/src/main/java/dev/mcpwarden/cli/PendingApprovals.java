package dev.mcpwarden.cli;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The definitions a running gateway withholds under its pins, beside the pin file ({@code FILE.pending.json}), so that
 * {@code warden pins approve} can show an operator what changed and pin exactly the digest that was reviewed. The pin
 * file holds digests only; this file holds the withheld definitions themselves. Written by the gateway, atomically,
 * each time a withheld decision is first made; read by {@code warden pins approve}, which removes what it approved.
 */
final class PendingApprovals {

    /**
     * One withheld definition.
     *
     * @param pinned     the digest pinned now; null: the definition is new
     * @param live       the digest listed now; null: the pinned definition is no longer listed
     * @param definition the definition listed now; null when it is no longer listed
     */
    record Entry(DefinitionKind kind, String name, String pinned, String live, JsonNode definition) {
        Entry {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }

        /** {@code tools/weather}: how entries are named in output and audit targets alike. */
        String key() {
            return kind.pinKey() + "/" + name;
        }
    }

    private final Path file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private PendingApprovals(Path file) {
        this.file = file;
    }

    /** The pending file of a pin file. */
    static Path of(Path pins) {
        return pins.resolveSibling(pins.getFileName() + ".pending.json");
    }

    /** What {@code file} holds (nothing when it does not exist). */
    static PendingApprovals read(Path file) throws IOException {
        PendingApprovals p = new PendingApprovals(file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return p;
        }
        JsonNode root = Json.standard().parse(text);
        for (JsonNode e : root.path("pending")) {
            DefinitionKind kind = kindOf(e.path("kind").asString(), file);
            JsonNode def = e.path("definition");
            p.put(new Entry(kind, e.path("name").asString(), text(e.path("pinned")), text(e.path("live")),
                    def.isObject() ? def : null));
        }
        return p;
    }

    /** An empty pending file at {@code file}. */
    static PendingApprovals empty(Path file) {
        return new PendingApprovals(file);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    synchronized void put(Entry e) {
        entries.put(e.key(), e);
    }

    synchronized void remove(Entry e) {
        entries.remove(e.key());
    }

    /** Writes the entries atomically (a sibling temporary file moved into place), as the pin file is written. */
    synchronized void write() throws IOException {
        ObjectNode root = Json.object();
        root.put("version", 1);
        ArrayNode list = root.putArray("pending");
        for (Entry e : entries.values()) {
            ObjectNode o = list.addObject();
            o.put("kind", e.kind().pinKey());
            o.put("name", e.name());
            o.put("pinned", e.pinned());
            o.put("live", e.live());
            if (e.definition() != null) {
                o.set("definition", e.definition());
            }
        }
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }

    /** The definition JSON of an entry, when it is a definition the gateway lists. */
    static JsonNode find(List<Definition> listed, DefinitionKind kind, String name) {
        for (Definition d : listed) {
            if (d.kind() == kind && d.name().equals(name)) {
                return d.json();
            }
        }
        return null;
    }

    private static String text(JsonNode n) {
        return n.isString() ? n.asString() : null;
    }

    private static DefinitionKind kindOf(String pinKey, Path file) throws IOException {
        for (DefinitionKind k : DefinitionKind.values()) {
            if (k.pinKey().equals(pinKey)) {
                return k;
            }
        }
        throw new IOException(file + ": unknown kind '" + pinKey + "'");
    }

    static List<Entry> matching(List<Entry> all, List<String> names) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : all) {
            if (names.contains(e.name()) || names.contains(e.key())) {
                out.add(e);
            }
        }
        return out;
    }
}
