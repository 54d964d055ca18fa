package dev.mcpwarden.server.task;

import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Tasks in this process's memory, bounded in all and per owner so that no principal can fill it; expired tasks are
 * swept when a new one is created and never answered.
 */
public final class InMemoryTaskStore implements TaskStore {

    private final Map<String, TaskRecord> tasks = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final int maxTasks;
    private final int maxPerOwner;

    /**
     * @param clock       what decides expiry
     * @param maxTasks    how many tasks it keeps in all
     * @param maxPerOwner how many one owner may have kept at once
     */
    public InMemoryTaskStore(InstantSource clock, int maxTasks, int maxPerOwner) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxTasks < 1 || maxPerOwner < 1 || maxPerOwner > maxTasks) {
            throw new IllegalArgumentException("need 1 <= maxPerOwner <= maxTasks, were " + maxPerOwner + " and "
                    + maxTasks);
        }
        this.maxTasks = maxTasks;
        this.maxPerOwner = maxPerOwner;
    }

    /** 10,000 tasks in all, 1,000 per owner. */
    public InMemoryTaskStore(InstantSource clock) {
        this(clock, 10_000, 1_000);
    }

    @Override
    public synchronized void create(TaskRecord task) {
        var now = clock.instant();
        tasks.values().removeIf(t -> t.expired(now));
        if (tasks.size() >= maxTasks) {
            throw new Full("the task store holds " + maxTasks + " tasks");
        }
        long owned = tasks.values().stream().filter(t -> t.owner().equals(task.owner())).count();
        if (owned >= maxPerOwner) {
            throw new Full("the principal holds " + maxPerOwner + " tasks");
        }
        if (tasks.putIfAbsent(task.id(), task) != null) {
            throw new IllegalStateException("task id collision"); // 256 random bits: never in practice
        }
    }

    @Override
    public Optional<TaskRecord> find(String id) {
        TaskRecord t = tasks.get(id);
        if (t == null || t.expired(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(t);
    }

    @Override
    public Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change) {
        var now = clock.instant();
        TaskRecord kept = tasks.computeIfPresent(id, (k, t) -> t.expired(now) ? null : change.apply(t));
        return Optional.ofNullable(kept);
    }

    /** How many tasks it holds now (expired ones included until swept). */
    public int size() {
        return tasks.size();
    }
}
