package dev.mcpwarden.cli;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.PoisoningFinding;
import dev.mcpwarden.security.integrity.PoisoningKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Findings of {@code warden scan} a reviewer accepted, committed beside the pin file: each entry names one definition
 * and one rule (a {@link PoisoningKind}) and says why. An allowed finding is still reported, marked as allowed, but
 * neither fails the scan nor stops the pin file being written. Nothing broader exists on purpose: no wildcard, no
 * severity threshold, so a new finding on the same tool, or the same finding on another one, is never waved through.
 *
 * <pre>{@code
 * {"version": 1, "allow": [
 *   {"tool": "read_file", "rule": "TOOL_REFERENCE", "reason": "deprecated alias naming its successor"}
 * ]}
 * }</pre>
 */
final class ScanAllowList {

    /** One accepted finding: the definition, the rule, and the reviewer's reason. */
    record Entry(DefinitionKind kind, String name, PoisoningKind rule, String reason) {
        String describe() {
            return member(kind) + " " + name + " " + rule.name();
        }
    }

    static final ScanAllowList NONE = new ScanAllowList(List.of());

    private static final Map<String, DefinitionKind> MEMBERS = Map.of("tool", DefinitionKind.TOOL,
            "prompt", DefinitionKind.PROMPT, "resourceTemplate", DefinitionKind.RESOURCE_TEMPLATE);

    private final List<Entry> entries;

    private ScanAllowList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    List<Entry> entries() {
        return entries;
    }

    /** The entry accepting {@code finding} on the definition {@code kind}/{@code name}, or null. */
    Entry match(DefinitionKind kind, String name, PoisoningFinding finding) {
        for (Entry e : entries) {
            if (e.kind() == kind && e.name().equals(name) && e.rule() == finding.kind()) {
                return e;
            }
        }
        return null;
    }

    static String member(DefinitionKind kind) {
        return MEMBERS.entrySet().stream().filter(m -> m.getValue() == kind).findFirst().orElseThrow().getKey();
    }

    /** Reads and checks an allow list; every problem is an {@link IllegalArgumentException} naming the entry. */
    static ScanAllowList read(Path file) throws IOException {
        JsonNode doc;
        try {
            doc = Json.standard().parse(Files.readAllBytes(file));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not valid JSON");
        }
        if (!doc.isObject() || !doc.path("version").isNumber() || doc.path("version").asInt() != 1) {
            throw new IllegalArgumentException(file + ": expected {\"version\": 1, \"allow\": [...]}");
        }
        for (String member : doc.propertyNames()) {
            if (!Set.of("version", "allow").contains(member)) {
                throw new IllegalArgumentException(file + ": unknown member '" + member + "'");
            }
        }
        List<Entry> entries = new ArrayList<>();
        int i = 0;
        for (JsonNode e : doc.path("allow")) {
            String where = file + ": allow[" + i++ + "]";
            if (!e.isObject()) {
                throw new IllegalArgumentException(where + " is not an object");
            }
            DefinitionKind kind = null;
            String name = null;
            for (String member : e.propertyNames()) {
                if (MEMBERS.containsKey(member)) {
                    if (kind != null) {
                        throw new IllegalArgumentException(where + " names more than one definition");
                    }
                    kind = MEMBERS.get(member);
                    name = e.get(member).asString("");
                } else if (!Set.of("rule", "reason").contains(member)) {
                    throw new IllegalArgumentException(where + ": unknown member '" + member
                            + "'; expected one of tool, prompt, resourceTemplate, rule, reason");
                }
            }
            if (kind == null || name.isBlank()) {
                throw new IllegalArgumentException(where + " names no definition (tool, prompt or resourceTemplate)");
            }
            PoisoningKind rule;
            try {
                rule = PoisoningKind.valueOf(e.path("rule").asString(""));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(where + ": unknown rule '" + e.path("rule").asString("")
                        + "'; expected one of " + java.util.Arrays.toString(PoisoningKind.values()));
            }
            String reason = e.path("reason").asString("").strip();
            if (reason.isEmpty()) {
                throw new IllegalArgumentException(where + " has no reason: say why the finding is accepted");
            }
            entries.add(new Entry(kind, name, rule, reason));
        }
        return new ScanAllowList(entries);
    }
}
