package dev.mcpwarden.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.audit.Audit;
import dev.mcpwarden.security.audit.AuditTrail;
import dev.mcpwarden.security.guard.Detection;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the controls answer when the transport asks whether a request can run on its I/O thread: no only where the
 * answer comes from memory, yes wherever something remote may be asked.
 */
class NonBlockingDeclarationsTest {

    static final String RESOURCE = "http://127.0.0.1:9/mcp";
    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");

    static Authenticator.RequestHead head(List<String> authorization) {
        return new Authenticator.RequestHead() {
            @Override
            public String method() {
                return "POST";
            }

            @Override
            public String header(String name) {
                List<String> all = headers(name);
                return all.isEmpty() ? null : all.get(0);
            }

            @Override
            public List<String> headers(String name) {
                return name.equalsIgnoreCase("Authorization") ? authorization : List.of();
            }

            @Override
            public String query() {
                return null;
            }

            @Override
            public String url() {
                return RESOURCE;
            }
        };
    }

    static ResourceServer resourceServer(Audit audit) {
        ResourceServerConfig config = ResourceServerConfig.of(URI.create(RESOURCE),
                List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("tickets:read"));
        return ResourceServer.builder(config).build();
    }

    @Test
    void aBearerTokenIsAnsweredFromMemoryOnlyOnceItHasBeenVerified() {
        Authenticator auth = resourceServer(null).authenticator();
        Authenticator.RequestHead request = head(List.of("Bearer " + ISSUER.sign(
                ISSUER.claims("alice", RESOURCE, "tickets:read"))));
        assertThat(auth.mayBlock(request)).isTrue();
        assertThat(auth.authenticate(request).subject()).isEqualTo("alice");
        assertThat(auth.mayBlock(request)).isFalse();
    }

    @Test
    void anAuditedAuthenticatorAnswersAsTheOneItWraps() {
        Authenticator auth = resourceServer(Audit.to(AuditTrail.NONE)).authenticator();
        Authenticator.RequestHead request = head(List.of("Bearer " + ISSUER.sign(
                ISSUER.claims("bob", RESOURCE, "tickets:read"))));
        assertThat(auth.mayBlock(request)).isTrue();
        auth.authenticate(request);
        assertThat(auth.mayBlock(request)).isFalse();
    }

    @Test
    void missingRepeatedOrForeignCredentialsTakeTheOrdinaryPath() {
        Authenticator auth = resourceServer(null).authenticator();
        String token = ISSUER.sign(ISSUER.claims("carol", RESOURCE, "tickets:read"));
        auth.authenticate(head(List.of("Bearer " + token)));
        assertThat(auth.mayBlock(head(List.of()))).isTrue();
        assertThat(auth.mayBlock(head(List.of("Bearer " + token, "Bearer " + token)))).isTrue();
        assertThat(auth.mayBlock(head(List.of("Basic YWxpY2U6c2VjcmV0")))).isTrue();
        assertThat(auth.mayBlock(head(List.of("DPoP " + token)))).isTrue();
    }

    @Test
    void theRateLimitStageMayBlockExactlyWhenItsLimiterMay() {
        List<RateLimitRule> rules = List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(10));
        RateLimiter shared = (rule, key) -> new RateLimiter.Allowed(1); // a store elsewhere: keeps the default
        assertThat(new RateLimitStage(rules, List.of(), new LocalRateLimiter(100, InstantSource.system()),
                RateLimitStage.WhenUnavailable.FAIL_CLOSED).mayBlock()).isFalse();
        assertThat(new RateLimitStage(rules, List.of(), shared, RateLimitStage.WhenUnavailable.FAIL_CLOSED)
                .mayBlock()).isTrue();
    }

    @Test
    void theOutputGuardMayBlockExactlyWhenItsInjectionDetectorMay() {
        assertThat(OutputGuardStage.builder().build().mayBlock()).isFalse();
        assertThat(OutputGuardStage.builder().detector(text -> Detection.clean()).build().mayBlock()).isTrue();
    }

    @Test
    void theAuthorizationAndAuditStagesComputeFromMemory() {
        ResourceServer rs = resourceServer(Audit.to(AuditTrail.NONE));
        assertThat(rs.authorizationStage().mayBlock()).isFalse();
        dev.mcpwarden.server.McpServer.Builder b = dev.mcpwarden.server.McpServer.builder("t", "1")
                .controls(Security.builder(rs).audit(Audit.to(AuditTrail.NONE)).build());
        assertThat(b.tool(dev.mcpwarden.server.tool.Tool.builder("quick").nonBlocking()
                .handler(ctx -> dev.mcpwarden.core.content.ToolResult.text("ok")).build()).build()
                .runsWithoutBlocking("tools/call", "quick")).isTrue();
    }
}
