package dev.mcpwarden.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {

    private static Stage<String, String> recording(String name, List<String> log) {
        return (exchange, chain) -> {
            log.add(name + ":before");
            String r = chain.proceed(exchange + "|" + name);
            log.add(name + ":after");
            return r;
        };
    }

    @Test
    void stagesRunInDeclaredOrderAndTerminalRunsLast() {
        List<String> log = new ArrayList<>();
        Pipeline<String, String> p = Pipeline.of(
                List.of(recording("a", log), recording("b", log), recording("c", log)),
                e -> {
                    log.add("terminal");
                    return "done(" + e + ")";
                });
        assertThat(p.run("x")).isEqualTo("done(x|a|b|c)");
        assertThat(log).containsExactly("a:before", "b:before", "c:before", "terminal", "c:after", "b:after",
                "a:after");
    }

    @Test
    void aStageThatAnswersItselfShortCircuits() {
        List<String> log = new ArrayList<>();
        Stage<String, String> answering = (exchange, chain) -> {
            log.add("gate");
            return "refused " + exchange;
        };
        Pipeline<String, String> p = Pipeline.of(List.of(recording("a", log), answering, recording("c", log)), e -> {
            log.add("terminal");
            return "done";
        });
        assertThat(p.run("x")).isEqualTo("refused x|a");
        assertThat(log).containsExactly("a:before", "gate", "a:after");
    }

    @Test
    void aStageThatRejectsStopsThePipeline() {
        List<String> log = new ArrayList<>();
        Stage<String, String> rejecting = (exchange, chain) -> {
            throw Rejection.forbidden("Forbidden origin");
        };
        Pipeline<String, String> p = Pipeline.of(List.of(rejecting, recording("b", log)), e -> {
            log.add("terminal");
            return "done";
        });
        Rejection r = catchThrowableOfType(Rejection.class, () -> p.run("x"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(-32600);
        assertThat(r.getMessage()).isEqualTo("Forbidden origin");
        assertThat(log).isEmpty();
    }

    @Test
    void aPipelineWithoutStagesRunsTheTerminal() {
        Pipeline<Integer, Integer> p = Pipeline.of(List.of(), e -> e * 2);
        assertThat(p.run(21)).isEqualTo(42);
        assertThat(p.stages()).isEmpty();
    }

    @Test
    void stagesListIsAnImmutableCopyInRunOrder() {
        List<String> log = new ArrayList<>();
        Stage<String, String> a = recording("a", log);
        Stage<String, String> b = recording("b", log);
        List<Stage<String, String>> declared = new ArrayList<>(List.of(a, b));
        Pipeline<String, String> p = Pipeline.of(declared, e -> e);
        declared.clear();
        assertThat(p.stages()).containsExactly(a, b);
        assertThat(p.run("x")).isEqualTo("x|a|b");
    }

    @Test
    void aStageThatHandsTheRequestOnTwiceFailsNamingItselfAndTheRestRunsOnce() {
        List<String> log = new ArrayList<>();
        Stage<String, String> twice = new Stage<>() {
            @Override
            public String apply(String e, Chain<String, String> chain) {
                chain.proceed(e);
                return chain.proceed(e);
            }

            @Override
            public String name() {
                return "retrying";
            }
        };
        Pipeline<String, String> p = Pipeline.of(List.of(twice), e -> {
            log.add("terminal");
            return "done";
        });
        assertThatThrownBy(() -> p.run("x")).isInstanceOf(IllegalStateException.class)
                .hasMessage("stage retrying handed the request on twice");
        assertThat(log).containsExactly("terminal");
    }

    @Test
    void onALevelOfValuesAStageThatAnswersNullFailsNamingItself() {
        Stage<String, String> silent = new Stage<>() {
            @Override
            public String apply(String e, Chain<String, String> chain) {
                return null;
            }

            @Override
            public String name() {
                return "silent";
            }
        };
        assertThatThrownBy(() -> Pipeline.ofValues(List.of(silent), e -> "done").run("x"))
                .isInstanceOf(IllegalStateException.class).hasMessage("stage silent answered null");
        assertThat(Pipeline.of(List.of(silent), e -> "done").run("x")).isNull();
    }
}
