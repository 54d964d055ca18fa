package dev.mcpwarden.security.audit;

/** What an {@link AuditEvent} is about. */
public enum AuditEventType {
    /** A credential was checked: accepted or rejected, with the principal it established. */
    AUTHENTICATION,
    /** An authorization policy allowed or denied a request; the rule and reason go in the detail. */
    POLICY_DECISION,
    /** A rate limit was hit. */
    RATE_LIMIT,
    /** An input or output guard found something (and blocked, redacted or only reported it). */
    GUARD_FINDING,
    /** A tool was called: principal, tool, argument digest, outcome and latency. */
    TOOL_CALL,
    /** A session began, was resumed or ended, or was presented by someone who does not own it. */
    SESSION,
    /** Any other request's outcome: resource reads, prompt gets, lists, and requests refused at the transport. */
    REQUEST,
    /** A tool, prompt or resource template definition was withheld, approved or un-pinned (tool integrity). */
    DEFINITION,
    /**
     * What the gateway verified of an upstream's program before starting it: a package installed from its lockfile
     * or its installed tree checked, or a program's pinned digest (see docs/supply-chain.md).
     */
    SUPPLY_CHAIN,
    /** The audit log's own records: genesis, reopened, closed. */
    INTEGRITY
}
