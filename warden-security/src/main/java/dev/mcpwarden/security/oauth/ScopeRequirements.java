package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.pipeline.Target;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Scopes required by configuration, per method and per tool, prompt or resource, in addition to those a tool
 * declares itself. Immutable: each method returns new requirements, so requirements handed to a resource server
 * cannot change under it.
 *
 * <pre>{@code
 * ScopeRequirements scopes = ScopeRequirements.none()
 *         .method("prompts/list", "prompts:read")
 *         .tool("delete_ticket", "tickets:admin");
 * }</pre>
 */
public final class ScopeRequirements {

    private static final ScopeRequirements NONE = new ScopeRequirements(Map.of(), Map.of());

    private final Map<String, Set<String>> byMethod;
    private final Map<String, Set<String>> byTarget;

    private ScopeRequirements(Map<String, Set<String>> byMethod, Map<String, Set<String>> byTarget) {
        this.byMethod = Map.copyOf(byMethod);
        this.byTarget = Map.copyOf(byTarget);
    }

    /** No requirements beyond the scopes tools declare. */
    public static ScopeRequirements none() {
        return NONE;
    }

    /** These requirements, and every request of {@code method} needs {@code scopes}. */
    public ScopeRequirements method(String method, String... scopes) {
        return new ScopeRequirements(with(byMethod, method, scopes), byTarget);
    }

    public ScopeRequirements tool(String name, String... scopes) {
        return target(Target.Kind.TOOL, name, scopes);
    }

    public ScopeRequirements prompt(String name, String... scopes) {
        return target(Target.Kind.PROMPT, name, scopes);
    }

    /** A resource URI, or a resource template's URI template. */
    public ScopeRequirements resource(String uriOrTemplate, String... scopes) {
        return target(Target.Kind.RESOURCE, uriOrTemplate, scopes)
                .target(Target.Kind.RESOURCE_TEMPLATE, uriOrTemplate, scopes);
    }

    private ScopeRequirements target(Target.Kind kind, String name, String... scopes) {
        return new ScopeRequirements(byMethod, with(byTarget, kind + "\u0000" + name, scopes));
    }

    private static Map<String, Set<String>> with(Map<String, Set<String>> map, String key, String... scopes) {
        Map<String, Set<String>> next = new HashMap<>(map);
        Set<String> all = new LinkedHashSet<>(next.getOrDefault(key, Set.of()));
        all.addAll(Set.of(scopes));
        next.put(key, java.util.Collections.unmodifiableSet(all));
        return next;
    }

    Set<String> forMethod(String method) {
        return byMethod.getOrDefault(method, Set.of());
    }

    Set<String> forTarget(Target.Kind kind, String name) {
        return byTarget.getOrDefault(kind + "\u0000" + name, Set.of());
    }
}
