package dev.mcpwarden.gateway;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.PoisoningFinding;
import dev.mcpwarden.security.integrity.PoisoningScanner;
import dev.mcpwarden.security.integrity.Severity;
import dev.mcpwarden.server.pipeline.Target;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads one kind of an upstream's definitions as the gateway serves them: bounded in number, each with its identity,
 * judged by the poisoning scanner (withheld at the configured severity, and told to the audit log), filtered by the
 * upstream's include and exclude lists, and renamed with its prefix.
 */
final class DefinitionReader {

    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    private static final PoisoningScanner SCANNER = PoisoningScanner.standard();

    private DefinitionReader() {
    }

    /**
     * @param knownTools the upstream's tools as last read, which a prompt or template may name (a tool list names
     *                   its own)
     */
    /**
     * The definitions of one kind as served, and how long they stay fresh: a 2026-07-28 upstream's {@code ttlMs}, a
     * 2025 upstream's configured TTL ({@link UpstreamConfig.Cache#legacyTtl()}), and for a kind the upstream does not
     * offer the same configured TTL, at least a minute (it is offered again only by a restarted upstream, which is
     * read again whole).
     */
    record Listed(List<Upstream.Item> items, java.time.Duration ttl) {
    }

    static Listed read(McpClient client, UpstreamConfig config, Target.Kind kind,
                                    List<Upstream.Item> knownTools, WithheldDefinitions withheld)
            throws McpClientException {
        McpClient.Listing listing = client.listing(switch (kind) {
            case TOOL -> McpClient.Kind.TOOLS;
            case PROMPT -> McpClient.Kind.PROMPTS;
            case RESOURCE -> McpClient.Kind.RESOURCES;
            case RESOURCE_TEMPLATE -> McpClient.Kind.RESOURCE_TEMPLATES;
        });
        List<JsonNode> listed = listing.items();
        java.time.Duration legacy = config.cache().legacyTtl();
        java.time.Duration ttl = !listing.offered() ? max(legacy, java.time.Duration.ofMinutes(1))
                : listing.hinted() ? java.time.Duration.ofMillis(listing.ttlMillis()) : legacy;
        if (ttl.compareTo(UpstreamConfig.Cache.MAX_TTL) > 0) {
            ttl = UpstreamConfig.Cache.MAX_TTL;
        }
        if (listed.size() > Upstream.MAX_DEFINITIONS) {
            throw new IllegalStateException("it lists " + listed.size() + " " + kind.word()
                    + " definitions, more than the " + Upstream.MAX_DEFINITIONS + " the gateway accepts");
        }
        String name = config.name();
        String key = Upstream.identityKey(kind);
        DefinitionKind scanned = DefinitionKind.of(kind);
        List<String> toolNames = kind == Target.Kind.TOOL
                ? listed.stream().map(d -> d.path("name").asString("")).toList()
                : knownTools.stream().map(Upstream.Item::original).toList();
        List<Upstream.Item> out = new ArrayList<>(listed.size());
        for (JsonNode d : listed) {
            if (!(d instanceof ObjectNode o) || !o.path(key).isString() || o.path(key).asString().isEmpty()) {
                LOG.warn("upstream {} listed a {} without a \"{}\"; it is not served", name, kind.word(), key);
                continue;
            }
            String original = o.get(key).asString();
            if (scanned != null && config.withholdPoisoned().isPresent()) {
                Severity threshold = config.withholdPoisoned().get();
                List<PoisoningFinding> findings = SCANNER.scan(scanned, o, toolNames);
                Severity worst = PoisoningScanner.highest(findings);
                if (worst != null && worst.atLeast(threshold)) {
                    List<String> why = findings.stream().filter(f -> f.severity().atLeast(threshold))
                            .map(f -> f.kind().name()).distinct().toList();
                    LOG.warn("upstream {}: the {} '{}' is not served: the poisoning scanner rates it {} ({})", name,
                            kind.word(), original, worst, why);
                    withheld.withheld(scanned, original, Definition.of(scanned, o).digest(),
                            "the poisoning scanner rates it " + worst + " " + why);
                    continue;
                }
                withheld.served(scanned, original);
            }
            boolean named = kind == Target.Kind.TOOL || kind == Target.Kind.PROMPT;
            if (named && !config.serves(original)) {
                continue;
            }
            UpstreamConfig.ToolTransform transform = kind == Target.Kind.TOOL ? config.transforms().get(original)
                    : null;
            ObjectNode json = transform == null ? o.deepCopy() : ToolTransformer.definition(o, transform);
            String exposed = named ? config.exposed(original) : original;
            json.put(key, exposed);
            out.add(new Upstream.Item(original, exposed, json));
        }
        return new Listed(List.copyOf(out), ttl);
    }

    private static java.time.Duration max(java.time.Duration a, java.time.Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
