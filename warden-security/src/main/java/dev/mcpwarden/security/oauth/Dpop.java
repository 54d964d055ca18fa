package dev.mcpwarden.security.oauth;

import java.time.Duration;

/**
 * Sender-constrained tokens with DPoP (RFC 9449), per deployment.
 *
 * @param mode         {@link Mode#OPTIONAL}: both bearer and DPoP tokens; {@link Mode#REQUIRED}: DPoP only
 * @param requireNonce whether proofs must carry a server-issued nonce ({@code DPoP-Nonce})
 * @param proofWindow  how old (or how far in the future) a proof's {@code iat} may be
 */
public record Dpop(Mode mode, boolean requireNonce, Duration proofWindow) {

    /** How DPoP is used. */
    public enum Mode { OPTIONAL, REQUIRED }

    public Dpop {
        if (mode == null) {
            throw new IllegalArgumentException("mode must be set");
        }
        if (!proofWindow.isPositive() || proofWindow.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("proofWindow must be between 0 and 5 minutes, was " + proofWindow);
        }
    }

    public static Dpop optional() {
        return new Dpop(Mode.OPTIONAL, false, Duration.ofSeconds(60));
    }

    public static Dpop required(boolean requireNonce) {
        return new Dpop(Mode.REQUIRED, requireNonce, Duration.ofSeconds(60));
    }
}
