package dev.mcpwarden.security;

import dev.mcpwarden.security.audit.AuditConfig;
import dev.mcpwarden.security.guard.InputGuardConfig;
import dev.mcpwarden.security.guard.OutputGuardConfig;
import dev.mcpwarden.security.integrity.IntegrityConfig;
import dev.mcpwarden.security.oauth.AuthenticationConfig;
import dev.mcpwarden.security.oauth.ScopeRules;
import dev.mcpwarden.security.ratelimit.RateLimitConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole security pipeline as one immutable value: what the YAML configuration's {@code security} section binds
 * to, and what a Java program can build by hand.
 *
 * @param authentication how callers authenticate (required: there is no unauthenticated configuration)
 * @param scopes         scopes required per method, tool, prompt and resource beyond those tools declare
 * @param policy         the CEL policy file ({@code PolicySet.load}), or empty for scopes only
 * @param rateLimits     rate and concurrency limits
 * @param inputGuards    checks of tool arguments
 * @param outputGuards   redaction and injection checks of tool results
 * @param integrity      tool integrity (pins), or empty for none
 * @param audit          the audit log
 */
public record SecurityConfig(AuthenticationConfig authentication, ScopeRules scopes, Optional<Path> policy,
                             RateLimitConfig rateLimits, InputGuardConfig inputGuards,
                             OutputGuardConfig outputGuards, Optional<IntegrityConfig> integrity,
                             AuditConfig audit) {

    public SecurityConfig {
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(policy, "policy (use Optional.empty() for none)");
        Objects.requireNonNull(rateLimits, "rateLimits");
        Objects.requireNonNull(inputGuards, "inputGuards");
        Objects.requireNonNull(outputGuards, "outputGuards");
        Objects.requireNonNull(integrity, "integrity (use Optional.empty() for none)");
        Objects.requireNonNull(audit, "audit");
    }

    /** Only authentication: no extra scopes, policy, limits, input guards or pins; secrets redacted; no audit. */
    public static SecurityConfig of(AuthenticationConfig authentication) {
        return new SecurityConfig(authentication, ScopeRules.none(), Optional.empty(), RateLimitConfig.none(),
                InputGuardConfig.none(), OutputGuardConfig.defaults(), Optional.empty(), AuditConfig.none());
    }

    /** This configuration with other authentication (e.g. a resource URI or issuer known only at start). */
    public SecurityConfig withAuthentication(AuthenticationConfig a) {
        return new SecurityConfig(a, scopes, policy, rateLimits, inputGuards, outputGuards, integrity, audit);
    }

    /** This configuration with other input guards (e.g. a path root created at start). */
    public SecurityConfig withInputGuards(InputGuardConfig g) {
        return new SecurityConfig(authentication, scopes, policy, rateLimits, g, outputGuards, integrity, audit);
    }

    /** This configuration with other rate limits (e.g. counted in a Redis named only at start). */
    public SecurityConfig withRateLimits(RateLimitConfig r) {
        return new SecurityConfig(authentication, scopes, policy, r, inputGuards, outputGuards, integrity, audit);
    }

    /** This configuration with another audit log. */
    public SecurityConfig withAudit(AuditConfig a) {
        return new SecurityConfig(authentication, scopes, policy, rateLimits, inputGuards, outputGuards, integrity,
                a);
    }
}
