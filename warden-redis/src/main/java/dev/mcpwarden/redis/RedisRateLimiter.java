package dev.mcpwarden.redis;

import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Token buckets shared by every replica through Redis (Bucket4j's compare-and-swap protocol over Lettuce), so a
 * limit of 300 per minute is 300 across the fleet. Keys are namespaced and hashed (no subject names in Redis).
 * When Redis cannot be reached within the timeout, {@link RateLimiterUnavailable} is thrown and the rate-limit
 * stage's fail-open or fail-closed choice applies.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {

    private final RedisClient client;
    private final Duration timeout;
    private final String namespace;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile ProxyManager<String> buckets;

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
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.timeout = timeout;
        this.namespace = namespace;
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    private ProxyManager<String> buckets() {
        ProxyManager<String> b = buckets;
        if (b != null) {
            return b;
        }
        synchronized (this) {
            if (buckets == null) {
                try {
                    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
                } catch (RuntimeException e) {
                    throw new RateLimiterUnavailable("cannot connect to Redis: " + e.getMessage(), e);
                }
                buckets = Bucket4jLettuce.casBasedBuilder(connection)
                        .expirationAfterWrite(ExpirationAfterWriteStrategy
                                .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                        .requestTimeout(timeout)
                        .build();
            }
            return buckets;
        }
    }

    @Override
    public Decision tryConsume(RateLimitRule rule, String key) {
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(rule.capacity()).refillGreedy(rule.capacity(), rule.period())
                        .build())
                .build();
        try {
            ConsumptionProbe probe = buckets().builder().build(namespace + rule.name() + ":" + digest(key),
                    () -> config).tryConsumeAndReturnRemaining(1);
            return probe.isConsumed() ? new Allowed(probe.getRemainingTokens())
                    : new Limited(Duration.ofNanos(probe.getNanosToWaitForRefill()));
        } catch (RateLimiterUnavailable e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RateLimiterUnavailable("Redis did not answer: " + e.getClass().getSimpleName(), e);
        }
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
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown();
    }
}
