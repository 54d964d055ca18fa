package dev.mcpwarden.server.pipeline;

import java.util.List;
import java.util.function.Function;

/**
 * An immutable, ordered list of stages ending in a terminal function. The links are built once, so running the
 * pipeline allocates nothing of its own.
 */
public final class Pipeline<E, R> {

    private final List<Stage<E, R>> stages;
    private final Chain<E, R> head;

    private Pipeline(List<Stage<E, R>> stages, Function<E, R> terminal) {
        this.stages = List.copyOf(stages);
        Chain<E, R> next = terminal::apply;
        for (int i = this.stages.size() - 1; i >= 0; i--) {
            Stage<E, R> stage = this.stages.get(i);
            Chain<E, R> rest = next;
            next = exchange -> stage.apply(exchange, rest);
        }
        this.head = next;
    }

    public static <E, R> Pipeline<E, R> of(List<Stage<E, R>> stages, Function<E, R> terminal) {
        return new Pipeline<>(stages, terminal);
    }

    public R run(E exchange) {
        return head.proceed(exchange);
    }

    /** The stages in the order they run. */
    public List<Stage<E, R>> stages() {
        return stages;
    }
}
