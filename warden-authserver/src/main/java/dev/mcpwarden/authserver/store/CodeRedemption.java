package dev.mcpwarden.authserver.store;

/** The outcome of presenting an authorization code; exactly one presentation ever gets {@link Redeemed}. */
public sealed interface CodeRedemption {
    /** First use within its lifetime. */
    record Redeemed(CodeGrant grant) implements CodeRedemption {
    }

    /** The code was already used: whatever it issued must be revoked. */
    record Replayed(CodeGrant grant) implements CodeRedemption {
    }

    /** Not known, or expired. */
    record Invalid() implements CodeRedemption {
    }
}
