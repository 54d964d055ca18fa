package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a detection could not read the whole output, delimiting is not enough: text and structure are datamarked. */
class UnscannedMarkingTest {

    static final Detection UNREAD = new Detection(false, 0, List.of(OutputGuardStage.UNSCANNED));
    static final Detection READ = new Detection(false, 0, List.of());

    @Test
    void delimitedTextAndStructuredStringsAreDatamarkedWhenTheMiddleWasNotRead() {
        assertThat(OutputGuardStage.textMode(Spotlighter.Mode.DELIMIT, UNREAD)).isEqualTo(Spotlighter.Mode.DATAMARK);
        assertThat(OutputGuardStage.structuredMarking(Marking.DELIMIT, UNREAD)).isEqualTo(Marking.DATAMARK);
    }

    @Test
    void otherwiseTheConfiguredMarkingHolds() {
        assertThat(OutputGuardStage.textMode(Spotlighter.Mode.DELIMIT, READ)).isEqualTo(Spotlighter.Mode.DELIMIT);
        assertThat(OutputGuardStage.structuredMarking(Marking.DELIMIT, READ)).isEqualTo(Marking.DELIMIT);
        assertThat(OutputGuardStage.textMode(Spotlighter.Mode.ENCODE, UNREAD)).isEqualTo(Spotlighter.Mode.ENCODE);
        assertThat(OutputGuardStage.structuredMarking(Marking.VERBATIM, UNREAD)).as("an explicit machine value")
                .isEqualTo(Marking.VERBATIM);
    }
}
