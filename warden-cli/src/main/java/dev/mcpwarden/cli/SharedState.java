package dev.mcpwarden.cli;

import dev.mcpwarden.examples.sample.SampleServer;
import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.redis.RedisAuthStore;
import dev.mcpwarden.redis.RedisStores;
import dev.mcpwarden.security.SecurityConfig;
import dev.mcpwarden.security.audit.AuditConfig;
import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimitConfig;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a replica shares with the others, from {@code --redis URL} and {@code --replica-id ID}: with a Redis, 2025
 * sessions, their events, the rate limits, the authorization server's state and its failed sign-ins live there, so
 * replicas behind a load balancer without stickiness serve any request; without, everything stays in this process.
 */
final class SharedState implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedState.class);
    private static final Pattern REPLICA_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String replicaId;
    /** Named with --replica-id: only then is the audit chain named by it (an existing unnamed chain stays valid). */
    private final boolean explicitReplica;
    /** The shared Redis as a rate limiter names one (the limiter and the replay caches follow it). */
    private final Optional<LimiterConfig.Redis> shared;
    private final Optional<RedisStores> redis;
    private volatile RedisAuthStore authStore;

    private SharedState(String replicaId, boolean explicitReplica, Optional<LimiterConfig.Redis> shared,
                        Optional<RedisStores> redis) {
        this.replicaId = replicaId;
        this.explicitReplica = explicitReplica;
        this.shared = shared;
        this.redis = redis;
    }

    /**
     * The embedded authorization server's store in the shared Redis (codes, tokens, consents), if there is one:
     * standalone, Sentinel or Cluster.
     */
    synchronized Optional<AuthStore> authStore() {
        if (redis.isEmpty()) {
            return Optional.empty();
        }
        if (authStore == null) {
            authStore = redis.get().authStore().build();
        }
        return Optional.of(authStore);
    }

    /**
     * Failed sign-ins at the embedded authorization server counted in the shared Redis, if there is one, so that
     * the five free guesses and the blocks after them hold across every replica instead of once per replica.
     */
    Optional<LoginAttempts> loginAttempts() {
        return redis.map(RedisStores::loginAttempts);
    }

    /** The authorization server's quotas counted across every replica (registrations, authorization requests). */
    Optional<dev.mcpwarden.security.ratelimit.RateLimiter> authQuotas() {
        return redis.map(RedisStores::authQuotas);
    }

    /**
     * @param redisUrl  {@code redis://host:port} or {@code rediss://...}, or null for none
     * @param replicaId names this replica (audit chains, logs); null: the host name
     * @throws IllegalArgumentException with a message for the user
     */
    static SharedState of(String redisUrl, String replicaId) {
        String id = replicaId != null ? replicaId : defaultReplicaId();
        if (!REPLICA_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("--replica-id must be 1 to 64 letters, digits, '.', '_' or '-': " + id);
        }
        if (redisUrl == null) {
            return new SharedState(id, replicaId != null, Optional.empty(), Optional.empty());
        }
        URI url;
        LimiterConfig.Redis limiter;
        try {
            url = URI.create(redisUrl);
            limiter = new LimiterConfig.Redis(url, Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--redis: " + e.getMessage());
        }
        RedisStores stores = RedisStores.connect(RedisStores.Settings.of(redisUrl));
        if (!stores.reachable()) {
            LOG.warn("Redis at {} does not answer yet: requests that need it are refused (503) until it does",
                    url.getHost() + ":" + url.getPort());
        }
        return new SharedState(id, replicaId != null, Optional.of(limiter), Optional.of(stores));
    }

    /**
     * From a configuration file's {@code store} section, unless {@code --redis} names a Redis (the flag wins).
     *
     * @throws IllegalArgumentException with a message for the user
     */
    static SharedState of(dev.mcpwarden.config.StoreConfig store, String redisFlag, String replicaId) {
        if (redisFlag != null || !(store instanceof dev.mcpwarden.config.StoreConfig.Redis r)) {
            return of(redisFlag, replicaId);
        }
        String id = replicaId != null ? replicaId : defaultReplicaId();
        if (!REPLICA_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("--replica-id must be 1 to 64 letters, digits, '.', '_' or '-': " + id);
        }
        RedisStores stores = RedisStores.connect(new RedisStores.Settings(
                r.urls().stream().map(URI::toString).toList(), r.cluster(), r.password(), r.timeout(), r.trust()));
        if (!stores.reachable()) {
            LOG.warn("the store's Redis does not answer yet: requests that need it are refused (503) until it does");
        }
        // The rate limiter, the replay caches and the authorization server's store follow it, whatever its
        // topology (standalone, Sentinel or Cluster).
        return new SharedState(id, replicaId != null, Optional.of(r.limiter()), Optional.of(stores));
    }

    private static String defaultReplicaId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "replica";
            }
        }
        String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }

    String replicaId() {
        return replicaId;
    }

    Optional<RedisStores> redis() {
        return redis;
    }

    /**
     * Rate limits counted in the shared Redis, if there is one; with {@code --replica-id}, the audit log is this
     * replica's own chain ({@code audit.jsonl} of replica {@code r2} is {@code audit-r2.jsonl}).
     */
    SecurityConfig security(SecurityConfig security) {
        if (security.audit().file().isPresent()) {
            security = security.withAudit(audit(security.audit()));
        }
        if (redis.isEmpty() || security.rateLimits().limiter() instanceof LimiterConfig.Redis) {
            return security; // one process, or a limiter that names its own Redis (DPoP replays follow it)
        }
        // Rate limits count in the shared Redis, and with them DPoP proofs are remembered there (Security.from
        // keeps the replay cache where the limiter is), even when there are no rate limits.
        RateLimitConfig r = security.rateLimits();
        return security.withRateLimits(new RateLimitConfig(r.rules(), r.concurrency(), limiter(r.limiter()),
                r.whenUnavailable()));
    }

    /** With {@code --replica-id}, this replica's own chain ({@code audit.jsonl} of {@code r2}: {@code audit-r2.jsonl}). */
    AuditConfig audit(AuditConfig audit) {
        return explicitReplica ? new AuditConfig(audit.file(), audit.options().withReplica(replicaId)) : audit;
    }

    /** The rate limiter in the shared Redis, if there is one; otherwise {@code local}. */
    LimiterConfig limiter(LimiterConfig local) {
        return shared.<LimiterConfig>map(r -> r).orElse(local);
    }

    /** Sessions and events in the shared Redis, if there is one. */
    HttpTransport.Builder http(HttpTransport.Builder b) {
        if (redis.isEmpty()) {
            return b;
        }
        HttpOptions o = b.options();
        RedisStores stores = redis.get();
        return b.readiness("redis", stores::reachable).sessions(redis.get().sessions(o.maxSessions(), o.sessionIdle(), Clock.systemUTC()))
                .events(redis.get().events(o.eventsPerSession(), o.sessionIdle()));
    }

    /** The sample's deployment as this replica. */
    SampleServer.Deployment deployment() {
        return new SampleServer.Deployment(this::security, this::http);
    }

    @Override
    public void close() {
        redis.ifPresent(RedisStores::close);
        if (authStore != null) {
            authStore.close();
        }
    }
}
