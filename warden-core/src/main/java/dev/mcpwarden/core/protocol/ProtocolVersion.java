package dev.mcpwarden.core.protocol;

import java.util.List;
import java.util.Optional;

/** The MCP revisions Warden speaks, newest first, and the era each belongs to. */
public enum ProtocolVersion {
    V2026_07_28("2026-07-28", Era.MODERN),
    V2025_11_25("2025-11-25", Era.LEGACY),
    V2025_06_18("2025-06-18", Era.LEGACY),
    V2025_03_26("2025-03-26", Era.LEGACY);

    /** Modern: stateless, per-request {@code _meta}. Legacy: {@code initialize} and sessions. */
    public enum Era { MODERN, LEGACY }

    private final String id;
    private final Era era;

    ProtocolVersion(String id, Era era) {
        this.id = id;
        this.era = era;
    }

    public String id() {
        return id;
    }

    public Era era() {
        return era;
    }

    public boolean isModern() {
        return era == Era.MODERN;
    }

    public static Optional<ProtocolVersion> parse(String id) {
        for (ProtocolVersion v : values()) {
            if (v.id.equals(id)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    public static ProtocolVersion latestLegacy() {
        return V2025_11_25;
    }

    public static List<String> modernIds() {
        return List.of(V2026_07_28.id);
    }

    public static List<String> legacyIds() {
        return List.of(V2025_11_25.id, V2025_06_18.id, V2025_03_26.id);
    }

    /** Every supported id, newest first. */
    public static List<String> allIds() {
        return List.of(V2026_07_28.id, V2025_11_25.id, V2025_06_18.id, V2025_03_26.id);
    }
}
