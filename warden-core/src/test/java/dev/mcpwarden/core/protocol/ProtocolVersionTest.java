package dev.mcpwarden.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProtocolVersionTest {

    @Test
    void parsesEverySupportedId() {
        for (ProtocolVersion v : ProtocolVersion.values()) {
            assertThat(ProtocolVersion.parse(v.id())).contains(v);
        }
    }

    @Test
    void unknownOrNullIdsAreNotParsed() {
        assertThat(ProtocolVersion.parse("2024-11-05")).isEmpty();
        assertThat(ProtocolVersion.parse("2026-07-28 ")).isEmpty();
        assertThat(ProtocolVersion.parse(null)).isEmpty();
    }

    @Test
    void onlyTheNewestRevisionIsModern() {
        assertThat(ProtocolVersion.V2026_07_28.isModern()).isTrue();
        assertThat(ProtocolVersion.V2026_07_28.era()).isEqualTo(ProtocolVersion.Era.MODERN);
        assertThat(ProtocolVersion.V2025_11_25.isModern()).isFalse();
        assertThat(ProtocolVersion.V2025_06_18.era()).isEqualTo(ProtocolVersion.Era.LEGACY);
        assertThat(ProtocolVersion.V2025_03_26.era()).isEqualTo(ProtocolVersion.Era.LEGACY);
    }

    @Test
    void idListsAreNewestFirstAndConsistentWithEras() {
        assertThat(ProtocolVersion.allIds()).containsExactly("2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26");
        assertThat(ProtocolVersion.modernIds()).containsExactly("2026-07-28");
        assertThat(ProtocolVersion.legacyIds()).containsExactly("2025-11-25", "2025-06-18", "2025-03-26");
        for (String id : ProtocolVersion.legacyIds()) {
            assertThat(ProtocolVersion.parse(id).orElseThrow().isModern()).isFalse();
        }
        assertThat(ProtocolVersion.latestLegacy()).isEqualTo(ProtocolVersion.V2025_11_25);
    }
}
