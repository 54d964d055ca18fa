package dev.mcpwarden.security.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class RateLimitStageTest {

    final FakeClock clock = new FakeClock();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);

    McpServer server(RateLimitStage stage) {
        return McpServer.builder("rl", "1").controls(Controls.builder().rateLimit(stage).build())
                .tool(Tool.builder("t").description("d").handler(ctx -> ToolResult.text("ok")).build())
                .tool(Tool.builder("slow").description("d").handler(ctx -> {
                    entered.countDown();
                    release.await(5, TimeUnit.SECONDS);
                    return ToolResult.text("slow");
                }).build())
                .build();
    }

    static Principal user(String subject) {
        return new Principal("https://as", subject, "cli", Set.of(), "acme", Set.of(), Map.of());
    }

    static Call call(String subject, String tool) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        Call c = new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(1), "tools/call", p),
                ProtocolVersion.V2026_07_28, null, Json.object(), null, Outbound.NONE);
        c.principal(user(subject));
        return c;
    }

    @Test
    void aPrincipalOverItsLimitGets429WithRetryAfterAndOthersAreUnaffected() {
        McpServer s = server(new RateLimitStage(List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(3)), List.of(),
                new LocalRateLimiter(1000, clock), RateLimitStage.WhenUnavailable.FAIL_CLOSED));
        for (int i = 0; i < 3; i++) {
            s.handle(call("bob", "t"));
        }
        assertThatThrownBy(() -> s.handle(call("bob", "t"))).isInstanceOfSatisfying(Rejection.class, r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.code()).isEqualTo(-32000);
            assertThat(r.getMessage()).isEqualTo("Too Many Requests: rate limit tool-calls-per-principal exceeded");
            assertThat(r.headers().get("Retry-After")).isEqualTo("20");
            assertThat(r.data().get("limit").asString()).isEqualTo("tool-calls-per-principal");
        });
        assertThat(s.handle(call("alice", "t")).get("content").get(0).get("text").asString()).isEqualTo("ok");
    }

    @Test
    void theBuilderNamesThePartsAndFailsClosedByDefault() {
        RateLimiter down = (rule, key) -> {
            throw new RateLimiter.RateLimiterUnavailable("redis down", null);
        };
        McpServer limited = server(RateLimitStage.builder(new LocalRateLimiter(1000, clock))
                .rule(RateLimitRule.toolCallsPerMinutePerPrincipal(1)).build());
        limited.handle(call("bob", "t"));
        assertThatThrownBy(() -> limited.handle(call("bob", "t"))).isInstanceOfSatisfying(Rejection.class,
                r -> assertThat(r.getMessage()).isEqualTo("Too Many Requests: rate limit tool-calls-per-principal exceeded"));
        McpServer closed = server(RateLimitStage.builder(down).rule(RateLimitRule.toolCallsPerMinutePerPrincipal(5))
                .build());
        assertThatThrownBy(() -> closed.handle(call("bob", "t"))).isInstanceOfSatisfying(Rejection.class,
                r -> assertThat(r.status()).isEqualTo(503));
        assertThatThrownBy(() -> RateLimitStage.builder(down).build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("a rate-limit stage needs at least one rule or concurrency limit");
        assertThat(LocalRateLimiter.DEFAULT_MAX_KEYS).isEqualTo(100_000);
    }

    @Test
    void theBucketRefillsOverTime() {
        McpServer s = server(new RateLimitStage(List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(2)), List.of(),
                new LocalRateLimiter(1000, clock), RateLimitStage.WhenUnavailable.FAIL_CLOSED));
        s.handle(call("bob", "t"));
        s.handle(call("bob", "t"));
        assertThatThrownBy(() -> s.handle(call("bob", "t"))).isInstanceOf(Rejection.class);
        clock.advance(Duration.ofSeconds(30));
        assertThat(s.handle(call("bob", "t"))).isNotNull();
    }

    @Test
    void onlyTheListedMethodsAreCounted() {
        RateLimitRule rule = new RateLimitRule("lists", RateLimitRule.Key.PRINCIPAL, 1, Duration.ofMinutes(1),
                Set.of("tools/list"));
        McpServer s = server(new RateLimitStage(List.of(rule), List.of(), new LocalRateLimiter(1000, clock),
                RateLimitStage.WhenUnavailable.FAIL_CLOSED));
        for (int i = 0; i < 5; i++) {
            s.handle(call("bob", "t"));
        }
    }

    @Test
    void anUnreachableLimiterFailsClosedOrOpenAsConfigured() {
        RateLimiter down = (rule, key) -> {
            throw new RateLimiter.RateLimiterUnavailable("redis down", null);
        };
        McpServer closed = server(new RateLimitStage(List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(5)),
                List.of(), down, RateLimitStage.WhenUnavailable.FAIL_CLOSED));
        assertThatThrownBy(() -> closed.handle(call("bob", "t"))).isInstanceOfSatisfying(Rejection.class, r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.getMessage()).isEqualTo("Service Unavailable: the rate limiter cannot be reached");
        });
        McpServer open = server(new RateLimitStage(List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(5)),
                List.of(), down, RateLimitStage.WhenUnavailable.FAIL_OPEN));
        assertThat(open.handle(call("bob", "t")).get("content").get(0).get("text").asString()).isEqualTo("ok");
    }

    @Test
    void aConcurrencyLimitRefusesTheRequestBeyondItAndFreesItsSlot() throws Exception {
        McpServer s = server(new RateLimitStage(List.of(), List.of(new ConcurrencyLimit("one-at-a-time",
                RateLimitRule.Key.PRINCIPAL, 1, Set.of("tools/call"))), new LocalRateLimiter(10, clock),
                RateLimitStage.WhenUnavailable.FAIL_CLOSED));
        Thread slow = Thread.ofVirtual().start(() -> s.handle(call("bob", "slow")));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> s.handle(call("bob", "t"))).isInstanceOfSatisfying(Rejection.class,
                r -> assertThat(r.getMessage()).isEqualTo("Too Many Requests: rate limit one-at-a-time exceeded"));
        release.countDown();
        slow.join(5000);
        assertThat(s.handle(call("bob", "t"))).isNotNull();
    }

    @Test
    void rulesAreValidated() {
        assertThatThrownBy(() -> new RateLimitRule("x", RateLimitRule.Key.PRINCIPAL, 0, Duration.ofMinutes(1), Set.of()))
                .hasMessage("rate limit x: capacity must be at least 1, was 0");
    }
}
