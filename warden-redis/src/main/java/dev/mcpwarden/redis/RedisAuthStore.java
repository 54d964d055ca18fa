package dev.mcpwarden.redis;

import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientKind;
import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.store.CodeGrant;
import dev.mcpwarden.authserver.store.CodeRedemption;
import dev.mcpwarden.authserver.store.ConsentKey;
import dev.mcpwarden.authserver.store.Grant;
import dev.mcpwarden.authserver.store.LoginSession;
import dev.mcpwarden.authserver.store.PendingAuthorization;
import dev.mcpwarden.authserver.store.RefreshRotation;
import dev.mcpwarden.authserver.store.StoreUnavailableException;
import dev.mcpwarden.authserver.store.UpstreamState;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The authorization server's state in Redis, shared by every replica: a code redeemed on one replica is a replay on
 * all others, a refresh token reused on one revokes its family everywhere.
 *
 * <p>Once-only transitions are single Redis operations, atomic across processes: {@link #redeemCode} and
 * {@link #rotateRefresh} are Lua scripts over one key each (a code; a grant with its refresh family and access
 * tokens, kept in one hash so a script never spans keys and runs on Redis Cluster too), {@link #takePending} and
 * {@link #takeUpstreamState} are {@code GETDEL}. Requires Redis 6.2 or later ({@code GETDEL}, {@code GETEX}).
 *
 * <p>Every key has a time to live: records expire with their own expiry (a used code ten minutes later, so that a
 * replay is still recognised, as in memory), access-token revocations and the token-to-grant index with the
 * token, clients and consents with the expiry the authorization server gives them. Records without an expiry
 * cannot live for ever in a shared store: a client stored without one is kept for {@code clientRetention}, and no
 * consent is kept longer than {@code consentRetention}. Pre-registered clients are configuration, not shared state: every replica registers its own from its
 * configuration at start, so they are kept in this process only (a client removed from the configuration is gone
 * with the restart, not left behind in Redis). {@link #sweep} has nothing to do.
 *
 * <p>Keys are {@code <namespace><kind>:<id>}; ids arrive hashed where they are secrets (see {@link AuthStore}).
 * When Redis does not answer within the timeout every method throws {@link StoreUnavailableException}.
 */
public final class RedisAuthStore implements AuthStore, AutoCloseable {

    /** As in the in-memory store: how long a used code is remembered after its expiry, to recognise a replay. */
    static final Duration REPLAY_MEMORY = Duration.ofMinutes(10);

    private final SharedRedis redis;
    private final boolean owned;
    private final InstantSource clock;
    private final String ns;
    private final Duration clientRetention;
    private final Duration consentRetention;
    private final Records records = new Records();
    /** Pre-registered clients, from this process's configuration (see the class comment). */
    private final Map<String, Client> configured = new ConcurrentHashMap<>();

    private RedisAuthStore(Builder b) {
        this.clock = b.clock;
        this.ns = b.namespace;
        this.clientRetention = b.clientRetention;
        this.consentRetention = b.consentRetention;
        // commands fail at once while disconnected instead of queueing: the caller gets a 503, not a hang
        this.owned = b.shared == null;
        this.redis = owned ? new SharedRedis(List.of(b.uri), false, b.timeout) : b.shared;
    }

    /** Starts describing a store on the Redis at {@code redisUri}, e.g. {@code redis://127.0.0.1:6379}. */
    public static Builder builder(String redisUri) {
        return new Builder(RedisURI.create(redisUri));
    }

    /** With the URI already parsed (and a password set on it, never written into a URL string). */
    public static Builder builder(RedisURI uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    /** On a connection someone else owns: standalone, Sentinel or Cluster ({@link RedisStores#authStore()}). */
    static Builder builder(SharedRedis shared) {
        Builder b = new Builder(null);
        b.shared = Objects.requireNonNull(shared, "shared");
        return b;
    }

    /** Describes a {@link RedisAuthStore}. */
    public static final class Builder {
        private final RedisURI uri;
        private SharedRedis shared;
        private Duration timeout = Duration.ofSeconds(1);
        private InstantSource clock = InstantSource.system();
        private String namespace = "warden:as:";
        private Duration clientRetention = Duration.ofDays(90);
        private Duration consentRetention = Duration.ofDays(90);

        private Builder(RedisURI uri) {
            this.uri = uri;
        }

        /**
         * How long one operation may wait for Redis (connecting included); 1 second by default. On a shared
         * connection ({@link RedisStores#authStore()}) its own timeout applies and this is ignored.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * The clock the keys' time to live is measured from: the authorization server's. Expiry itself is decided
         * by the {@code now} each method is given, exactly as in memory; the time to live only bounds memory.
         */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Key prefix, {@code warden:as:} by default; several servers can share a Redis under different ones. */
        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            if (namespace.contains("{") || namespace.contains("}")) {
                // a brace would become the Cluster hash tag of every key
                throw new IllegalArgumentException("namespace must not contain braces: " + namespace);
            }
            this.namespace = namespace;
            return this;
        }

        /** How long a client stored without an expiry of its own is kept; 90 days by default. */
        public Builder clientRetention(Duration retention) {
            this.clientRetention = positive(retention, "clientRetention");
            return this;
        }

        /** The longest a remembered consent is kept, whatever its own expiry; 90 days by default. */
        public Builder consentRetention(Duration retention) {
            this.consentRetention = positive(retention, "consentRetention");
            return this;
        }

        /** The store; it connects on first use, so a Redis that is down at start does not stop the server. */
        public RedisAuthStore build() {
            return new RedisAuthStore(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || !d.isPositive()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }

    // ---- Redis access

    /** Runs {@code f}, turning any failure to talk to Redis into {@link StoreUnavailableException}. */
    private <T> T redis(String what, Function<RedisClusterCommands<String, String>, T> f) {
        RedisClusterCommands<String, String> c;
        try {
            c = redis.strings();
        } catch (RedisUnavailable e) {
            // not remembered: the next call tries again
            throw new StoreUnavailableException(e.getMessage(), e);
        }
        try {
            return f.apply(c);
        } catch (RedisException e) {
            throw new StoreUnavailableException("Redis did not answer (" + what + "): " + e.getMessage(), e);
        }
    }

    private long ttlMillis(Instant expiresAt) {
        // rounded up, and at least 1 ms (Redis refuses 0): an already-expired record is gone at once
        Duration d = Duration.between(clock.instant(), expiresAt);
        if (!d.isPositive()) {
            return 1;
        }
        long ms = d.toMillis();
        return d.minusMillis(ms).isZero() ? ms : ms + 1;
    }

    private SetArgs px(long millis) {
        return SetArgs.Builder.px(millis);
    }

    private static String s(Instant t) {
        return Long.toString(t.getEpochSecond());
    }

    private static String n(Instant t) {
        return Integer.toString(t.getNano());
    }

    // ---- keys

    private String clientKey(String id) {
        return ns + "client:" + id;
    }

    private String pendingKey(String id) {
        return ns + "pending:" + id;
    }

    private String codeKey(String hash) {
        return ns + "code:" + hash;
    }

    /** The grant, its refresh family and its access tokens: one hash, so one script touches one key. */
    String grantKey(String grantId) {
        return ns + "grant:{" + grantId + "}";
    }

    private String refreshKey(String hash) {
        return ns + "refresh:" + hash;
    }

    /** The grant an access token was recorded under (the token's jti, not a secret). */
    private String accessKey(String jti) {
        return ns + "access:" + jti;
    }

    private String revokedKey(String jti) {
        return ns + "revoked:" + jti;
    }

    private String consentKey(ConsentKey key) {
        return ns + "consent:" + records.digest(key);
    }

    private String sessionKey(String id) {
        return ns + "session:" + id;
    }

    private String upstreamKey(String state) {
        return ns + "upstream:" + state;
    }

    // ---- clients

    /** A client in Redis with its expiry (null: kept for {@code clientRetention} after it was last stored). */
    record StoredClient(Client client, Instant expiresAt) {
    }

    @Override
    public void putClient(Client c, Instant expiresAt) {
        if (c.kind() == ClientKind.PRE_REGISTERED && expiresAt == null) {
            configured.put(c.id(), c);
            return;
        }
        String json = records.write(new StoredClient(c, expiresAt));
        long ttl = expiresAt == null ? clientRetention.toMillis() : ttlMillis(expiresAt);
        redis("putClient", r -> r.set(clientKey(c.id()), json, px(ttl)));
    }

    @Override
    public Optional<Client> client(String clientId, Instant now) {
        Client c = configured.get(clientId);
        if (c != null) {
            return Optional.of(c);
        }
        return stored(redis("client", r -> r.get(clientKey(clientId))), now).map(StoredClient::client);
    }

    /** A live stored client; a record of an older version (a bare client, no expiry) counts as absent. */
    private Optional<StoredClient> stored(String json, Instant now) {
        if (json == null) {
            return Optional.empty();
        }
        StoredClient sc = records.read(json, StoredClient.class);
        if (sc.client() == null || sc.expiresAt() != null && !now.isBefore(sc.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(sc);
    }

    @Override
    public void extendClient(String clientId, Instant expiresAt, Instant now) {
        if (configured.containsKey(clientId)) {
            return;
        }
        // read, then replace only if still there (XX): two replicas extending at once both move it later
        Optional<StoredClient> sc = stored(redis("extendClient", r -> r.get(clientKey(clientId))), now);
        if (sc.isEmpty() || sc.get().expiresAt() == null || !expiresAt.isAfter(sc.get().expiresAt())) {
            return;
        }
        String json = records.write(new StoredClient(sc.get().client(), expiresAt));
        redis("extendClient", r -> r.set(clientKey(clientId), json, px(ttlMillis(expiresAt)).xx()));
    }

    // ---- pending authorization requests

    @Override
    public void putPending(PendingAuthorization p) {
        String json = records.write(p);
        redis("putPending", r -> r.set(pendingKey(p.id()), json, px(ttlMillis(p.expiresAt()))));
    }

    @Override
    public Optional<PendingAuthorization> pending(String id, Instant now) {
        String json = redis("pending", r -> r.get(pendingKey(id)));
        return live(json, PendingAuthorization.class, PendingAuthorization::expiresAt, now);
    }

    @Override
    public Optional<PendingAuthorization> takePending(String id, Instant now) {
        String json = redis("takePending", r -> r.getdel(pendingKey(id)));
        return live(json, PendingAuthorization.class, PendingAuthorization::expiresAt, now);
    }

    private <T> Optional<T> live(String json, Class<T> type, Function<T, Instant> expiresAt, Instant now) {
        if (json == null) {
            return Optional.empty();
        }
        T t = records.read(json, type);
        return now.isBefore(expiresAt.apply(t)) ? Optional.of(t) : Optional.empty();
    }

    // ---- authorization codes

    @Override
    public void putCode(String codeHash, CodeGrant grant) {
        long ttl = ttlMillis(grant.expiresAt().plus(REPLAY_MEMORY));
        String[] args = {Long.toString(ttl), "record", records.write(grant), "es", s(grant.expiresAt()),
                "en", n(grant.expiresAt())};
        redis("putCode", r -> Lua.PUT_HASH.run(r, ScriptOutputType.INTEGER, new String[] {codeKey(codeHash)}, args));
    }

    @Override
    public Optional<CodeGrant> peekCode(String codeHash) {
        String json = redis("peekCode", r -> r.hget(codeKey(codeHash), "record"));
        return json == null ? Optional.empty() : Optional.of(records.read(json, CodeGrant.class));
    }

    @Override
    public CodeRedemption redeemCode(String codeHash, Instant now) {
        List<Object> out = redis("redeemCode", r -> Lua.REDEEM_CODE.run(r, ScriptOutputType.MULTI,
                new String[] {codeKey(codeHash)}, s(now), n(now)));
        return switch ((String) out.get(0)) {
            case "redeemed" -> new CodeRedemption.Redeemed(records.read((String) out.get(1), CodeGrant.class));
            case "replayed" -> new CodeRedemption.Replayed(records.read((String) out.get(1), CodeGrant.class));
            default -> new CodeRedemption.Invalid();
        };
    }

    // ---- grants and refresh token families

    @Override
    public void putGrant(Grant grant, String refreshHash) {
        long ttl = ttlMillis(grant.expiresAt());
        List<String> args = new ArrayList<>(List.of(Long.toString(ttl), "record", records.write(grant),
                "es", s(grant.expiresAt()), "en", n(grant.expiresAt())));
        if (refreshHash != null) {
            args.add("current");
            args.add(refreshHash);
        }
        redis("putGrant", r -> Lua.PUT_HASH.run(r, ScriptOutputType.INTEGER, new String[] {grantKey(grant.id())},
                args.toArray(String[]::new)));
        if (refreshHash != null) {
            redis("putGrant", r -> r.set(refreshKey(refreshHash), grant.id(), px(ttl)));
        }
    }

    @Override
    public Optional<Grant> grantByRefresh(String refreshHash, Instant now) {
        String id = redis("grantByRefresh", r -> r.get(refreshKey(refreshHash)));
        if (id == null) {
            return Optional.empty();
        }
        List<KeyValue<String, String>> v = redis("grantByRefresh",
                r -> r.hmget(grantKey(id), "record", "revoked"));
        if (!v.get(0).hasValue() || v.get(1).hasValue() && "1".equals(v.get(1).getValue())) {
            return Optional.empty();
        }
        Grant g = records.read(v.get(0).getValue(), Grant.class);
        return now.isBefore(g.expiresAt()) ? Optional.of(g) : Optional.empty();
    }

    /** How long a new refresh token stays indexed if the exact expiry could not be written after its rotation. */
    private static final Duration PROVISIONAL_INDEX = Duration.ofDays(1);

    @Override
    public RefreshRotation rotateRefresh(String presentedHash, String newHash, Instant now) {
        // the token-to-family index never changes once written, so reading it outside the script is safe
        String id = redis("rotateRefresh", r -> r.get(refreshKey(presentedHash)));
        if (id == null) {
            return new RefreshRotation.Invalid();
        }
        // Indexed before the rotation, for a day: should Redis fail right after it, the client still gets its new
        // token and can use it, instead of retrying with the old one, which would read as reuse and revoke the family.
        // An index of a token that never became current names no family's token: refused as invalid.
        redis("rotateRefresh", r -> r.set(refreshKey(newHash), id, px(PROVISIONAL_INDEX.toMillis())));
        List<Object> out = redis("rotateRefresh", r -> Lua.ROTATE_REFRESH.run(r, ScriptOutputType.MULTI,
                new String[] {grantKey(id)}, presentedHash, newHash, s(now), n(now)));
        switch ((String) out.get(0)) {
            case "rotated" -> {
                Grant g = records.read((String) out.get(1), Grant.class);
                try {
                    redis("rotateRefresh", r -> r.set(refreshKey(newHash), id, px(ttlMillis(g.expiresAt()))));
                } catch (StoreUnavailableException e) {
                    // the provisional index stands: the client may refresh within a day, else signs in again
                }
                return new RefreshRotation.Rotated(g);
            }
            case "reused" -> {
                Grant g = records.read((String) out.get(1), Grant.class);
                revokeAccessTokens(out.subList(2, out.size()));
                return new RefreshRotation.Reused(g);
            }
            default -> {
                return new RefreshRotation.Invalid();
            }
        }
    }

    /**
     * Writes the revocations of a revoked family's access tokens, given as jti, expiry pairs. They are separate keys
     * (looked up by jti alone), so they cannot be written by the script on Cluster; should this process die in
     * between, the family is revoked but those access tokens live out their short lives, as with the in-memory
     * store.
     */
    private void revokeAccessTokens(List<Object> jtiExpiryPairs) {
        for (int i = 0; i + 1 < jtiExpiryPairs.size(); i += 2) {
            revokeAccessToken((String) jtiExpiryPairs.get(i), Instant.parse((String) jtiExpiryPairs.get(i + 1)));
        }
    }

    @Override
    public void recordAccessToken(String grantId, String jti, Instant expiresAt) {
        Long revoked = redis("recordAccessToken", r -> Lua.RECORD_ACCESS_TOKEN.run(r, ScriptOutputType.INTEGER,
                new String[] {grantKey(grantId)}, jti, expiresAt.toString()));
        if (revoked >= 0) {
            // "<grant id> <expiry>": the expiry decides (as in memory), the time to live bounds memory
            String v = grantId + " " + expiresAt;
            redis("recordAccessToken", r -> r.set(accessKey(jti), v, px(ttlMillis(expiresAt))));
        }
        if (revoked == 1) {
            revokeAccessToken(jti, expiresAt); // the grant was revoked while this token was minted
        }
    }

    @Override
    public Optional<String> grantOfAccessToken(String jti, Instant now) {
        String v = redis("grantOfAccessToken", r -> r.get(accessKey(jti)));
        int space = v == null ? -1 : v.lastIndexOf(' ');
        if (space < 0 || !now.isBefore(Instant.parse(v.substring(space + 1)))) {
            return Optional.empty();
        }
        return Optional.of(v.substring(0, space));
    }

    @Override
    public void revokeGrant(String grantId) {
        List<Object> tokens = redis("revokeGrant", r -> Lua.REVOKE_GRANT.run(r, ScriptOutputType.MULTI,
                new String[] {grantKey(grantId)}));
        revokeAccessTokens(tokens);
    }

    @Override
    public void revokeAccessToken(String jti, Instant expiresAt) {
        redis("revokeAccessToken", r -> r.set(revokedKey(jti), "1", px(ttlMillis(expiresAt))));
    }

    @Override
    public boolean isAccessTokenRevoked(String jti) {
        return redis("isAccessTokenRevoked", r -> r.exists(revokedKey(jti))) > 0;
    }

    // ---- consent

    @Override
    public void putConsent(ConsentKey key, Instant expiresAt) {
        // the value is the expiry, which decides; the time to live (at most consentRetention) bounds memory
        long ttl = Math.min(ttlMillis(expiresAt), consentRetention.toMillis());
        redis("putConsent", r -> r.set(consentKey(key), expiresAt.toString(), px(ttl)));
    }

    @Override
    public boolean hasConsent(ConsentKey key, Instant now) {
        String until = redis("hasConsent", r -> r.get(consentKey(key)));
        try {
            return until != null && now.isBefore(Instant.parse(until));
        } catch (java.time.format.DateTimeParseException e) {
            return false; // an older version's "1": the user is asked again
        }
    }

    // ---- login sessions

    @Override
    public void putSession(LoginSession session) {
        String json = records.write(session);
        redis("putSession", r -> r.set(sessionKey(session.id()), json, px(ttlMillis(session.expiresAt()))));
    }

    @Override
    public Optional<LoginSession> session(String id, Instant now) {
        String json = redis("session", r -> r.get(sessionKey(id)));
        return live(json, LoginSession.class, LoginSession::expiresAt, now);
    }

    @Override
    public void removeSession(String id) {
        redis("removeSession", r -> r.del(sessionKey(id)));
    }

    // ---- upstream sign-in state

    @Override
    public void putUpstreamState(UpstreamState state) {
        String json = records.write(state);
        redis("putUpstreamState", r -> r.set(upstreamKey(state.state()), json, px(ttlMillis(state.expiresAt()))));
    }

    @Override
    public Optional<UpstreamState> takeUpstreamState(String state, Instant now) {
        String json = redis("takeUpstreamState", r -> r.getdel(upstreamKey(state)));
        return live(json, UpstreamState.class, UpstreamState::expiresAt, now);
    }

    /** Nothing to do: every key expires in Redis by its own time to live. */
    @Override
    public void sweep(Instant now) {
    }

    /** Closes the connection to Redis. */
    @Override
    public void close() {
        if (owned) {
            redis.close();
        }
    }
}
