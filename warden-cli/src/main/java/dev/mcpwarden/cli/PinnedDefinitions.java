package dev.mcpwarden.cli;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The definitions a pin file's digests were taken from, kept beside it ({@code FILE.definitions.json}) so that
 * {@code warden pins approve} can show what a withheld definition was before it changed: the pin file itself holds
 * digests only. Written wherever pins are (warden scan --write-pins, trust on first use, approval) and filled in by the
 * gateway with every definition it serves whose digest matches its pin.
 */
final class PinnedDefinitions {

    private final Path file;
    private final Map<String, JsonNode> byKey = new LinkedHashMap<>();

    private PinnedDefinitions(Path file) {
        this.file = file;
    }

    /** The archive of a pin file. */
    static Path of(Path pins) {
        return pins.resolveSibling(pins.getFileName() + ".definitions.json");
    }

    /** The archive beside {@code pins}; empty when there is none or it cannot be read (it only adds detail). */
    static PinnedDefinitions read(Path pins) {
        PinnedDefinitions d = new PinnedDefinitions(of(pins));
        try {
            JsonNode root = Json.standard().parse(Files.readString(d.file, StandardCharsets.UTF_8));
            root.path("definitions").properties().forEach(e -> d.byKey.put(e.getKey(), e.getValue()));
        } catch (NoSuchFileException e) {
            // none yet
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(PinnedDefinitions.class).warn("ignoring {}: {}", d.file,
                    e.getMessage());
        }
        return d;
    }

    synchronized Optional<JsonNode> get(DefinitionKind kind, String name) {
        return Optional.ofNullable(byKey.get(kind.pinKey() + "/" + name));
    }

    synchronized void put(DefinitionKind kind, String name, JsonNode definition) {
        byKey.put(kind.pinKey() + "/" + name, definition);
    }

    synchronized void putAll(Collection<Definition> definitions) {
        definitions.forEach(d -> put(d.kind(), d.name(), d.json()));
    }

    synchronized void remove(DefinitionKind kind, String name) {
        byKey.remove(kind.pinKey() + "/" + name);
    }

    /** Writes the archive atomically. */
    synchronized void write() throws IOException {
        ObjectNode root = Json.object();
        root.put("version", 1);
        ObjectNode defs = root.putObject("definitions");
        byKey.forEach(defs::set);
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }
}
