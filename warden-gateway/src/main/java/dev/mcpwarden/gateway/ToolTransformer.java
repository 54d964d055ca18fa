package dev.mcpwarden.gateway;

import dev.mcpwarden.core.json.CanonicalJson;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.auth.Principal;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies an upstream tool's {@link UpstreamConfig.ToolTransform}: to its definition as listed, to a caller's
 * arguments before the upstream sees them, and to the result before the caller (and the output guards) see it.
 */
final class ToolTransformer {

    /** Where a transformed definition carries the digest of the upstream's own, so that the pins hold both. */
    static final String UPSTREAM_DIGEST = "dev.mcpwarden/upstreamDefinition";

    private ToolTransformer() {
    }

    /** The definition clients see: renamed, re-described, its schema without the arguments the gateway sets. */
    static ObjectNode definition(ObjectNode upstream, UpstreamConfig.ToolTransform t) {
        ObjectNode d = upstream.deepCopy();
        t.description().ifPresent(desc -> d.put("description", desc));
        ObjectNode meta = d.get("_meta") instanceof ObjectNode m ? m : d.putObject("_meta");
        meta.put(UPSTREAM_DIGEST, digest(upstream));
        ObjectNode schema = d.get("inputSchema") instanceof ObjectNode s ? s : d.putObject("inputSchema");
        if (!schema.has("type")) {
            schema.put("type", "object");
        }
        ObjectNode props = schema.get("properties") instanceof ObjectNode p ? p : schema.putObject("properties");
        Set<String> hidden = new java.util.HashSet<>(t.fixed().keySet());
        hidden.addAll(t.fromPrincipal().keySet());
        hidden.addAll(t.removed());
        hidden.forEach(props::remove);
        if (schema.get("required") instanceof ArrayNode required) {
            ArrayNode kept = Json.array();
            required.forEach(r -> {
                if (!hidden.contains(r.asString(""))) {
                    kept.add(r);
                }
            });
            schema.set("required", kept);
        }
        for (Map.Entry<String, JsonNode> e : t.defaults().entrySet()) {
            ObjectNode p = props.get(e.getKey()) instanceof ObjectNode o ? o : props.putObject(e.getKey());
            p.set("default", e.getValue().deepCopy());
        }
        for (Map.Entry<String, UpstreamConfig.Constraint> e : t.constraints().entrySet()) {
            ObjectNode p = props.get(e.getKey()) instanceof ObjectNode o ? o : props.putObject(e.getKey());
            UpstreamConfig.Constraint c = e.getValue();
            if (!c.allowed().isEmpty()) {
                ArrayNode values = p.putArray("enum");
                c.allowed().forEach(values::add);
            }
            c.pattern().ifPresent(re -> p.put("pattern", "^(?:" + re + ")$"));
            if (c.maxLength() > 0) {
                int upstreamMax = p.path("maxLength").asInt(Integer.MAX_VALUE);
                p.put("maxLength", Math.min(upstreamMax, c.maxLength()));
            }
            if (!c.pathRoots().isEmpty()) {
                p.put("description", (p.path("description").asString("") + " (under "
                        + String.join(", ", c.pathRoots()) + ")").strip());
            }
        }
        return d;
    }

    /**
     * The arguments sent upstream: the caller's, refused when it sends an argument the gateway sets or removed, or
     * one that breaks a tightened constraint (null included); defaults filled in where the caller left the argument
     * out or gave null; then fixed values and the caller's own attributes.
     *
     * @throws McpError -32602 naming the tool (as the caller knows it) and the argument
     */
    static ObjectNode arguments(JsonNode callerArgs, UpstreamConfig.ToolTransform t, Principal principal,
                                String tool, JsonNode servedDefinition) {
        JsonNode listed = servedDefinition.path("inputSchema").path("properties");
        ObjectNode args = callerArgs instanceof ObjectNode o ? o.deepCopy() : Json.object();
        for (Iterator<String> it = args.propertyNames().iterator(); it.hasNext(); ) {
            String name = it.next();
            if (t.fixed().containsKey(name) || t.fromPrincipal().containsKey(name)) {
                throw McpError.invalidParams("Invalid params: the argument '" + name + "' of tool " + tool
                        + " is set by the gateway, not by the caller");
            }
            // only the arguments the served schema lists: no look-alike of a hidden one ("Tenant", "tenant ")
            // reaches an upstream that might read it
            if (t.removed().contains(name) || !listed.has(name)) {
                throw McpError.invalidParams("Invalid params: tool " + tool + " has no argument '" + name + "'");
            }
        }
        // a defaulted argument given as null is the default: null is no value the caller chose, and an upstream
        // told "null" might take it for "none" or "all"
        Set<String> filled = new java.util.HashSet<>();
        t.defaults().forEach((name, value) -> {
            JsonNode given = args.get(name);
            if (given == null || given.isNull()) {
                args.set(name, value.deepCopy());
                filled.add(name);
            }
        });
        for (Map.Entry<String, UpstreamConfig.Constraint> e : t.constraints().entrySet()) {
            JsonNode v = args.get(e.getKey());
            if (v == null || filled.contains(e.getKey())) {
                continue; // absent, or the operator's default: not the caller's value
            }
            if (v.isNull()) {
                // null would pass every string check unseen and reach the upstream as "no constraint"
                throw McpError.invalidParams("Invalid params: the argument '" + e.getKey() + "' of tool " + tool
                        + " must not be null");
            }
            check(tool, e.getKey(), v, e.getValue());
        }
        t.fixed().forEach((name, value) -> args.set(name, value.deepCopy()));
        t.fromPrincipal().forEach((name, field) -> {
            String value = switch (field) {
                case TENANT -> principal.tenant();
                case SUBJECT -> Principal.ANONYMOUS.equals(principal) ? null : principal.subject();
                case CLIENT -> principal.clientId();
            };
            if (value == null || value.isEmpty()) {
                throw McpError.invalidParams("Invalid params: tool " + tool + " needs the caller's "
                        + field.name().toLowerCase(java.util.Locale.ROOT) + ", and this caller has none");
            }
            args.put(name, value);
        });
        return args;
    }

    private static void check(String tool, String name, JsonNode v, UpstreamConfig.Constraint c) {
        String prefix = "Invalid params: the argument '" + name + "' of tool " + tool;
        boolean stringConstraint = !c.allowed().isEmpty() || c.pattern().isPresent() || c.maxLength() > 0
                || !c.pathRoots().isEmpty();
        if (stringConstraint && !v.isString()) {
            throw McpError.invalidParams(prefix + " must be a string");
        }
        String s = v.asString();
        if (!c.allowed().isEmpty() && !c.allowed().contains(s)) {
            throw McpError.invalidParams(prefix + " must be one of " + c.allowed());
        }
        if (c.maxLength() > 0 && s.codePointCount(0, s.length()) > c.maxLength()) {
            throw McpError.invalidParams(prefix + " is longer than " + c.maxLength() + " characters");
        }
        if (c.pattern().isPresent() && !Pattern.compile(c.pattern().get()).matcher(s).matches()) {
            throw McpError.invalidParams(prefix + " does not match " + c.pattern().get());
        }
        if (!c.pathRoots().isEmpty() && !under(s, c.pathRoots())) {
            throw McpError.invalidParams(prefix + " must be a path under " + String.join(", ", c.pathRoots()));
        }
    }

    /**
     * Whether {@code path}, absolute and normalized, lies under one of {@code roots}: a relative path is refused (the
     * upstream would resolve it against a directory the gateway does not know).
     */
    static boolean under(String path, java.util.List<String> roots) {
        if (!path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0 || path.startsWith("~")
                || path.contains("%")) {
            return false; // no escapes the upstream might decode or expand after this check
        }
        Path p;
        try {
            p = Path.of(path).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
        for (String root : roots) {
            if (p.startsWith(Path.of(root))) {
                return true;
            }
        }
        return false;
    }

    /** The result the caller sees: the dropped fields removed, or only the kept ones (and {@code isError}). */
    static ObjectNode result(ObjectNode result, UpstreamConfig.ToolTransform t) {
        if (t.dropResult().isEmpty() && t.keepResult().isEmpty()) {
            return result;
        }
        ObjectNode out;
        if (!t.keepResult().isEmpty()) {
            out = Json.object();
            for (String keep : t.keepResult()) {
                copy(result, out, JsonPointer.compile(keep));
            }
            for (String always : new String[] {"isError", "resultType"}) {
                if (result.has(always)) {
                    out.set(always, result.get(always));
                }
            }
        } else {
            out = result.deepCopy();
        }
        for (String drop : t.dropResult()) {
            remove(out, JsonPointer.compile(drop));
        }
        if (out.get("content") instanceof ArrayNode content) {
            out.set("content", content(content, out.get("structuredContent")));
        }
        return out;
    }

    /** What a caller sees of a filtered result's text when the result has no structured content to mirror. */
    static final String WITHHELD = "(text withheld by the gateway: this tool's result is filtered)";

    /**
     * The content blocks of a result a drop or keep rule applies to. The rules name fields of the structured
     * content, but the same fields may be anywhere in the text (a mirror, a fenced or prefixed copy, an embedded
     * resource), where no rule can find them; so no text of the upstream's reaches the caller: the first block that
     * can carry text (text, embedded resource, resource link, a kind unknown here) becomes a text block of the
     * rewritten structured content's JSON (or {@link #WITHHELD} without one), the others are removed, and images and
     * audio are kept.
     */
    private static ArrayNode content(ArrayNode upstream, JsonNode structured) {
        ArrayNode kept = Json.array();
        boolean textWritten = false;
        for (JsonNode block : upstream) {
            String type = block.path("type").asString("");
            if ("image".equals(type) || "audio".equals(type)) {
                kept.add(block);
            } else if (!textWritten) { // text, a resource, a link or a block of a kind unknown here: all can carry text
                kept.addObject().put("type", "text").put("text", structured == null ? WITHHELD
                        : Json.standard().text(structured));
                textWritten = true;
            }
        }
        return kept;
    }

    private static void remove(JsonNode root, JsonPointer ptr) {
        if (ptr.matches()) {
            return;
        }
        JsonNode parent = root.at(ptr.head());
        JsonPointer last = ptr.last();
        if (parent instanceof ObjectNode o) {
            o.remove(last.getMatchingProperty());
        } else if (parent instanceof ArrayNode a && last.getMatchingIndex() >= 0 && last.getMatchingIndex() < a.size()) {
            a.remove(last.getMatchingIndex());
        }
    }

    /** Copies the value at {@code ptr} of {@code from} to the same place in {@code to}, making objects on the way. */
    private static void copy(JsonNode from, ObjectNode to, JsonPointer ptr) {
        JsonNode value = from.at(ptr);
        if (value.isMissingNode() || ptr.matches()) {
            return;
        }
        ObjectNode at = to;
        JsonNode src = from;
        JsonPointer p = ptr;
        while (!p.tail().matches()) {
            String key = p.getMatchingProperty();
            src = src.path(key);
            if (!src.isObject()) { // into an array: the whole array is kept
                at.set(key, src.deepCopy());
                return;
            }
            at = at.get(key) instanceof ObjectNode o ? o : at.putObject(key);
            p = p.tail();
        }
        at.set(p.getMatchingProperty(), value.deepCopy());
    }

    private static String digest(JsonNode definition) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(CanonicalJson.utf8(definition)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
