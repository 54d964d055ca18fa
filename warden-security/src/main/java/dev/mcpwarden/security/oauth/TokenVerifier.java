package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.auth.Principal;
import java.time.Instant;

/** Turns an access token into the principal it stands for, or rejects it. */
@FunctionalInterface
public interface TokenVerifier {

    /** A verified token: who it stands for and until when. */
    record Verified(Principal principal, Instant expiresAt) {
    }

    Verified verify(String token) throws TokenRejected;

    /**
     * Whether {@link #verify} would answer {@code token} from memory, without waiting for keys, an introspection
     * endpoint or any other I/O. The safe default is no.
     */
    default boolean answersFromMemory(String token) {
        return false;
    }
}
