package dev.mcpwarden.server.backend;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.protocol.MetaKeys;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.ServerOptions;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The 2026-07-28 wire's envelope of a result, and its {@code server/discover} answer, written the same way by every
 * backend (the runtime's dispatcher and the gateway's federation).
 */
public final class Envelope {

    /** Methods whose complete results carry caching hints. */
    public static final Set<String> CACHEABLE = Set.of("server/discover", "tools/list", "prompts/list",
            "resources/list", "resources/templates/list", "resources/read");

    private Envelope() {
    }

    /**
     * Completes a 2026-07-28 result in place: {@code resultType} when absent ({@code complete}), and on a cacheable
     * method's complete result the caching hints of {@code options} unless the result carries its own.
     */
    public static ObjectNode modern(String method, ObjectNode result, ServerOptions options) {
        if (!result.has("resultType")) {
            result.put("resultType", "complete");
        }
        if (CACHEABLE.contains(method) && "complete".equals(result.path("resultType").asString(""))
                && !result.has("ttlMs")) {
            result.put("ttlMs", options.cacheTtl().toMillis());
            result.put("cacheScope", options.cacheScope().wire());
        }
        return result;
    }

    /** The {@code server/discover} result: every supported revision, the capabilities, instructions, serverInfo. */
    public static ObjectNode discover(ObjectNode capabilities, String instructions, ObjectNode serverInfo) {
        ObjectNode r = Json.object();
        ArrayNode versions = r.putArray("supportedVersions");
        ProtocolVersion.allIds().forEach(versions::add);
        r.set("capabilities", capabilities);
        if (instructions != null) {
            r.put("instructions", instructions);
        }
        r.putObject("_meta").set(MetaKeys.SERVER_INFO, serverInfo);
        return r;
    }
}
