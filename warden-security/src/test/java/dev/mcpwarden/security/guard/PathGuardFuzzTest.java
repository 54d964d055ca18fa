package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link PathGuard} with path arguments (seeds in {@code PathGuardFuzzTestInputs/}: traversal in every
 * encoding we know of). Invariants: it never throws; its verdict is deterministic; a value it allows resolves, and
 * only to a path under the root; a refusal is a path-traversal block with a reason.
 */
class PathGuardFuzzTest {

    private static final PathGuard GUARD = PathGuard.under(Path.of("/srv/warden-fuzz-root"));

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anAllowedPathStaysUnderTheRootAndTheVerdictNeverChanges(byte[] input) {
        String value = new String(input, StandardCharsets.UTF_8);
        Verdict verdict = GUARD.check(value);
        assertThat(GUARD.check(value)).isEqualTo(verdict);
        Optional<Path> resolved = GUARD.resolve(value);
        if (verdict instanceof Verdict.Block block) {
            assertThat(block.kind()).isEqualTo(Verdict.Kind.PATH_TRAVERSAL);
            assertThat(resolved).isEmpty();
            return;
        }
        assertThat(resolved).isPresent();
        Path path = resolved.get();
        assertThat(path.isAbsolute()).isTrue();
        assertThat(path.normalize()).isEqualTo(path);
        assertThat(path.startsWith(GUARD.root())).as("%s escapes the root", path).isTrue();
    }
}
