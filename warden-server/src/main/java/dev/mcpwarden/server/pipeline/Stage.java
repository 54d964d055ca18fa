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

    /**
     * Whether {@link #apply} may block the thread that runs it: wait for I/O (a remote store, a network call), for
     * another thread, or on a lock held for long. A request whose every stage and handler says no runs on the
     * transport's I/O thread, with no hand-off to a virtual thread; one blocking part sends it to a virtual thread.
     * Say no only for stages that compute from memory; when in doubt, keep the default.
     */
    default boolean mayBlock() {
        return true;
    }

    /** A short name for logs and the audit trail. */
    default String name() {
        return getClass().getSimpleName();
    }
}
