package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link HeuristicInjectionDetector} and the spotlighting of untrusted text (seeds in
 * {@code InjectionDetectorFuzzTestInputs/}: overrides, tag directives, beacons, invisible and look-alike characters,
 * several languages, benign look-alikes). Invariants: it never throws; the score is in [0, 1]; the verdict is
 * deterministic and agrees with the score and the threshold.
 */
class InjectionDetectorFuzzTest {

    private static final HeuristicInjectionDetector DETECTOR = HeuristicInjectionDetector.standard();

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void theVerdictIsDeterministicAndAScoreInRange(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Detection detection = DETECTOR.detect(text);
        assertThat(detection.score()).isBetween(0.0, 1.0);
        assertThat(DETECTOR.detect(text)).isEqualTo(detection);
        if (detection.attack()) {
            assertThat(detection.signals()).isNotEmpty();
        }
    }
}
