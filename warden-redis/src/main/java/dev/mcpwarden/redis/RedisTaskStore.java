package dev.mcpwarden.redis;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.task.TaskRecord;
import dev.mcpwarden.server.task.TaskStore;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Tasks in Redis, so a task created on one replica is read, updated and cancelled on any other: one JSON document per
 * task under {@code warden:t:{id}}, expiring with the task. A change is a compare-and-set on the whole document (a
 * one-key script, so it works on a cluster too), retried when another replica changed the task meanwhile. What one
 * owner keeps is bounded, counted by the record's {@link TaskRecord#quota() quota} (issuer, subject and tenant, not
 * the client; an anonymous caller's network): a sorted set per owner counts its live tasks, a hash beside it the
 * bytes each keeps, and a change that would take the owner beyond its bytes fails the task instead. Those and the
 * task are separate keys, so the bounds may be exceeded by the changes racing at one instant, never more. The record's
 * owner and quota are digests already: no document names who created it.
 */
final class RedisTaskStore implements TaskStore {

    /** Task ids are minted by Warden (43 base64url characters); anything else names no task. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final int ATTEMPTS = 16;

    // KEYS: task; ARGV: expected document, next document. Keeps the expiry; 0 when another replica changed it first.
    private static final String SWAP = """
            local cur = redis.call('GET', KEYS[1])
            if not cur then return -1 end
            if cur ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
            return 1
            """;

    private final SharedRedis redis;
    private final InstantSource clock;
    private final int maxPerOwner;
    private final long maxBytesPerOwner;

    RedisTaskStore(SharedRedis redis, InstantSource clock, int maxPerOwner, long maxBytesPerOwner) {
        if (maxPerOwner < 1) {
            throw new IllegalArgumentException("maxPerOwner must be at least 1, was " + maxPerOwner);
        }
        if (maxBytesPerOwner < 1024) {
            throw new IllegalArgumentException("maxBytesPerOwner must be at least 1024, was " + maxBytesPerOwner);
        }
        this.redis = redis;
        this.clock = clock;
        this.maxPerOwner = maxPerOwner;
        this.maxBytesPerOwner = maxBytesPerOwner;
    }

    private static String sizesKey(String quota) {
        return ownerKey(quota) + ":bytes";
    }

    static String key(String id) {
        return "warden:t:{" + id + "}";
    }

    private static String ownerKey(String owner) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(owner.getBytes(StandardCharsets.UTF_8));
            return "warden:t:owner:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] document(TaskRecord t) {
        return SharedRedis.utf8(Json.standard().text(t.toStored()));
    }

    @Override
    public void create(TaskRecord task) {
        long now = clock.millis();
        long expires = task.expiresAt().toEpochMilli();
        String owned = ownerKey(task.quota());
        Long live = redis.call(c -> {
            c.zremrangebyscore(owned, Range.create(Double.NEGATIVE_INFINITY, (double) now));
            return c.zcard(owned);
        });
        if (live != null && live >= maxPerOwner) {
            throw new Full("the principal holds " + maxPerOwner + " tasks");
        }
        String ok = redis.call(c -> c.set(key(task.id()), document(task), SetArgs.Builder.nx().pxAt(expires)));
        if (!"OK".equals(ok)) {
            throw new IllegalStateException("task id collision"); // 256 random bits: never in practice
        }
        long bytes = document(task).length;
        String sizes = sizesKey(task.quota());
        redis.call(c -> {
            c.zadd(owned, (double) expires, SharedRedis.utf8(task.id()));
            c.pexpireat(owned, expires);
            c.hset(sizes, task.id(), SharedRedis.utf8(Long.toString(bytes)));
            c.pexpireat(sizes, expires);
            return null;
        });
    }

    /** What the owner's other live tasks keep, in bytes; sizes of tasks no longer live are dropped on the way. */
    private long ownerBytes(String quota, String except) {
        long now = clock.millis();
        String owned = ownerKey(quota);
        String sizes = sizesKey(quota);
        return redis.call(c -> {
            c.zremrangebyscore(owned, Range.create(Double.NEGATIVE_INFINITY, (double) now));
            java.util.Set<String> live = new java.util.HashSet<>();
            c.zrange(owned, 0, -1).forEach(m -> live.add(SharedRedis.string(m)));
            long sum = 0;
            for (var e : c.hgetall(sizes).entrySet()) {
                String id = e.getKey();
                if (!live.contains(id)) {
                    c.hdel(sizes, e.getKey());
                } else if (!id.equals(except)) {
                    sum += Long.parseLong(SharedRedis.string(e.getValue()));
                }
            }
            return sum;
        });
    }

    @Override
    public Optional<TaskRecord> find(String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        byte[] doc = redis.call(c -> c.get(key(id)));
        return read(doc);
    }

    private Optional<TaskRecord> read(byte[] doc) {
        if (doc == null) {
            return Optional.empty();
        }
        TaskRecord t = TaskRecord.fromStored(Json.standard().parse(SharedRedis.string(doc)));
        return t.expired(clock.instant()) ? Optional.empty() : Optional.of(t);
    }

    @Override
    public Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        for (int i = 0; i < ATTEMPTS; i++) {
            byte[] doc = redis.call(c -> c.get(key(id)));
            Optional<TaskRecord> current = read(doc);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            TaskRecord next = change.apply(current.get());
            if (next == current.get()) {
                return current;
            }
            byte[] written = document(next);
            if (Arrays.equals(written, doc)) {
                return Optional.of(next);
            }
            if (written.length > doc.length
                    && ownerBytes(next.quota(), id) + written.length > maxBytesPerOwner) {
                next = current.get().notKept(dev.mcpwarden.server.task.OwnerBytes.message(maxBytesPerOwner),
                        clock.instant());
                written = document(next);
            }
            Long swapped = redis.script(SWAP, ScriptOutputType.INTEGER, new String[] {key(id)}, doc, written);
            if (swapped != null && swapped == 1) {
                long size = written.length;
                String sizes = sizesKey(next.quota());
                redis.call(c -> c.hset(sizes, id, SharedRedis.utf8(Long.toString(size))));
                return Optional.of(next);
            }
            if (swapped != null && swapped == -1) {
                return Optional.empty();
            }
        }
        throw new RedisUnavailable("task " + id + " kept changing under " + ATTEMPTS + " attempts", null);
    }
}
