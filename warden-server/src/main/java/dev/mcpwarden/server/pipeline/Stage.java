package dev.mcpwarden.server.pipeline;

/**
 * One control in the pipeline. A stage either answers itself (returns a value or throws a {@link Rejection}) or
 * hands the exchange on with {@link Chain#proceed}, at most once.
 *
 * @param <E> what flows through the chain
 * @param <R> what comes back
 */
@FunctionalInterface
public interface Stage<E, R> {

    R apply(E exchange, Chain<E, R> chain);

    /** A short name for logs and the audit trail. */
    default String name() {
        return getClass().getSimpleName();
    }
}
