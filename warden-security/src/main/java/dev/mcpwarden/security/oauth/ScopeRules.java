package dev.mcpwarden.security.oauth;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Scopes required by configuration, in addition to those a tool declares itself: per JSON-RPC method, and per tool,
 * prompt and resource (a resource URI or a resource template's URI template). The immutable counterpart of
 * {@link ScopeRequirements}.
 *
 * @param methods   scopes by method, e.g. {@code tools/call}
 * @param tools     scopes by tool name
 * @param prompts   scopes by prompt name
 * @param resources scopes by resource URI or URI template
 */
public record ScopeRules(Map<String, Set<String>> methods, Map<String, Set<String>> tools,
                         Map<String, Set<String>> prompts, Map<String, Set<String>> resources) {

    public ScopeRules {
        methods = checked("method", methods);
        tools = checked("tool", tools);
        prompts = checked("prompt", prompts);
        resources = checked("resource", resources);
    }

    /** No scopes beyond those tools declare. */
    public static ScopeRules none() {
        return new ScopeRules(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** The same rules as a {@link ScopeRequirements} for {@code ResourceServer.Builder#scopes}. */
    public ScopeRequirements toRequirements() {
        ScopeRequirements r = ScopeRequirements.none();
        for (Map.Entry<String, Set<String>> e : methods.entrySet()) {
            r = r.method(e.getKey(), e.getValue().toArray(String[]::new));
        }
        for (Map.Entry<String, Set<String>> e : tools.entrySet()) {
            r = r.tool(e.getKey(), e.getValue().toArray(String[]::new));
        }
        for (Map.Entry<String, Set<String>> e : prompts.entrySet()) {
            r = r.prompt(e.getKey(), e.getValue().toArray(String[]::new));
        }
        for (Map.Entry<String, Set<String>> e : resources.entrySet()) {
            r = r.resource(e.getKey(), e.getValue().toArray(String[]::new));
        }
        return r;
    }

    private static Map<String, Set<String>> checked(String what, Map<String, Set<String>> in) {
        Objects.requireNonNull(in, what + " scopes");
        Map<String, Set<String>> out = new TreeMap<>();
        in.forEach((name, scopes) -> {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + " name must not be blank, was '" + name + "'");
            }
            if (scopes == null || scopes.isEmpty()) {
                throw new IllegalArgumentException(what + " " + name + ": at least one scope is required");
            }
            for (String s : scopes) {
                if (!isScopeToken(s)) {
                    throw new IllegalArgumentException(what + " " + name
                            + ": a scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 3.3),"
                            + " was '" + s + "'");
                }
            }
            out.put(name, Set.copyOf(scopes));
        });
        return Map.copyOf(out);
    }

    /** RFC 6749 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ). */
    static boolean isScopeToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
