package dev.mcpwarden.server.backend;

import dev.mcpwarden.server.dispatch.ChangeListener;
import dev.mcpwarden.server.pipeline.Target;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a {@link Backend} defines now: its tools, prompts, resources and resource templates, each as it lists it. The
 * pipeline's authorization and integrity stages decide on these, so they apply to any backend, local or remote.
 * Implementations are live views: each call answers from the backend's current definitions.
 */
public interface Definitions {

    /**
     * One definition.
     *
     * @param kind           what it is
     * @param name           its identity: a tool's or prompt's name, a resource's URI, a template's URI template
     * @param json           the definition as the backend lists it (shared: never modify it)
     * @param requiredScopes the scopes the backend itself requires for it (a local tool's declared scopes)
     */
    record Entry(Target.Kind kind, String name, ObjectNode json, Set<String> requiredScopes) {
        public Entry {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(json, "json");
            requiredScopes = Set.copyOf(requiredScopes);
        }
    }

    /** Every definition of a kind, in the backend's listing order. */
    List<Entry> list(Target.Kind kind);

    /** The definition of a kind with this identity. */
    Optional<Entry> find(Target.Kind kind, String name);

    /**
     * What serves a resource URI: the static resource with that URI, else the first template that matches it (as a
     * {@link Target.Kind#RESOURCE_TEMPLATE} entry), else nothing.
     */
    Optional<Entry> resolveResource(String uri);

    /** Follows changes of the definitions (list changes and resource updates). */
    void addListener(ChangeListener listener);

    void removeListener(ChangeListener listener);

    /**
     * The entry a target names, resolving a resource URI to its template where a template serves it; empty when the
     * backend defines no such thing.
     */
    default Optional<Entry> resolve(Target target) {
        return target.kind() == Target.Kind.RESOURCE ? resolveResource(target.name())
                : find(target.kind(), target.name());
    }
}
