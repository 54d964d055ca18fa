package dev.mcpwarden.redis;

import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Token buckets shared by every replica through Redis, so a limit of 300 per minute is 300 across the fleet. Each
 * check is one Lua script run atomically by Redis on its own clock (refill, take, answer): one round trip however
 * many replicas and clients contend for one bucket, where a compare-and-swap protocol retries and, with dozens of
 * clients on one principal's bucket, runs out of time. Keys are namespaced and hashed (no subject names in Redis)
 * and expire once the bucket would be full again. When Redis cannot be reached within the timeout,
 * {@link RateLimiterUnavailable} is thrown and the rate-limit stage's fail-open or fail-closed choice applies.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {

    // KEYS: bucket; ARGV: capacity, period in ms. Returns {allowed 0|1, tokens left, ms until the next token}.
    private static final String TAKE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local cap = tonumber(ARGV[1])
            local period = tonumber(ARGV[2])
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(b[1]) or cap
            local ts = tonumber(b[2]) or now
            if now > ts then tokens = math.min(cap, tokens + (now - ts) * cap / period) end
            local allowed = 0
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            else
              wait = math.ceil((1 - tokens) * period / cap)
            end
            redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', math.max(now, ts))
            redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) * period / cap) + 1000)
            return {allowed, math.floor(tokens), wait}
            """;

    private final SharedRedis redis;
    private final String namespace;
    private final boolean owned;

    /**
     * @param redisUri  e.g. {@code redis://127.0.0.1:6379}
     * @param timeout   how long one check may wait for Redis
     * @param namespace key prefix, e.g. {@code warden:rl:}
     */
    public RedisRateLimiter(String redisUri, Duration timeout, String namespace) {
        this(RedisURI.create(redisUri), timeout, namespace);
    }

    /** With the URI already parsed (and a password set on it, never written into a URL string). */
    RedisRateLimiter(RedisURI uri, Duration timeout, String namespace) {
        this.redis = new SharedRedis(List.of(uri), false, timeout);
        this.namespace = namespace;
        this.owned = true;
    }

    /** On a connection someone else owns (and closes): {@link #close} then leaves it open. */
    RedisRateLimiter(SharedRedis shared, String namespace) {
        this(shared, namespace, false);
    }

    /** On {@code shared}; {@code owned}: {@link #close} closes it. */
    RedisRateLimiter(SharedRedis shared, String namespace, boolean owned) {
        this.redis = shared;
        this.namespace = namespace;
        this.owned = owned;
    }

    @Override
    public Decision tryConsume(RateLimitRule rule, String key) {
        List<Object> r;
        try {
            r = redis.script(TAKE, ScriptOutputType.MULTI, new String[] {namespace + rule.name() + ":" + digest(key)},
                    SharedRedis.utf8(Long.toString(rule.capacity())),
                    SharedRedis.utf8(Long.toString(Math.max(1, rule.period().toMillis()))));
        } catch (RedisUnavailable e) {
            throw new RateLimiterUnavailable(e.getMessage(), e);
        }
        long allowed = (Long) r.get(0);
        return allowed == 1 ? new Allowed((Long) r.get(1)) : new Limited(Duration.ofMillis((Long) r.get(2)));
    }

    private static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)), 0, 16);
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
