package dev.mcpwarden.redis;

import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.security.Secret;
import dev.mcpwarden.server.session.EventStore;
import dev.mcpwarden.server.session.SessionStore;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Warden's shared state in one Redis, for running many replicas: 2025 sessions and their event logs (any replica
 * serves any session and resumes any stream), answers to server requests across replicas, the embedded
 * authorization server's failed sign-ins. Standalone ({@code redis://}, {@code rediss://} for TLS), Sentinel
 * ({@code redis-sentinel://host:26379/0#mymaster}) or a Cluster (each node's URL). Every store made here shares
 * one connection; close this when the process ends.
 *
 * <pre>{@code
 * RedisStores redis = RedisStores.connect(RedisStores.Settings.of("redis://10.0.0.5:6379"));
 * HttpTransport http = HttpTransport.builder(server, options)
 *         .sessions(redis.sessions(options.maxSessions(), options.sessionIdle(), Clock.systemUTC()))
 *         .events(redis.events(options.eventsPerSession(), options.sessionIdle()))
 *         .start();
 * }</pre>
 */
public final class RedisStores implements AutoCloseable {

    /**
     * How to reach Redis.
     *
     * @param urls     one URL (standalone or Sentinel) or the seed nodes of a Cluster; never with credentials in them
     * @param cluster  whether {@code urls} are Cluster nodes
     * @param password the password (ACL user {@code default}), as a secret reference
     * @param timeout  how long one command may take before what needs it fails closed
     * @param trust    PEM certificates a {@code rediss://} server's chain must lead to (a private CA), as a secret
     *                 reference; empty: the JVM's trust store
     */
    public record Settings(List<String> urls, boolean cluster, Optional<Secret> password, Duration timeout,
                           Optional<Secret> trust) {
        public Settings {
            urls = List.copyOf(urls);
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(trust, "trust (use Optional.empty() for the JVM's trust store)");
            Objects.requireNonNull(timeout, "timeout");
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("a Redis URL is required");
            }
            if (!cluster && urls.size() > 1) {
                throw new IllegalArgumentException("several Redis URLs are a Cluster's nodes: set cluster");
            }
            if (!timeout.isPositive()) {
                throw new IllegalArgumentException("the Redis timeout must be positive, was " + timeout);
            }
            for (String u : urls) {
                URI parsed = URI.create(u);
                String scheme = parsed.getScheme();
                if (scheme == null || !List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel")
                        .contains(scheme)) {
                    throw new IllegalArgumentException("a Redis URL starts with redis://, rediss:// or "
                            + "redis-sentinel://: " + redact(u));
                }
                if (parsed.getRawUserInfo() != null) {
                    throw new IllegalArgumentException("a Redis URL must not carry credentials (give the password "
                            + "as a secret reference): " + redact(u));
                }
                if (cluster && scheme.contains("sentinel")) {
                    throw new IllegalArgumentException("a Cluster's nodes are redis:// or rediss:// URLs");
                }
                if (trust.isPresent() && !scheme.startsWith("rediss")) {
                    throw new IllegalArgumentException(TRUST_NEEDS_TLS);
                }
            }
        }

        static final String TRUST_NEEDS_TLS = "CA certificates are for rediss:// URLs: with redis:// the connection "
                + "(and its password) would not be encrypted";

        /** Trusting the JVM's trust store for {@code rediss://}. */
        public Settings(List<String> urls, boolean cluster, Optional<Secret> password, Duration timeout) {
            this(urls, cluster, password, timeout, Optional.empty());
        }

        /** One standalone or Sentinel Redis, no password, 500 ms per command. */
        public static Settings of(String url) {
            return new Settings(List.of(url), false, Optional.empty(), Duration.ofMillis(500));
        }

        /** The Redis a {@code limiter: {kind: redis}} names, 500 ms per command. */
        static Settings of(dev.mcpwarden.security.ratelimit.LimiterConfig.Redis limiter) {
            return new Settings(limiter.urls().stream().map(URI::toString).toList(), limiter.cluster(),
                    limiter.password(), Duration.ofMillis(500), limiter.trust());
        }

        private static String redact(String url) {
            return url.replaceAll("//[^@/]*@", "//***@");
        }
    }

    private final SharedRedis redis;

    private RedisStores(SharedRedis redis) {
        this.redis = redis;
    }

    /**
     * Prepares the connection; nothing is sent until a store is first used, so a process starts while Redis is
     * down (what needs Redis answers 503 until it is back).
     */
    public static RedisStores connect(Settings settings) {
        return new RedisStores(shared(settings));
    }

    /** A connection of its own for {@code settings} (the caller closes it). */
    static SharedRedis shared(Settings settings) {
        List<RedisURI> uris = settings.urls().stream().map(u -> {
            RedisURI uri = RedisURI.create(u);
            settings.password().ifPresent(p -> uri.setPassword(p.reveal().toCharArray()));
            return uri;
        }).toList();
        return new SharedRedis(uris, settings.cluster(), settings.timeout(),
                settings.trust().map(t -> t.reveal().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /**
     * 2025 sessions in Redis: at most {@code maxSessions} across every replica (the longest idle is ended first),
     * each forgotten after {@code idleTimeout} without a request. When Redis cannot be reached, requests of 2025
     * sessions are answered 503 (the 2026-07-28 wire needs no session and keeps working).
     */
    public SessionStore sessions(int maxSessions, Duration idleTimeout, InstantSource clock) {
        return new RedisSessionStore(redis, maxSessions, idleTimeout, clock);
    }

    /**
     * Tasks (the {@code io.modelcontextprotocol/tasks} extension) in Redis ({@code McpServer.builder(..).tasks(..)}):
     * a task created on one replica is read, updated and cancelled on any other, and kept until its ttl; one owner
     * (issuer, subject and tenant; an anonymous caller's network) keeps at most {@code maxPerOwner} at once, and at
     * most 64 MiB. When Redis cannot be reached, task requests are answered 503.
     */
    public dev.mcpwarden.server.task.TaskStore tasks(InstantSource clock, int maxPerOwner) {
        return tasks(clock, maxPerOwner, dev.mcpwarden.server.task.InMemoryTaskStore.DEFAULT_MAX_BYTES_PER_OWNER);
    }

    /** The same with {@code maxBytesPerOwner} bytes (as JSON) per owner: a change beyond fails the task instead. */
    public dev.mcpwarden.server.task.TaskStore tasks(InstantSource clock, int maxPerOwner, long maxBytesPerOwner) {
        return new RedisTaskStore(redis, clock, maxPerOwner, maxBytesPerOwner);
    }

    /**
     * The SSE events of 2025 streams in Redis: the last {@code perSession} of each session, kept as long as the
     * session ({@code ttl}: give the sessions' idle timeout).
     */
    public EventStore events(int perSession, Duration ttl) {
        return new RedisEventStore(redis, perSession, ttl);
    }

    /**
     * Failed sign-ins of the embedded authorization server counted across every replica
     * ({@code AuthorizationServer.builder(config).loginAttempts(redis.loginAttempts())}): the five free failures
     * and the blocks after them hold for the whole fleet, not per replica. Keys are
     * {@code warden:as:login:<SHA-256 of the name>} and are forgotten a day after a name's last failure. When Redis
     * cannot be reached, sign-ins are refused with 503 ({@code StoreUnavailableException}), never let through
     * uncounted.
     */
    public LoginAttempts loginAttempts() {
        return new RedisLoginAttempts(redis, "warden:as:");
    }

    /**
     * The quotas of the embedded authorization server ({@code AuthorizationServer.builder(config)
     * .rateLimiter(redis.authQuotas())}) counted across every replica: registrations and authorization requests
     * per address and for everyone hold for the whole fleet. Keys are {@code warden:as:quota:<rule>:<digest>}. When
     * Redis cannot be reached, those requests are answered 503, never let through uncounted.
     */
    public dev.mcpwarden.security.ratelimit.RateLimiter authQuotas() {
        return new RedisRateLimiter(redis, "warden:as:quota:");
    }

    /**
     * The embedded authorization server's store (pending authorizations, single-use codes, refresh families,
     * consents, clients, upstream sign-ins) on this connection, standalone, Sentinel or Cluster alike: every script
     * touches one key. Close the store or this; either leaves the other working until this is closed.
     */
    public RedisAuthStore.Builder authStore() {
        return RedisAuthStore.builder(redis);
    }

    /**
     * A replay cache (DPoP proofs' {@code jti}) shared by every replica on this connection: a value seen by one
     * replica is refused by all. Keys {@code warden:replay:<SHA-256>}, expiring with what they protect.
     */
    public dev.mcpwarden.security.replay.ReplayCache replayCache() {
        return new RedisReplayCache(redis, RedisReplayCache.PREFIX, false);
    }

    /** Rate limits counted across every replica on this connection (keys {@code warden:rl:...}). */
    public dev.mcpwarden.security.ratelimit.RateLimiter rateLimiter() {
        return new RedisRateLimiter(redis, "warden:rl:");
    }

    SharedRedis sharedRedis() {
        return redis;
    }

    /** Whether Redis answers now (for readiness checks). */
    public boolean reachable() {
        return redis.ping();
    }

    @Override
    public void close() {
        redis.close();
    }
}
