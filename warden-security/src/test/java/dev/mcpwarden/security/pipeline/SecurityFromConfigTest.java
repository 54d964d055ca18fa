package dev.mcpwarden.security.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.SecurityConfig;
import dev.mcpwarden.security.audit.AuditConfig;
import dev.mcpwarden.security.guard.InputGuardConfig;
import dev.mcpwarden.security.guard.OutputGuardConfig;
import dev.mcpwarden.security.oauth.AuthenticationConfig;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.ScopeRules;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimitConfig;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.security.ratelimit.RateLimiterFactory;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.FakeClock;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security section of a configuration becomes the same controls the Java builder makes. */
class SecurityFromConfigTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    @TempDir
    Path dir;

    SecurityConfig config(Path policy) {
        AuthenticationConfig authn = AuthenticationConfig.of(ResourceServerConfig.of(
                URI.create("http://127.0.0.1:1/mcp"),
                List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("tickets:read")));
        RateLimitConfig limits = new RateLimitConfig(List.of(new RateLimitRule("two", RateLimitRule.Key.PRINCIPAL, 2,
                Duration.ofHours(1), Set.of("tools/call"))), List.of(), new LimiterConfig.Local(100),
                RateLimitStage.WhenUnavailable.FAIL_CLOSED);
        return new SecurityConfig(authn, ScopeRules.none(), Optional.of(policy), limits, InputGuardConfig.none(),
                OutputGuardConfig.defaults(), Optional.empty(), AuditConfig.none());
    }

    @Test
    void theConfiguredPolicyAndRateLimitRunInTheRecipesOrder() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                version: 1
                rules:
                  - id: readers
                    effect: allow
                    targets: "tool:read"
                    when: "true"
                """);
        McpServer server = McpServer.builder("cfg", "1")
                .controls(Security.from(config(policy), new FakeClock()).build())
                .tool(Tool.builder("read").description("reads").handler(ctx -> ToolResult.text("read")).build())
                .tool(Tool.builder("delete").description("deletes").handler(ctx -> ToolResult.text("gone")).build())
                .build();
        var bob = RecipeTest.user("bob");
        for (int i = 0; i < 3; i++) {
            McpError denied = catchThrowableOfType(McpError.class,
                    () -> server.handle(RecipeTest.toolCall(bob, "delete")));
            assertThat(denied.getMessage()).isEqualTo("Unknown tool: delete");
        }
        server.handle(RecipeTest.toolCall(bob, "read"));
        server.handle(RecipeTest.toolCall(bob, "read"));
        Rejection limited = catchThrowableOfType(Rejection.class, () -> server.handle(RecipeTest.toolCall(bob, "read")));
        assertThat(limited.status()).isEqualTo(429);
    }

    @Test
    void aRedisLimiterWithoutWardenRedisOnTheClassPathNamesTheModuleToAdd() {
        assertThatThrownBy(() -> RateLimiterFactory.of(new LimiterConfig.Redis(URI.create("redis://127.0.0.1:6379"),
                Optional.empty()), new FakeClock()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no rate limiter for redis: add the module that provides it (warden-redis for redis) to "
                        + "the class path");
    }

    @Test
    void aRedisStoreWithoutWardenRedisOnTheClassPathNamesTheModuleForTheReplayCacheToo() {
        assertThatThrownBy(() -> dev.mcpwarden.security.replay.ReplayCacheFactory.sharedIn(new LimiterConfig.Redis(
                URI.create("redis://127.0.0.1:6379"), Optional.empty())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no replay cache for redis: add the module that provides it (warden-redis for redis) to "
                        + "the class path");
    }

    @Test
    void aConfiguredReplicaWritesItsOwnChainNamedByItsId() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\nrules: []\n");
        Security.from(config(policy).withAudit(new AuditConfig(Optional.of(dir.resolve("audit.jsonl")),
                dev.mcpwarden.security.audit.AuditLogOptions.defaults().withReplica("r2"))), new FakeClock()).build();

        assertThat(dir.resolve("audit.jsonl")).doesNotExist();
        assertThat(Files.readAllLines(dir.resolve("audit-r2.jsonl")).get(0))
                .contains("\"outcome\":\"genesis\",\"detail\":{\"alg\":\"SHA-256\",\"checkpoint\":\"kept\",\"format\":1,"
                        + "\"replica\":\"r2\"}");
    }
}
