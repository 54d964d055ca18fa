package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link ShellArgumentGuard} (seeds in {@code ShellArgumentGuardFuzzTestInputs/}). Invariants: it never
 * throws; it is deterministic; an argument it allows is non-empty, within the length limit, does not start with
 * {@code -}, and holds no shell metacharacter, white space or control character, not even once percent-decoded.
 */
class ShellArgumentGuardFuzzTest {

    private static final ShellArgumentGuard GUARD = ShellArgumentGuard.standard();
    private static final String METACHARACTERS = ";|&$`()<>'\"\\*?[]{}!#~^";

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anAllowedArgumentCarriesNothingAShellInterprets(byte[] input) {
        String value = new String(input, StandardCharsets.UTF_8);
        Verdict verdict = GUARD.check(value);
        assertThat(GUARD.check(value)).isEqualTo(verdict);
        if (verdict instanceof Verdict.Block block) {
            assertThat(block.kind()).isEqualTo(Verdict.Kind.SHELL_INJECTION);
            return;
        }
        assertThat(value).isNotEmpty().doesNotStartWith("-");
        assertThat(value.length()).isLessThanOrEqualTo(ShellArgumentGuard.DEFAULT_MAX_LENGTH);
        for (String form : new String[] {value, java.net.URLDecoder.decode(value.replace("+", "%2B")
                .replaceAll("%(?![0-9A-Fa-f]{2})", "%25"), StandardCharsets.ISO_8859_1)}) {
            form.chars().forEach(c -> {
                assertThat(METACHARACTERS.indexOf(c)).as("metacharacter %s in %s", (char) c, value).isNegative();
                assertThat(Character.isISOControl(c) || Character.isWhitespace(c))
                        .as("control or space %s in %s", c, value).isFalse();
            });
        }
    }
}
