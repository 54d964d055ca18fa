package dev.mcpwarden.authserver.store;

/** The outcome of presenting a refresh token. */
public sealed interface RefreshRotation {
    /** It was the family's current token; the new token replaces it. */
    record Rotated(Grant grant) implements RefreshRotation {
    }

    /** It was an earlier token of the family: the family is now revoked. */
    record Reused(Grant grant) implements RefreshRotation {
    }

    /** Unknown, revoked or expired. */
    record Invalid() implements RefreshRotation {
    }
}
