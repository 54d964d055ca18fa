package dev.mcpwarden.server.pipeline;

import java.util.List;
import java.util.function.Function;

/**
 * An immutable, ordered list of stages ending in a terminal function. Each stage may hand the exchange on at most
 * once, and on a level whose results are values (the MCP level) must not answer null: either mistake fails the
 * request at once, naming the stage, instead of running the rest of the pipeline twice or answering nothing.
 */
public final class Pipeline<E, R> {

    private final List<Stage<E, R>> stages;
    private final Chain<E, R> head;

    private Pipeline(List<Stage<E, R>> stages, Function<E, R> terminal, boolean resultsRequired) {
        this.stages = List.copyOf(stages);
        Chain<E, R> next = terminal::apply;
        for (int i = this.stages.size() - 1; i >= 0; i--) {
            Stage<E, R> stage = this.stages.get(i);
            Chain<E, R> rest = next;
            next = exchange -> {
                R result = stage.apply(exchange, new Once<>(stage, rest));
                if (result == null && resultsRequired) {
                    throw new IllegalStateException("stage " + stage.name() + " answered null");
                }
                return result;
            };
        }
        this.head = next;
    }

    /** A pipeline whose stages may answer null (a level whose result is {@code Void}). */
    public static <E, R> Pipeline<E, R> of(List<Stage<E, R>> stages, Function<E, R> terminal) {
        return new Pipeline<>(stages, terminal, false);
    }

    /** A pipeline every stage of which must answer a value. */
    public static <E, R> Pipeline<E, R> ofValues(List<Stage<E, R>> stages, Function<E, R> terminal) {
        return new Pipeline<>(stages, terminal, true);
    }

    /** The rest of the chain as one stage sees it: it can be called once. */
    private static final class Once<E, R> implements Chain<E, R> {
        private final Stage<E, R> stage;
        private final Chain<E, R> rest;
        private boolean called;

        Once(Stage<E, R> stage, Chain<E, R> rest) {
            this.stage = stage;
            this.rest = rest;
        }

        @Override
        public R proceed(E exchange) {
            if (called) {
                throw new IllegalStateException("stage " + stage.name() + " handed the request on twice");
            }
            called = true;
            return rest.proceed(java.util.Objects.requireNonNull(exchange,
                    () -> "stage " + stage.name() + " handed on no request"));
        }
    }

    public R run(E exchange) {
        return head.proceed(exchange);
    }

    /** The stages in the order they run. */
    public List<Stage<E, R>> stages() {
        return stages;
    }
}
