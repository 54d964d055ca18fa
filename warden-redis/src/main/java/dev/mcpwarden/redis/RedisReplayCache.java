package dev.mcpwarden.redis;

import dev.mcpwarden.security.replay.ReplayCache;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
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

    private final io.lettuce.core.resource.ClientResources resources;
    private final RedisClient client;
    private final String prefix;
    private volatile StatefulRedisConnection<String, String> connection;

    /**
     * @param redisUri e.g. {@code redis://127.0.0.1:6379}
     * @param timeout  how long one check may wait for Redis
     */
    public RedisReplayCache(String redisUri, Duration timeout) {
        this(RedisURI.create(redisUri), timeout, PREFIX);
    }

    /** With the URI already parsed (and a password set on it, never written into a URL string). */
    RedisReplayCache(RedisURI uri, Duration timeout, String prefix) {
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.prefix = prefix;
        uri.setTimeout(timeout);
        this.resources = SharedRedis.resources();
        this.client = RedisClient.create(resources, uri);
        // commands issued while disconnected fail at once instead of queueing: a replay check must not wait
        // behind a reconnect
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (connection == null) {
                try {
                    connection = client.connect();
                } catch (RuntimeException e) {
                    throw new ReplayCacheUnavailable("cannot connect to Redis: " + e.getMessage(), e);
                }
            }
            return connection;
        }
    }

    @Override
    public boolean firstSeen(String key, Duration ttl) {
        if (!ttl.isPositive()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        String answer;
        try {
            // PX rounds down to whole milliseconds; at least one, or Redis refuses the command
            answer = connection().sync().set(prefix + digest(key), "1",
                    SetArgs.Builder.nx().px(Math.max(1, ttl.toMillis())));
        } catch (ReplayCacheUnavailable e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ReplayCacheUnavailable("Redis did not answer: " + e.getClass().getSimpleName(), e);
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
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown();
        resources.shutdown();
    }
}
