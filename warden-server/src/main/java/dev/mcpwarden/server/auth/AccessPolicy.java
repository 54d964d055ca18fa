package dev.mcpwarden.server.auth;

/**
 * Whether a principal may use a tool, prompt or resource at all. A target the policy denies is invisible in lists
 * and answered exactly like a missing one, so its existence does not leak. Scopes are checked separately, with a
 * step-up challenge.
 */
@FunctionalInterface
public interface AccessPolicy {

    /** What is being accessed. */
    enum Kind { TOOL, PROMPT, RESOURCE }

    boolean permits(Principal principal, Kind kind, String name);

    AccessPolicy ALLOW_ALL = (p, k, n) -> true;
}
