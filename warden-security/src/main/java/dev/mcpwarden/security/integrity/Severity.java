package dev.mcpwarden.security.integrity;

/** How serious a {@link PoisoningFinding} is, least first. */
public enum Severity {
    /** Worth knowing; not a sign of an attack by itself. */
    INFO,
    /** Unusual; review when convenient. */
    LOW,
    /** Suspicious; review before pinning. */
    MEDIUM,
    /** Very likely an attack on the model (the scanner's failing threshold). */
    HIGH,
    /** An attack: hidden text, or instructions to read secrets or exfiltrate data. */
    CRITICAL;

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }
}
