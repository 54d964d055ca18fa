package dev.mcpwarden.security.oauth;

import dev.mcpwarden.security.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Sender-constrained tokens with DPoP (RFC 9449), per deployment.
 *
 * <p>Nonces are stateless: each names a five-minute window and is signed (HMAC-SHA256) with a key, and is good in
 * its window and the next. With {@code nonceSecret} the key is that secret, so every replica given the same secret
 * accepts the nonces of every other (a client moving between replicas behind a load balancer is not asked for a
 * new nonce each time); without it each process draws a random key at start and its nonces are its own.
 *
 * @param mode         {@link Mode#OPTIONAL}: both bearer and DPoP tokens; {@link Mode#REQUIRED}: DPoP only
 * @param requireNonce whether proofs must carry a server-issued nonce ({@code DPoP-Nonce})
 * @param proofWindow  how old (or how far in the future) a proof's {@code iat} may be
 * @param nonceSecret  the key nonces are signed with, shared by the replicas (at least 32 bytes, e.g. 32 random
 *                     bytes in base64); empty: a random key of this process
 * @param proofsPerKey the most proofs one key (one token binding) may have remembered per replay window (two proof
 *                     windows), counted before a proof is recorded so one caller cannot fill the replay cache; 429
 *                     beyond. {@value #PROOFS_PER_KEY} by default (about 83 a second with a 60 s window)
 */
public record Dpop(Mode mode, boolean requireNonce, Duration proofWindow, Optional<Secret> nonceSecret,
                   int proofsPerKey) {

    /** The default of {@code proofsPerKey}. */
    public static final int PROOFS_PER_KEY = 10_000;

    /** How DPoP is used. */
    public enum Mode { OPTIONAL, REQUIRED }

    /** The shortest nonce secret: as many bytes as the HMAC-SHA256 output, so the key is not the weak link. */
    public static final int MIN_NONCE_SECRET_BYTES = 32;

    public Dpop {
        if (mode == null) {
            throw new IllegalArgumentException("mode must be set");
        }
        if (!proofWindow.isPositive() || proofWindow.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("proofWindow must be between 0 and 5 minutes, was " + proofWindow);
        }
        Objects.requireNonNull(nonceSecret, "nonceSecret (use Optional.empty() for a key of this process)");
        if (nonceSecret.isPresent()
                && nonceSecret.get().reveal().getBytes(StandardCharsets.UTF_8).length < MIN_NONCE_SECRET_BYTES) {
            throw new IllegalArgumentException("the DPoP nonce secret from " + nonceSecret.get().origin()
                    + " must be at least " + MIN_NONCE_SECRET_BYTES + " bytes");
        }
        if (proofsPerKey < 1) {
            throw new IllegalArgumentException("proofsPerKey must be positive, was " + proofsPerKey);
        }
    }

    /** With the default {@link #PROOFS_PER_KEY}. */
    public Dpop(Mode mode, boolean requireNonce, Duration proofWindow, Optional<Secret> nonceSecret) {
        this(mode, requireNonce, proofWindow, nonceSecret, PROOFS_PER_KEY);
    }

    /** Without a shared nonce secret (nonces of this process only). */
    public Dpop(Mode mode, boolean requireNonce, Duration proofWindow) {
        this(mode, requireNonce, proofWindow, Optional.empty());
    }

    public static Dpop optional() {
        return new Dpop(Mode.OPTIONAL, false, Duration.ofSeconds(60));
    }

    public static Dpop required(boolean requireNonce) {
        return new Dpop(Mode.REQUIRED, requireNonce, Duration.ofSeconds(60));
    }

    /** The same, with nonces signed by {@code secret}: give every replica the same one. */
    public Dpop withNonceSecret(Secret secret) {
        return new Dpop(mode, requireNonce, proofWindow, Optional.of(Objects.requireNonNull(secret, "secret")),
                proofsPerKey);
    }
}
