package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuardConfigTest {

    @TempDir
    Path dir;

    @Test
    void specsCreateTheGuardsTheyName() {
        assertThat(new InputGuardSpec.PathUnder(dir).create()).isInstanceOf(PathGuard.class);
        assertThat(((PathGuard) new InputGuardSpec.PathUnder(dir).create()).root()).isEqualTo(dir.toAbsolutePath());
        assertThat(InputGuardSpec.ShellArgument.standard().create()).isSameAs(ShellArgumentGuard.standard());
        assertThat(new InputGuardSpec.ShellArgument(8).create().check("a;b")).isInstanceOf(Verdict.Block.class);
        assertThat(InputGuardSpec.PublicUrl.standard().create().check("http://169.254.169.254/"))
                .isInstanceOf(Verdict.Block.class);
    }

    @Test
    void shellLengthIsBounded() {
        assertThatThrownBy(() -> new InputGuardSpec.ShellArgument(0))
                .hasMessage("maxLength must be between 1 and 4096, was 0");
    }

    @Test
    void aToolWithoutGuardedArgumentsIsRefused() {
        assertThatThrownBy(() -> new InputGuardConfig(Map.of("fetch", Map.of())))
                .hasMessage("input guards of tool fetch: at least one argument");
    }

    @Test
    void inputGuardConfigBuildsItsStage() {
        InputGuardConfig c = new InputGuardConfig(Map.of("ping", Map.of("host", InputGuardSpec.ShellArgument.standard())));

        assertThat(c.toStage().name()).isEqualTo("input-guards");
        assertThat(InputGuardConfig.none().guards()).isEmpty();
    }

    @Test
    void redactorKindsRedactWhatTheySay() {
        String text = "key AKIAIOSFODNN7EXAMPLE mail jane@example.com";

        assertThat(RedactorKind.SECRETS.create().redactText(text).text()).doesNotContain("AKIAIOSFODNN7EXAMPLE")
                .contains("jane@example.com");
        assertThat(RedactorKind.SECRETS_AND_PII.create().redactText(text).text()).doesNotContain("jane@example.com");
        assertThat(RedactorKind.NONE.create().redactText(text).text()).isEqualTo(text);
    }

    @Test
    void outputGuardDefaultsAreSecretsAndPersonalDataAndTheHeuristicDetector() {
        OutputGuardConfig d = OutputGuardConfig.defaults();

        assertThat(d.redactor()).isEqualTo(RedactorKind.SECRETS_AND_PII);
        assertThat(d.spotlighting()).isEqualTo(SpotlightConfig.defaults());
        assertThat(d.detector().create()).isInstanceOf(HeuristicInjectionDetector.class);
        assertThat(new OutputGuardConfig(RedactorKind.SECRETS, Map.of("c", RedactorKind.SECRETS_AND_PII),
                Set.of("fetch"), new DetectorSpec.Heuristic()).toStage().name()).isEqualTo("output-guards");
    }
}
