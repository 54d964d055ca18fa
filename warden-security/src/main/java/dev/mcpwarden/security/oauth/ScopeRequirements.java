package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.pipeline.Target;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Scopes required by configuration, per method and per tool, prompt or resource, in addition to those a tool
 * declares itself.
 */
public final class ScopeRequirements {

    private final Map<String, Set<String>> byMethod = new HashMap<>();
    private final Map<String, Set<String>> byTarget = new HashMap<>();

    /** Every request of {@code method} needs {@code scopes}. */
    public ScopeRequirements method(String method, String... scopes) {
        byMethod.computeIfAbsent(method, k -> new LinkedHashSet<>()).addAll(Set.of(scopes));
        return this;
    }

    public ScopeRequirements tool(String name, String... scopes) {
        return target(Target.Kind.TOOL, name, scopes);
    }

    public ScopeRequirements prompt(String name, String... scopes) {
        return target(Target.Kind.PROMPT, name, scopes);
    }

    /** A resource URI, or a resource template's URI template. */
    public ScopeRequirements resource(String uriOrTemplate, String... scopes) {
        target(Target.Kind.RESOURCE, uriOrTemplate, scopes);
        return target(Target.Kind.RESOURCE_TEMPLATE, uriOrTemplate, scopes);
    }

    private ScopeRequirements target(Target.Kind kind, String name, String... scopes) {
        byTarget.computeIfAbsent(kind + "\u0000" + name, k -> new LinkedHashSet<>()).addAll(Set.of(scopes));
        return this;
    }

    Set<String> forMethod(String method) {
        return byMethod.getOrDefault(method, Set.of());
    }

    Set<String> forTarget(Target.Kind kind, String name) {
        return byTarget.getOrDefault(kind + "\u0000" + name, Set.of());
    }

    ScopeRequirements copy() {
        ScopeRequirements c = new ScopeRequirements();
        byMethod.forEach((k, v) -> c.byMethod.put(k, Set.copyOf(v)));
        byTarget.forEach((k, v) -> c.byTarget.put(k, Set.copyOf(v)));
        return c;
    }
}
