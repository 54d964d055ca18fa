package dev.mcpwarden.server.pipeline;

/**
 * The recipe: every place a stage can take, in the order requests meet them, for both levels, declared here once for
 * the runtime and the gateway alike. A stage of an earlier position sees the request first and the result last.
 * Built-in controls take their fixed positions; user stages may only take the two {@link Slot}s, so nothing can go
 * between authentication and authorization, nor between authorization and the rate limit.
 */
public enum Position {

    // ---- HTTP level: before the body is read as MCP

    /** Records refusals before a call starts, and 2025 session starts and ends. */
    HTTP_EVENTS(Level.HTTP),
    /** Host and Origin against DNS rebinding. */
    HOST_ORIGIN(Level.HTTP),
    /** CORS headers and preflight for allowed browser origins. */
    CORS(Level.HTTP),
    /** {@code Content-Type} (415) and {@code Accept} (406). */
    MEDIA_TYPES(Level.HTTP),
    /** Bearer authentication: 401 with a challenge, or the principal for everything after. */
    AUTHENTICATION(Level.HTTP),
    /** Body size (413). */
    BODY_LIMIT(Level.HTTP),
    /** Strict JSON: duplicate keys and excessive nesting refused. */
    STRICT_JSON(Level.HTTP),

    // ---- MCP level: on the parsed request, its typed target and its principal

    /** One record per request, with what every control below noted. */
    EVENTS(Level.MCP),
    /** Method scopes, then the policy on the target (a denied target is answered like a missing one), then the
     *  target's scopes (403 step-up); lists from the backend are filtered per principal. */
    AUTHORIZATION(Level.MCP),
    /** Pinned definitions: a changed or unpinned one is answered like a missing one and left out of lists. */
    INTEGRITY(Level.MCP),
    /** User stages that need an authorised request (e.g. quotas by tenant, enrichment). */
    AFTER_AUTHORIZATION(Level.MCP),
    /** Rate and concurrency limits: only authorised requests spend a budget. */
    RATE_LIMIT(Level.MCP),
    /** Guards on arguments (paths, shell arguments, URLs). */
    INPUT_GUARDS(Level.MCP),
    /** The tasks extension: a task tool's call goes on, from here, on the task's own thread; tasks/* answered. */
    TASKS(Level.MCP),
    /** Redaction, spotlighting and quarantine of what comes back, including what is streamed. */
    OUTPUT_GUARDS(Level.MCP),
    /** User stages right in front of the backend; their results pass the output guards. */
    BEFORE_BACKEND(Level.MCP);

    /** Which pipeline a position belongs to. */
    public enum Level { HTTP, MCP }

    private final Level level;

    Position(Level level) {
        this.level = level;
    }

    public Level level() {
        return level;
    }

    /** The positions user stages may take. */
    public enum Slot {
        /** After authorization and integrity, before the rate limit. */
        AFTER_AUTHORIZATION(Position.AFTER_AUTHORIZATION),
        /** After the guards, right before the backend. */
        BEFORE_BACKEND(Position.BEFORE_BACKEND);

        private final Position position;

        Slot(Position position) {
            this.position = position;
        }

        public Position position() {
            return position;
        }
    }

    /** Lays out stages by position, in recipe order; stages of one position keep the order they were given in. */
    public static <E, R> java.util.List<Stage<E, R>> layout(java.util.Map<Position, ? extends java.util.List<Stage<E, R>>> byPosition,
                                                         Level level) {
        java.util.List<Stage<E, R>> out = new java.util.ArrayList<>();
        for (Position p : values()) {
            java.util.List<Stage<E, R>> stages = byPosition.get(p);
            if (stages == null) {
                continue;
            }
            if (p.level != level) {
                throw new IllegalArgumentException("position " + p + " is on the " + p.level + " level, not " + level);
            }
            stages.forEach(s -> out.add(java.util.Objects.requireNonNull(s, "stage at " + p)));
        }
        return out;
    }
}
