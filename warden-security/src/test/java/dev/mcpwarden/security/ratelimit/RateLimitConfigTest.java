package dev.mcpwarden.security.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimitConfigTest {

    @Test
    void limitNamesMustBeUniqueAcrossRulesAndConcurrencyLimits() {
        RateLimitRule rule = RateLimitRule.toolCallsPerMinutePerPrincipal(300);
        ConcurrencyLimit same = new ConcurrencyLimit(rule.name(), RateLimitRule.Key.PRINCIPAL, 4, Set.of());

        assertThatThrownBy(() -> new RateLimitConfig(List.of(rule), List.of(same), new LimiterConfig.Local(10),
                RateLimitStage.WhenUnavailable.FAIL_CLOSED))
                .hasMessage("limit names must be unique, 'tool-calls-per-principal' repeats");
    }

    @Test
    void noneHasNoLimitsCountsLocallyAndFailsClosed() {
        RateLimitConfig none = RateLimitConfig.none();

        assertThat(none.isEmpty()).isTrue();
        assertThat(none.limiter()).isEqualTo(new LimiterConfig.Local(100_000));
        assertThat(none.whenUnavailable()).isEqualTo(RateLimitStage.WhenUnavailable.FAIL_CLOSED);
        assertThat(new RateLimitConfig(List.of(new RateLimitRule("r", RateLimitRule.Key.TOOL, 1, Duration.ofSeconds(1),
                Set.of())), List.of(), none.limiter(), none.whenUnavailable()).isEmpty()).isFalse();
    }

    @Test
    void redisUrlMustNotCarryAPassword() {
        assertThatThrownBy(() -> new LimiterConfig.Redis(URI.create("redis://user:hunter2@cache:6379"),
                Optional.empty()))
                .hasMessage("redis url must not carry credentials; give the password as a secret reference instead"
                        + " (redis://cache)")
                .message().doesNotContain("hunter2");
    }

    @Test
    void redisUrlMustBeRedis() {
        assertThatThrownBy(() -> new LimiterConfig.Redis(URI.create("http://cache:6379"), Optional.empty()))
                .hasMessage("redis url must be redis://host:port, rediss://host:port or "
                        + "redis-sentinel://host:port#master, was http://cache");
    }

    @Test
    void aClusterLimiterTakesEveryNodeAndASentinelOneItsMaster() {
        var cluster = new LimiterConfig.Redis(List.of(URI.create("redis://a:7000"), URI.create("redis://b:7001")),
                true, Optional.empty(), Optional.empty());
        assertThat(cluster.urls()).hasSize(2);
        assertThat(new LimiterConfig.Redis(URI.create("redis-sentinel://s:26379#mymaster"), Optional.empty()).url())
                .hasToString("redis-sentinel://s:26379#mymaster");
        assertThatThrownBy(() -> new LimiterConfig.Redis(List.of(URI.create("redis://a:7000"),
                URI.create("redis://b:7001")), false, Optional.empty(), Optional.empty()))
                .hasMessage("several Redis URLs are a Cluster's nodes");
        assertThatThrownBy(() -> new LimiterConfig.Redis(List.of(URI.create("redis-sentinel://s:26379#m")), true,
                Optional.empty(), Optional.empty()))
                .hasMessage("a Cluster's nodes are redis:// or rediss:// URLs");
    }

    @Test
    void redisPasswordIsNeverPrinted() {
        var redis = new LimiterConfig.Redis(URI.create("rediss://cache:6380"),
                Optional.of(Secret.of("hunter2", "file:/run/secrets/redis")));

        assertThat(redis.toString()).contains("Secret[file:/run/secrets/redis]").doesNotContain("hunter2");
    }

    @Test
    void localCapacityIsBounded() {
        assertThatThrownBy(() -> new LimiterConfig.Local(0))
                .hasMessage("local limiter capacity must be between 1 and 100000000, was 0");
    }
}
