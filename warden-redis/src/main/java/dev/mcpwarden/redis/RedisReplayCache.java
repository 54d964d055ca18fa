package dev.mcpwarden.redis;

import dev.mcpwarden.security.replay.ReplayCache;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * A {@link ReplayCache} in Redis, shared by every replica that uses it: {@code SET key 1 NX PX ttl} records a key
 * only if it is absent, in one atomic command, so exactly one replica sees it first. Keys are SHA-256 hashed under a
 * prefix ({@code warden:replay:} by default), so no proof identifiers or key thumbprints are stored in Redis, and
 * expire by themselves. When Redis cannot be reached within the timeout, {@link ReplayCacheUnavailable} is thrown
 * and the value counts as unchecked: the caller refuses it.
 */
public final class RedisReplayCache implements ReplayCache, AutoCloseable {

    /** The default key prefix. */
    public static final String PREFIX = "warden:replay:";

    private final SharedRedis redis;
    private final String prefix;
    private final boolean owned;

    /**
     * @param redisUri e.g. {@code redis://127.0.0.1:6379}
     * @param timeout  how long one check may wait for Redis
     */
    public RedisReplayCache(String redisUri, Duration timeout) {
        this(new SharedRedis(java.util.List.of(io.lettuce.core.RedisURI.create(redisUri)), false, timeout), PREFIX,
                true);
    }

    /** On {@code redis}; {@code owned}: {@link #close} closes it. */
    RedisReplayCache(SharedRedis redis, String prefix, boolean owned) {
        this.redis = redis;
        this.prefix = prefix;
        this.owned = owned;
    }

    @Override
    public boolean firstSeen(String key, Duration ttl) {
        if (!ttl.isPositive()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        String answer;
        try {
            // PX rounds down to whole milliseconds; at least one, or Redis refuses the command
            answer = redis.call(c -> c.set(prefix + digest(key), new byte[] {1},
                    SetArgs.Builder.nx().px(Math.max(1, ttl.toMillis()))));
        } catch (RedisUnavailable e) {
            throw new ReplayCacheUnavailable(e.getMessage(), e);
        }
        // OK when set, null (a nil reply) when the key was already there
        return "OK".equals(answer);
    }

    static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (owned) {
            redis.close();
        }
    }
}
