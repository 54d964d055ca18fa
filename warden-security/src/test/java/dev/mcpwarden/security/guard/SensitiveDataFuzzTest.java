package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the secret and personal-data detectors and the redactor over tool output text (seeds in
 * {@code SensitiveDataFuzzTestInputs/}: one per credential and PII family, plus the crafted repetitions that used
 * to cost super-linear time). Invariants: the detectors never throw and are deterministic; their matches lie within
 * the text, non-empty; redaction is idempotent (redacting redacted text changes nothing) and leaves nothing the
 * detectors still find. The per-input timeout catches super-linear patterns.
 */
class SensitiveDataFuzzTest {

    private static final SecretDetector SECRETS = SecretDetector.standard();
    private static final PiiDetector PII = PiiDetector.all();
    private static final Redactor REDACTOR = Redactor.secretsAndPii();

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void redactionIsIdempotentAndLeavesNothingTheDetectorsFind(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        for (SensitiveDataDetector detector : List.of(SECRETS, PII)) {
            List<TextMatch> matches = detector.scan(text);
            assertThat(detector.scan(text)).isEqualTo(matches);
            for (TextMatch m : matches) {
                assertThat(m.start()).isBetween(0, text.length());
                assertThat(m.end()).isBetween(m.start() + 1, text.length());
            }
        }
        Redactor.RedactedText once = REDACTOR.redactText(text);
        Redactor.RedactedText twice = REDACTOR.redactText(once.text());
        assertThat(twice.text()).as("redacting %s again", once.text()).isEqualTo(once.text());
        assertThat(twice.kinds()).isEmpty();
    }
}
