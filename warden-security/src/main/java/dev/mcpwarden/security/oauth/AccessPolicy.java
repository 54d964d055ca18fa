package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.auth.Access;
import dev.mcpwarden.server.auth.Principal;

/**
 * Whether a principal may use a tool, prompt or resource at all. A target the policy denies is invisible in lists
 * and answered exactly like a missing one. (Scopes are separate: a caller with too few scopes gets a step-up
 * challenge instead.) The security-controls stage will supply rule-based policies; this is the hook.
 */
@FunctionalInterface
public interface AccessPolicy {

    boolean permits(Principal principal, Access.Kind kind, String name);

    AccessPolicy ALLOW_ALL = (p, k, n) -> true;
}
