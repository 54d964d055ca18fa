package dev.mcpwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.guard.DetectorSpec;
import dev.mcpwarden.security.guard.InputGuardSpec;
import dev.mcpwarden.security.guard.RedactorKind;
import dev.mcpwarden.security.integrity.IntegrityConfig;
import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sample's committed {@code warden.yaml} (a resource beside its code) says what {@code SampleServer.start} wires in code. */
class SampleConfigTest {

    static final Path ROOT = Path.of(System.getProperty("warden.root", "..")).toAbsolutePath().normalize();
    static final Path SAMPLE = ROOT.resolve(
            "examples/sample-server/src/main/resources/dev/mcpwarden/examples/sample/warden.yaml");
    static final Path RESOURCES = ROOT.resolve("examples/sample-server/src/main/resources/dev/mcpwarden/examples/sample");

    @Test
    void sampleConfigurationLoadsWithoutWarnings() {
        WardenConfig.Result r = WardenConfig.check(SAMPLE);

        assertThat(r.problems()).isEmpty();
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void sampleConfigurationIsWhatTheSampleWiresInCode() {
        WardenConfig c = WardenConfig.load(SAMPLE);

        assertThat(c.server().name()).isEqualTo("warden-sample-helpdesk");
        assertThat(c.server().version()).isEqualTo("1.0.0");
        assertThat(c.http()).isEqualTo(dev.mcpwarden.server.http.HttpOptions.loopback(8080));
        var rs = c.security().authentication().resourceServer();
        assertThat(rs.scopesSupported()).isEqualTo(Set.of("tickets:read"));
        assertThat(c.security().policy()).contains(RESOURCES.resolve("warden-policy.yaml"));
        var limits = c.security().rateLimits();
        assertThat(limits.rules()).containsExactly(RateLimitRule.toolCallsPerMinutePerPrincipal(300));
        assertThat(limits.concurrency()).isEmpty();
        assertThat(limits.limiter()).isEqualTo(new LimiterConfig.Local(100_000));
        assertThat(limits.whenUnavailable()).isEqualTo(RateLimitStage.WhenUnavailable.FAIL_CLOSED);
        var guards = c.security().inputGuards().guards();
        assertThat(guards).containsOnlyKeys("read_attachment", "ping_host", "fetch_url");
        assertThat(guards.get("read_attachment").get("path")).isInstanceOf(InputGuardSpec.PathUnder.class);
        assertThat(guards.get("ping_host")).isEqualTo(Map.of("host", InputGuardSpec.ShellArgument.standard()));
        assertThat(guards.get("fetch_url")).isEqualTo(Map.of("url", InputGuardSpec.PublicUrl.standard()));
        var out = c.security().outputGuards();
        assertThat(out.redactor()).isEqualTo(RedactorKind.SECRETS_AND_PII);
        assertThat(out.redactors()).isEmpty();
        // The sample's tools declare what third parties write in their definitions: no list names them here.
        assertThat(out.untrustedTools()).isEmpty();
        assertThat(out.spotlighting()).isEqualTo(dev.mcpwarden.security.guard.SpotlightConfig.defaults());
        assertThat(out.detector()).isEqualTo(new DetectorSpec.Heuristic());
        assertThat(c.security().integrity()).contains(new IntegrityConfig(RESOURCES.resolve("warden-pins.json")));
        assertThat(c.security().audit().file()).isEqualTo(Optional.empty());
    }

    @Test
    void theSampleReplacesWhatIsOnlyKnownAtStart() {
        WardenConfig c = WardenConfig.load(SAMPLE);
        var auth = c.security().authentication();
        var rs = dev.mcpwarden.security.oauth.ResourceServerConfig.of(java.net.URI.create("http://127.0.0.1:4711/mcp"),
                java.util.List.of(dev.mcpwarden.security.oauth.TrustedIssuer.discover("http://127.0.0.1:4711")),
                auth.resourceServer().scopesSupported());

        WardenConfig started = c.withHttp(dev.mcpwarden.server.http.HttpOptions.loopback(4711))
                .withSecurity(c.security().withAuthentication(auth.withResourceServer(rs)));

        assertThat(started.http().port()).isEqualTo(4711);
        assertThat(started.security().authentication().resourceServer().resource().getPort()).isEqualTo(4711);
        assertThat(started.security().rateLimits()).isEqualTo(c.security().rateLimits());
    }
}
