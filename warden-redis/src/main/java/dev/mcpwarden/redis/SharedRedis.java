package dev.mcpwarden.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis (standalone, Sentinel-managed or a Cluster) shared by every store of a process: one client, one
 * multiplexed connection opened on first use and reopened by Lettuce after a failure, commands refused at once while
 * it is down (never queued), each bounded by the timeout. A failure reaches the caller as {@link RedisUnavailable}.
 */
final class SharedRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedRedis.class);
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final boolean cluster;
    private final Duration timeout;
    private final Map<String, String> digests = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<String, byte[]>> channels = new ConcurrentHashMap<>();
    private volatile StatefulConnection<String, byte[]> connection;
    private volatile RedisClusterCommands<String, byte[]> commands;
    private volatile StatefulConnection<String, String> stringConnection;
    private volatile RedisClusterCommands<String, String> strings;
    private volatile StatefulRedisPubSubConnection<String, byte[]> pubSub;
    private final String livenessKey = "warden:alive:" + java.util.UUID.randomUUID();
    /** Messages in the order received, one at a time, at most 1,000 and 64 MB waiting (beyond, new ones dropped). */
    private final java.util.concurrent.ThreadPoolExecutor deliveries = new java.util.concurrent.ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(1_000),
            Thread.ofVirtual().name("warden-redis-pubsub").factory(), (task, pool) ->
                    LOG.warn("Redis messages arrive faster than they are handled: one was dropped"));
    private static final long MAX_WAITING_BYTES = 64L * 1024 * 1024;
    private final java.util.concurrent.atomic.AtomicLong waitingBytes = new java.util.concurrent.atomic.AtomicLong();
    /** Channels whose subscription failed (Redis was down): subscribed again by the heartbeat. */
    private final java.util.Set<String> unsubscribed = ConcurrentHashMap.newKeySet();
    private volatile long lastPing;
    private volatile boolean lastPingAnswered;
    private Thread heartbeat;

    SharedRedis(List<RedisURI> uris, boolean cluster, Duration timeout) {
        this(uris, cluster, timeout, java.util.Optional.empty());
    }

    /**
     * @param trustedCertificates PEM certificates a {@code rediss://} server's chain must lead to, instead of the
     *                            JVM's trust store (a private CA, as managed Redis services and self-run ones use)
     */
    SharedRedis(List<RedisURI> uris, boolean cluster, Duration timeout,
                java.util.Optional<byte[]> trustedCertificates) {
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (uris.isEmpty() || (!cluster && uris.size() != 1)) {
            throw new IllegalArgumentException(cluster ? "a Redis Cluster needs at least one node"
                    : "a standalone or Sentinel Redis is one URI");
        }
        this.cluster = cluster;
        this.timeout = timeout;
        uris.forEach(u -> u.setTimeout(timeout));
        this.resources = resources();
        if (cluster) {
            RedisClusterClient c = RedisClusterClient.create(resources, uris);
            ClusterClientOptions.Builder o = ClusterClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .socketOptions(SocketOptions.builder().connectTimeout(timeout).build());
            trustedCertificates.ifPresent(pem -> o.sslOptions(ssl(pem)));
            c.setOptions(o.build());
            this.client = c;
        } else {
            RedisClient c = RedisClient.create(resources, uris.getFirst());
            ClientOptions.Builder o = ClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .socketOptions(SocketOptions.builder().connectTimeout(timeout).build());
            trustedCertificates.ifPresent(pem -> o.sslOptions(ssl(pem)));
            c.setOptions(o.build());
            this.client = c;
        }
    }

    /** TLS that trusts exactly the given PEM certificates (and still checks the server's host name). */
    private static SslOptions ssl(byte[] pem) {
        if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("the Redis TLS trust is not PEM certificates "
                    + "(-----BEGIN CERTIFICATE-----)");
        }
        return SslOptions.builder().jdkSslProvider()
                .trustManager(() -> new java.io.ByteArrayInputStream(pem))
                .build();
    }

    /**
     * Client resources whose reconnect attempts are at most a second apart, so service is back within a second or
     * so of Redis (Lettuce's default backs off to 30 seconds). The caller shuts them down.
     */
    static ClientResources resources() {
        return DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * The key that says this process is alive while it exists: renewed every second, gone three seconds after the
     * process died, so other replicas stop waiting for what it was writing.
     */
    String livenessKey() {
        synchronized (this) {
            if (heartbeat == null) {
                try {
                    call(c -> c.psetex(livenessKey, 3000, new byte[] {1})); // alive before its first stream
                } catch (RedisUnavailable e) {
                    // the caller's own command will fail the same way
                }
                heartbeat = Thread.ofVirtual().name("warden-redis-heartbeat").start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            call(c -> c.psetex(livenessKey, 3000, new byte[] {1}));
                        } catch (RedisUnavailable e) {
                            // renewed when Redis is back
                        }
                        unsubscribed.removeIf(this::trySubscribe);
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
        }
        return livenessKey;
    }

    /** Runs commands against Redis; any Redis failure becomes {@link RedisUnavailable}. */
    <T> T call(Function<RedisClusterCommands<String, byte[]>, T> work) {
        try {
            return work.apply(commands());
        } catch (RedisUnavailable e) {
            throw e;
        } catch (RedisException e) {
            throw new RedisUnavailable("Redis did not answer: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Runs a Lua script by its digest, sending its text only when Redis does not know it yet. */
    <T> T script(String script, ScriptOutputType type, String[] keys, byte[]... args) {
        return call(c -> {
            String sha = digests.computeIfAbsent(script, c::digest);
            try {
                return c.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                return c.eval(script, type, keys, args);
            }
        });
    }

    /**
     * Whether Redis answered a PING within the last second (for readiness: an anonymous /readyz costs Redis at most
     * one PING a second per replica).
     */
    boolean ping() {
        long now = System.nanoTime();
        if (now - lastPing < 1_000_000_000L && lastPing != 0) {
            return lastPingAnswered;
        }
        synchronized (this) {
            if (now - lastPing < 1_000_000_000L && lastPing != 0) {
                return lastPingAnswered;
            }
            boolean answered;
            try {
                answered = "PONG".equals(call(RedisClusterCommands::ping));
            } catch (RedisUnavailable e) {
                answered = false;
            }
            lastPingAnswered = answered && unsubscribed.isEmpty();
            lastPing = System.nanoTime();
            return lastPingAnswered;
        }
    }

    /** Publishes to a channel every process sharing this Redis listens on. */
    void publish(String channel, byte[] message) {
        call(c -> c.publish(channel, message));
    }

    /**
     * Delivers every message of {@code channel} to {@code listener} (on a Lettuce thread; keep it short). Subscribes
     * on first use; Lettuce resubscribes after a reconnect.
     */
    void subscribe(String channel, BiConsumer<String, byte[]> listener) {
        channels.put(channel, listener);
        if (!trySubscribe(channel)) {
            // Redis is down now: the heartbeat subscribes when it is back (Lettuce itself resubscribes only what
            // was subscribed before a reconnect).
            LOG.warn("cannot subscribe to Redis channel {} yet; retrying every second", channel);
            unsubscribed.add(channel);
            livenessKey();
        }
    }

    private boolean trySubscribe(String channel) {
        try {
            pubSub().sync().subscribe(channel);
            return true;
        } catch (RedisException e) {
            return false;
        }
    }

    /** Whether every channel a store asked for is subscribed (for readiness). */
    boolean subscribed() {
        return unsubscribed.isEmpty();
    }

    private synchronized StatefulRedisPubSubConnection<String, byte[]> pubSub() {
        if (pubSub == null) {
            StatefulRedisPubSubConnection<String, byte[]> p = cluster
                    ? ((RedisClusterClient) client).connectPubSub(CODEC)
                    : ((RedisClient) client).connectPubSub(CODEC);
            p.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    BiConsumer<String, byte[]> l = channels.get(channel);
                    if (l != null) {
                        if (waitingBytes.addAndGet(message.length) > MAX_WAITING_BYTES) {
                            waitingBytes.addAndGet(-message.length);
                            LOG.warn("Redis messages arrive faster than they are handled: one was dropped");
                            return;
                        }
                        // Not on Lettuce's I/O thread: a listener may itself wait for Redis.
                        deliveries.execute(() -> {
                            try {
                                l.accept(channel, message);
                            } catch (RuntimeException e) {
                                LOG.warn("Redis channel {} listener failed", channel, e);
                            } finally {
                                waitingBytes.addAndGet(-message.length);
                            }
                        });
                    }
                }
            });
            pubSub = p;
        }
        return pubSub;
    }

    private RedisClusterCommands<String, byte[]> commands() {
        RedisClusterCommands<String, byte[]> c = commands;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (commands == null) {
                try {
                    if (cluster) {
                        StatefulRedisClusterConnection<String, byte[]> conn =
                                ((RedisClusterClient) client).connect(CODEC);
                        connection = conn;
                        commands = conn.sync();
                    } else {
                        StatefulRedisConnection<String, byte[]> conn = ((RedisClient) client).connect(CODEC);
                        connection = conn;
                        commands = conn.sync();
                    }
                } catch (RedisException e) {
                    throw new RedisUnavailable("cannot connect to Redis: " + e.getMessage(), e);
                }
            }
            return commands;
        }
    }

    /**
     * Commands with string values, on a second connection of the same client (the authorization server's store
     * keeps text). Opened on first use; a failure to open it is {@link RedisUnavailable}.
     */
    RedisClusterCommands<String, String> strings() {
        RedisClusterCommands<String, String> c = strings;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (strings == null) {
                try {
                    if (cluster) {
                        StatefulRedisClusterConnection<String, String> conn =
                                ((RedisClusterClient) client).connect(StringCodec.UTF8);
                        stringConnection = conn;
                        strings = conn.sync();
                    } else {
                        StatefulRedisConnection<String, String> conn = ((RedisClient) client).connect(StringCodec.UTF8);
                        stringConnection = conn;
                        strings = conn.sync();
                    }
                } catch (RedisException e) {
                    throw new RedisUnavailable("cannot connect to Redis: " + e.getMessage(), e);
                }
            }
            return strings;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (heartbeat != null) {
                heartbeat.interrupt();
            }
        }
        if (pubSub != null) {
            pubSub.close();
        }
        deliveries.shutdownNow();
        if (connection != null) {
            connection.close();
        }
        if (stringConnection != null) {
            stringConnection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
