package dev.mcpwarden.security.guard.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RedactionEvaluationTest {

    @Test
    void everyRedactionRuleFindsItsPositiveExactlyAndLeavesItsNearMissAlone() {
        RedactionEvaluation.Score score = RedactionEvaluation.bundled().score();
        System.out.println(score.summary());
        assertThat(score.failed()).as(score.summary()).isEmpty();
        assertThat(score.cases()).isGreaterThanOrEqualTo(80);
    }

    @Test
    void theSetHasOneCasePerRuleName() {
        var rules = RedactionEvaluation.bundled().cases().stream().map(RedactionCase::rule).collect(Collectors.toList());
        assertThat(rules).doesNotHaveDuplicates();
    }
}
