package dev.mcpwarden.security.policy;

/** What a rule does when its condition holds. */
public enum Effect {
    /** the request is allowed, unless a matching {@link #DENY} rule holds too */
    ALLOW,
    /** the request is denied; deny overrides allow */
    DENY
}
