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
}
