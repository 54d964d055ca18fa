package dev.mcpwarden.security.guard;

import java.util.Objects;

/**
 * The decision of an {@link InputGuard} on one value: {@link Allow} or {@link Block}. The reason of a block is meant
 * for the audit log; it names the rule that fired and never repeats the value itself.
 */
public sealed interface Verdict permits Verdict.Allow, Verdict.Block {

    /** Which family of attack a block stops. */
    enum Kind {
        /** A path that leaves its root (traversal, absolute path, encoded dots, symlink escape). */
        PATH_TRAVERSAL,
        /** A value that would change the meaning of a command line (metacharacters, option injection). */
        SHELL_INJECTION,
        /** A URL that could make the server reach a non-public destination. */
        SSRF,
        /** A value that is malformed or too large to be judged. */
        MALFORMED
    }

    /** The value passes this guard. */
    record Allow() implements Verdict {
        static final Allow INSTANCE = new Allow();
    }

    /**
     * The value is refused.
     *
     * @param kind   the family of attack
     * @param reason a short sentence for the audit log, without the value
     */
    record Block(Kind kind, String reason) implements Verdict {
        public Block {
            Objects.requireNonNull(kind, "kind");
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("reason must not be blank, was '" + reason + "'");
            }
        }
    }

    /** The one {@link Allow} value. */
    static Verdict allow() {
        return Allow.INSTANCE;
    }

    /** A {@link Block} of the given kind. */
    static Block block(Kind kind, String reason) {
        return new Block(kind, reason);
    }

    /** Whether this verdict lets the value through. */
    default boolean allowed() {
        return this instanceof Allow;
    }
}
