package dev.mcpwarden.server;

/** Who may share a cached result (2026-07-28 caching hints). */
public enum CacheScope {
    /** No user-specific data: any client, gateway or proxy may share it. */
    PUBLIC,
    /** Reusable only within the same authorization context. */
    PRIVATE;

    public String wire() {
        return this == PUBLIC ? "public" : "private";
    }
}
