package dev.mcpwarden.security.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.ratelimit.LimiterConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayCacheTest {

    @Test
    void aKeyIsFirstSeenOnceAndThenNeverAgainWhileItLives() {
        ReplayCache cache = ReplayCache.inMemory();
        assertThat(cache.firstSeen("dpop\u0000a", Duration.ofMinutes(1))).isTrue();
        assertThat(cache.firstSeen("dpop\u0000a", Duration.ofMinutes(1))).isFalse();
        assertThat(cache.firstSeen("dpop\u0000b", Duration.ofMinutes(1))).isTrue();
    }

    @Test
    void aKeyIsForgottenAfterItsOwnTtl() throws Exception {
        ReplayCache cache = ReplayCache.inMemory();
        assertThat(cache.firstSeen("short", Duration.ofMillis(50))).isTrue();
        assertThat(cache.firstSeen("long", Duration.ofMinutes(1))).isTrue();
        Thread.sleep(200);
        assertThat(cache.firstSeen("short", Duration.ofMillis(50))).as("expired").isTrue();
        assertThat(cache.firstSeen("long", Duration.ofMinutes(1))).as("still remembered").isFalse();
    }

    @Test
    void theInMemoryCacheNeverBlocksAndIsBounded() {
        assertThat(ReplayCache.inMemory(10).mayBlock()).isFalse();
        assertThatThrownBy(() -> ReplayCache.inMemory(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replay cache capacity must be between 1 and 100000000, was 0");
        assertThatThrownBy(() -> ReplayCache.inMemory(10).firstSeen("k", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive, was PT0S");
    }

    @Test
    void aLocalStoreSharesNothingSoTheCallerKeepsItsOwnCache() {
        assertThat(ReplayCacheFactory.sharedIn(LimiterConfig.local())).isEmpty();
    }
}
