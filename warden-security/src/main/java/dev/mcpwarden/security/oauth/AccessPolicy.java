package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.auth.Principal;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Whether a principal may use a tool, prompt or resource at all. A target the policy denies is invisible in lists
 * and answered exactly like a missing one. (Scopes are separate: a caller with too few scopes gets a step-up
 * challenge instead.) Rule-based policies written in CEL implement it ({@code dev.mcpwarden.security.policy}); a
 * lambda over {@link #permits} is enough for simple cases.
 */
@FunctionalInterface
public interface AccessPolicy {

    /** Whether {@code principal} may use the target, whatever the arguments. */
    boolean permits(Principal principal, Target.Kind kind, String name);

    /**
     * The decision about one request reaching a target, with the rule that made it (for the audit log).
     *
     * @param method    the MCP method, e.g. {@code tools/call}
     * @param arguments a tool call's arguments; an empty object for other targets
     */
    default Decision decide(Principal principal, Target.Kind kind, String name, String method, JsonNode arguments) {
        return permits(principal, kind, name) ? new Decision(true, "access-policy", null)
                : new Decision(false, "access-policy", "denied by the access policy");
    }

    /** Whether lists show the target, before any arguments are known. */
    default Decision visibility(Principal principal, Target.Kind kind, String name) {
        return decide(principal, kind, name, null, null);
    }

    /**
     * A policy decision.
     *
     * @param allowed whether the request may proceed
     * @param rule    the id of the rule that decided (never null)
     * @param reason  a short explanation for the audit log (not for clients), or null
     */
    record Decision(boolean allowed, String rule, String reason) {
        public Decision {
            Objects.requireNonNull(rule, "rule");
        }
    }

    AccessPolicy ALLOW_ALL = new AccessPolicy() {
        private static final Decision ALLOWED = new Decision(true, "allow-all", null);

        @Override
        public boolean permits(Principal principal, Target.Kind kind, String name) {
            return true;
        }

        @Override
        public Decision decide(Principal principal, Target.Kind kind, String name, String method, JsonNode args) {
            return ALLOWED;
        }
    };
}
