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
 * owner keeps is bounded: a sorted set per owner (by the owner's digest) counts its live tasks. That count and the
 * task are two keys, so it may be exceeded by the creations racing at one instant, never more.
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

    RedisTaskStore(SharedRedis redis, InstantSource clock, int maxPerOwner) {
        if (maxPerOwner < 1) {
            throw new IllegalArgumentException("maxPerOwner must be at least 1, was " + maxPerOwner);
        }
        this.redis = redis;
        this.clock = clock;
        this.maxPerOwner = maxPerOwner;
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
        String owned = ownerKey(task.owner());
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
        redis.call(c -> {
            c.zadd(owned, (double) expires, SharedRedis.utf8(task.id()));
            c.pexpireat(owned, expires);
            return null;
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
            Long swapped = redis.script(SWAP, ScriptOutputType.INTEGER, new String[] {key(id)}, doc, written);
            if (swapped != null && swapped == 1) {
                return Optional.of(next);
            }
            if (swapped != null && swapped == -1) {
                return Optional.empty();
            }
        }
        throw new RedisUnavailable("task " + id + " kept changing under " + ATTEMPTS + " attempts", null);
    }
}
