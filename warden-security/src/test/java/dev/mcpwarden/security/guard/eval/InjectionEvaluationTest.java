package dev.mcpwarden.security.guard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.guard.HeuristicInjectionDetector;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InjectionEvaluationTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "held-out"})
    void theHeuristicDetectorStopsNineteenInTwentyAttacksAndFlagsAtMostOneBenignTextInAHundred(String set) {
        InjectionScore score = InjectionEvaluation.bundled(set).score(HeuristicInjectionDetector.standard());
        System.out.println(score.summary());
        assertThat(score.recallWithSpotlighting()).as(described(score, score.missed()))
                .isGreaterThanOrEqualTo(0.95);
        assertThat(score.falsePositiveRate()).as(described(score, score.flagged()))
                .isLessThanOrEqualTo(0.01);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "held-out"})
    void theHeuristicDetectorAloneFindsMoreThanFourInFiveAttacks(String set) {
        InjectionScore score = InjectionEvaluation.bundled(set).score(HeuristicInjectionDetector.standard());
        assertThat(score.detectionRecall()).as(described(score, score.missed()))
                .isGreaterThanOrEqualTo(0.85);
    }

    /** The figures, and for the dev set the cases: a held-out failure names none, so nobody tunes against them. */
    private static String described(InjectionScore score, java.util.List<String> ids) {
        return score.set().endsWith("held-out") ? score.summary() : score.summary() + " " + ids;
    }

    @Test
    void theBundledSetsHoldThreeHundredAttacksAndThreeHundredBenignTextsInFifteenLanguages() {
        var dev = InjectionEvaluation.bundled("dev").cases();
        var heldOut = InjectionEvaluation.bundled("held-out").cases();
        var all = new java.util.ArrayList<>(dev);
        all.addAll(heldOut);
        assertThat(all.stream().filter(InjectionCase::attack).count()).isGreaterThanOrEqualTo(300);
        assertThat(all.stream().filter(c -> !c.attack()).count()).isGreaterThanOrEqualTo(300);
        assertThat(all.stream().map(InjectionCase::id).distinct().count()).isEqualTo(all.size());
        Set<String> languages = all.stream().filter(InjectionCase::attack).map(InjectionCase::language)
                .collect(Collectors.toSet());
        assertThat(languages).contains("en", "de", "fr", "es", "pt", "it", "nl", "ru", "zh", "ja", "ko", "ar", "hi",
                "tr", "pl");
        Map<String, Long> classes = all.stream().filter(InjectionCase::attack)
                .collect(Collectors.groupingBy(InjectionCase::kind, Collectors.counting()));
        assertThat(classes).containsOnlyKeys("override", "paraphrase", "tool-coercion", "exfiltration", "beacon",
                "tag-directive", "role-play", "obfuscation");
        assertThat(heldOut.size()).isGreaterThanOrEqualTo(all.size() / 5);
        assertThat(InjectionEvaluation.bundled("dev").tools()).contains("delete_ticket", "get_customer");
    }

    @Test
    void anUnknownBundledSetIsRefusedWithTheNamesOfTheOthers() {
        assertThatThrownBy(() -> InjectionEvaluation.bundled("test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no bundled injection set test; the sets are [dev, held-out]");
    }
}
