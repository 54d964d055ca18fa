package dev.mcpwarden.server.auth;

import java.util.Set;

/**
 * What a request may reach. Stages that know the caller (scopes, policies) set it on the call; the dispatcher
 * consults it for every list and before every tool, prompt or resource runs.
 *
 * <p>Three different answers, on purpose: a target that does not {@linkplain #exists exist} for the caller is
 * answered exactly like a missing one (its existence does not leak); one that exists but needs more scopes is
 * {@linkplain #authorize refused} with a step-up challenge (403); lists show only what the caller can use
 * ({@link #listed}).
 */
public interface Access {

    /** What is reached. */
    enum Kind { TOOL, PROMPT, RESOURCE, RESOURCE_TEMPLATE }

    /** False when the target must look missing to this caller. */
    boolean exists(Kind kind, String name);

    /** Whether lists show the target: it exists and the caller holds what it needs. */
    boolean listed(Kind kind, String name, Set<String> declaredScopes);

    /** Called before the target runs; throws a {@link dev.mcpwarden.server.pipeline.Rejection} to refuse. */
    void authorize(Kind kind, String name, Set<String> declaredScopes);

    /** Everything exists and is allowed: requests no stage has restricted. */
    Access OPEN = new Access() {
        @Override
        public boolean exists(Kind kind, String name) {
            return true;
        }

        @Override
        public boolean listed(Kind kind, String name, Set<String> declaredScopes) {
            return true;
        }

        @Override
        public void authorize(Kind kind, String name, Set<String> declaredScopes) {
        }
    };
}
