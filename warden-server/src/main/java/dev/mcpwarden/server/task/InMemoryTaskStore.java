package dev.mcpwarden.server.task;

import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Tasks in this process's memory, bounded in all and per owner so that no principal can fill it: in tasks, and in the
 * bytes its tasks keep (a change that would take an owner beyond fails the task instead, {@link TaskRecord#notKept}).
 * The owner counted is the record's {@link TaskRecord#quota() quota}: issuer, subject and tenant, never the client, so
 * registering clients gains nothing. Expired tasks are swept when a new one is created and never answered.
 */
public final class InMemoryTaskStore implements TaskStore {

    private final Map<String, TaskRecord> tasks = new ConcurrentHashMap<>();
    /** What each task keeps, in bytes, so a change is judged without measuring every task again. */
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final int maxTasks;
    private final int maxPerOwner;
    private final long maxBytesPerOwner;

    /** 64 MiB: 64 tasks of the largest result by default. */
    public static final long DEFAULT_MAX_BYTES_PER_OWNER = 64L << 20;

    /**
     * @param clock            what decides expiry
     * @param maxTasks         how many tasks it keeps in all
     * @param maxPerOwner      how many one owner may have kept at once
     * @param maxBytesPerOwner how many bytes (as JSON) one owner's tasks may keep at once
     */
    public InMemoryTaskStore(InstantSource clock, int maxTasks, int maxPerOwner, long maxBytesPerOwner) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxTasks < 1 || maxPerOwner < 1 || maxPerOwner > maxTasks) {
            throw new IllegalArgumentException("need 1 <= maxPerOwner <= maxTasks, were " + maxPerOwner + " and "
                    + maxTasks);
        }
        if (maxBytesPerOwner < 1024) {
            throw new IllegalArgumentException("maxBytesPerOwner must be at least 1024, was " + maxBytesPerOwner);
        }
        this.maxTasks = maxTasks;
        this.maxPerOwner = maxPerOwner;
        this.maxBytesPerOwner = maxBytesPerOwner;
    }

    public InMemoryTaskStore(InstantSource clock, int maxTasks, int maxPerOwner) {
        this(clock, maxTasks, maxPerOwner, DEFAULT_MAX_BYTES_PER_OWNER);
    }

    /** 10,000 tasks in all, 1,000 and 64 MiB per owner. */
    public InMemoryTaskStore(InstantSource clock) {
        this(clock, 10_000, 1_000);
    }

    @Override
    public synchronized void create(TaskRecord task) {
        var now = clock.instant();
        tasks.values().removeIf(t -> t.expired(now));
        sizes.keySet().retainAll(tasks.keySet());
        if (tasks.size() >= maxTasks) {
            throw new Full("the task store holds " + maxTasks + " tasks");
        }
        long owned = tasks.values().stream().filter(t -> t.quota().equals(task.quota())).count();
        if (owned >= maxPerOwner) {
            throw new Full("the principal holds " + maxPerOwner + " tasks");
        }
        if (tasks.putIfAbsent(task.id(), task) != null) {
            throw new IllegalStateException("task id collision"); // 256 random bits: never in practice
        }
        sizes.put(task.id(), task.storedBytes());
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
    public synchronized Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change) {
        var now = clock.instant();
        TaskRecord current = tasks.get(id);
        if (current == null || current.expired(now)) {
            tasks.remove(id);
            sizes.remove(id);
            return Optional.empty();
        }
        TaskRecord next = change.apply(current);
        if (next == current) {
            return Optional.of(current);
        }
        long bytes = next.storedBytes();
        if (bytes > sizes.getOrDefault(id, 0L)) {
            long others = tasks.values().stream().filter(t -> t.quota().equals(current.quota()) && t != current)
                    .mapToLong(t -> sizes.getOrDefault(t.id(), 0L)).sum();
            if (others + bytes > maxBytesPerOwner) {
                next = current.notKept(OwnerBytes.message(maxBytesPerOwner), now);
                bytes = next.storedBytes();
            }
        }
        tasks.put(id, next);
        sizes.put(id, bytes);
        return Optional.of(next);
    }

    /** How many tasks it holds now (expired ones included until swept). */
    public int size() {
        return tasks.size();
    }
}
