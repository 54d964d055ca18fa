package dev.mcpwarden.server.task;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where tasks live: in memory for one process ({@link InMemoryTaskStore}), in Redis for many replicas (a task created
 * on one is read, updated and cancelled on any other). Implementations forget a task once it
 * {@linkplain TaskRecord#expired expired} and answer as if it never existed.
 *
 * <p>A store that cannot be reached throws; the request is then answered 503, never with a wrong answer.
 */
public interface TaskStore {

    /**
     * Keeps a new task. Returns only once the task can be read by {@link #find} from any replica (a client may ask for
     * it the moment it learns the id). Throws {@link Full} when the store holds as many tasks as it may, in all or for
     * the record's owner.
     */
    void create(TaskRecord task);

    /** The task of this id, unless unknown or expired. */
    Optional<TaskRecord> find(String id);

    /**
     * Changes a task atomically: {@code change} gets the current record and returns the next (or the same, to change
     * nothing). It may be called more than once when another replica changed the task meanwhile. Returns the record
     * kept, or empty when the task is unknown or expired.
     */
    Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change);

    /** The store holds as many tasks as it may: a new one is refused (503) until some expire. */
    final class Full extends RuntimeException {
        public Full(String message) {
            super(message, null, false, false);
        }
    }
}
