/**
 * Content guards: input guards that vet one argument value before a tool runs ({@link
 * dev.mcpwarden.security.guard.PathGuard}, {@link dev.mcpwarden.security.guard.ShellArgumentGuard}, {@link
 * dev.mcpwarden.security.guard.UrlGuard} and the SSRF-safe {@link dev.mcpwarden.security.guard.SafeHttpFetcher}),
 * output guards that find and redact secrets and personal data in a tool result ({@link
 * dev.mcpwarden.security.guard.SecretDetector}, {@link dev.mcpwarden.security.guard.PiiDetector}, {@link
 * dev.mcpwarden.security.guard.Redactor}), and the handling of untrusted content ({@link
 * dev.mcpwarden.security.guard.Spotlighter}, {@link dev.mcpwarden.security.guard.PromptInjectionDetector}).
 *
 * <p>Every guard is immutable and thread-safe. Decisions are values ({@link dev.mcpwarden.security.guard.Verdict});
 * their reasons are meant for the audit log and never repeat a secret.
 */
package dev.mcpwarden.security.guard;
