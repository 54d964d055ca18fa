package dev.mcpwarden.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.session.Session;
import dev.mcpwarden.server.session.SessionStore;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ZAddArgs;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * 2025 sessions in Redis, so any replica serves any session. A session's durable state (what {@code initialize}
 * negotiated, its owner, log level, initialization and subscriptions) is a hash and a set, with a time to live of
 * the idle timeout, renewed by every request; what lives only in a process (requests in flight, SSE streams) stays
 * in the {@link Session} object this replica keeps for it. Changes are written through one at a time (a
 * subscription is an {@code SADD}, never a rewrite of the set), so replicas changing one session at once lose
 * nothing. The number of sessions is bounded across the fleet: an index sorted by last use drops the longest idle
 * first. A client's answer to a server request sent by another replica is passed to it over pub/sub.
 */
final class RedisSessionStore implements SessionStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);
    /** Session ids are minted by Warden (43 base64url characters); anything else names no session. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    static final String INDEX = "warden:sessions";
    /** Each replica's own channel (followed by its process tag): an answer goes to the one that asked only. */
    static final String ANSWERS = "warden:answers:";
    /** The largest answer passed between replicas; a client's answer is a sampling result or form data, not more. */
    static final int MAX_RELAYED_BYTES = 1024 * 1024;

    // KEYS: hash, subscriptions, events, streams; ARGV: idle ms. The session and its events live as long as it is used.
    private static final String FIND = """
            local h = redis.call('HGETALL', KEYS[1])
            if #h == 0 then return {} end
            for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
            return {h, redis.call('SMEMBERS', KEYS[2])}
            """;
    // KEYS: hash, subscriptions; ARGV: idle ms, field/value pairs
    private static final String PUT = """
            redis.call('DEL', KEYS[2])
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            """;
    // KEYS: hash, subscriptions; ARGV: op, value. Nothing is written for a session another replica ended.
    private static final String CHANGE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            if ARGV[1] == 'sub' then
              redis.call('SADD', KEYS[2], ARGV[2])
              redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
            elseif ARGV[1] == 'unsub' then redis.call('SREM', KEYS[2], ARGV[2])
            else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
            return 1
            """;

    private final SharedRedis redis;
    private final int maxSessions;
    private final Duration idle;
    private final InstantSource clock;
    /** This replica's live half of the sessions it serves; a session dropped here is closed (its waits fail). */
    private final Cache<String, Session> local;

    RedisSessionStore(SharedRedis redis, int maxSessions, Duration idle, InstantSource clock) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
        }
        if (!idle.isPositive()) {
            throw new IllegalArgumentException("idleTimeout must be positive, was " + idle);
        }
        this.redis = redis;
        this.maxSessions = maxSessions;
        this.idle = idle;
        this.clock = clock;
        this.local = Caffeine.newBuilder()
                .maximumSize(maxSessions)
                .expireAfterAccess(idle)
                .executor(Runnable::run) // closed at once: a session ended elsewhere fails its waits now
                .removalListener((String id, Session s, RemovalCause cause) -> {
                    if (s != null && cause != RemovalCause.REPLACED) {
                        s.close();
                    }
                })
                .build();
        redis.subscribe(ANSWERS + tag, (channel, message) -> answered(message));
        redis.subscribe(ENDED, (channel, message) -> {
            JsonNode m = Json.standard().parse(SharedRedis.string(message));
            if (!origin.equals(m.path("origin").asString(""))) {
                endedElsewhere(m.path("id").asString(""));
            }
        });
    }

    static String key(String id) {
        return "warden:s:{" + id + "}";
    }

    private static String[] keys(String id) {
        String k = key(id);
        return new String[] {k, k + ":sub", k + ":ev", k + ":st"};
    }

    @Override
    public void put(Session session) {
        Session.State st = session.state();
        List<byte[]> args = new java.util.ArrayList<>();
        args.add(SharedRedis.utf8(Long.toString(idle.toMillis())));
        Map<String, String> fields = new HashMap<>();
        fields.put("v", st.version().id());
        fields.put("caps", st.clientCapabilities() == null ? "{}" : st.clientCapabilities().toString());
        fields.put("info", st.clientInfo() == null ? "null" : st.clientInfo().toString());
        fields.put("pk", st.principalKey());
        fields.put("lvl", st.logLevel().wire());
        fields.put("init", st.initialized() ? "1" : "0");
        fields.forEach((k, v) -> {
            args.add(SharedRedis.utf8(k));
            args.add(SharedRedis.utf8(v));
        });
        String[] keys = keys(session.id());
        try {
            redis.script(PUT, ScriptOutputType.STATUS, new String[] {keys[0], keys[1]}, args.toArray(byte[][]::new));
            bound(session.id(), st.principalKey());
        } catch (RedisUnavailable e) {
            throw unavailable(e);
        }
        watch(session);
        local.put(session.id(), session);
    }

    /** Indexes the new session and ends the longest idle ones beyond the bound, on whichever replica made them. */
    private void bound(String id, String principalKey) {
        long now = clock.millis();
        java.util.List<String> evictedHere = new java.util.ArrayList<>();
        try {
            boundPrincipal(id, principalKey, now, evictedHere);
            boundIndex(id, now, evictedHere);
        } finally {
            for (String gone : evictedHere) {
                local.invalidate(gone);
                endListeners.forEach(l -> l.accept(gone));
                announceEnded(gone);
            }
        }
    }

    /**
     * One principal holds at most {@link SessionStore#perPrincipal} sessions: beyond, its own longest idle one ends,
     * so that no caller can push everyone else's sessions out of the fleet-wide bound.
     */
    private void boundPrincipal(String id, String principalKey, long now, java.util.List<String> evictedHere) {
        String index = INDEX + ":p:" + digest(principalKey);
        int cap = SessionStore.perPrincipal(maxSessions);
        redis.call(c -> {
            c.zremrangebyscore(index, io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY,
                    (double) (now - idle.toMillis())));
            c.zadd(index, (double) now, SharedRedis.utf8(id));
            c.pexpire(index, idle.toMillis());
            long over = c.zcard(index) - cap;
            if (over > 0) {
                for (var evicted : c.zpopmin(index, over)) {
                    String gone = SharedRedis.string(evicted.getValue());
                    c.del(keys(gone));
                    c.zrem(INDEX, evicted.getValue());
                    evictedHere.add(gone);
                }
            }
            return null;
        });
    }

    private static String digest(String key) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void boundIndex(String id, long now, java.util.List<String> evictedHere) {
        redis.call(c -> {
            c.zremrangebyscore(INDEX, io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY,
                    (double) (now - idle.toMillis())));
            c.zadd(INDEX, (double) now, SharedRedis.utf8(id));
            long over = c.zcard(INDEX) - maxSessions;
            if (over > 0) {
                for (var evicted : c.zpopmin(INDEX, over)) {
                    String gone = SharedRedis.string(evicted.getValue());
                    c.del(keys(gone));
                    evictedHere.add(gone);
                }
            }
            return null;
        });
    }

    @Override
    public Optional<Session> find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        List<Object> found;
        try {
            found = redis.script(FIND, ScriptOutputType.MULTI, keys(id),
                    SharedRedis.utf8(Long.toString(idle.toMillis())));
        } catch (RedisUnavailable e) {
            throw unavailable(e);
        }
        if (found == null || found.isEmpty()) {
            local.invalidate(id);
            return Optional.empty();
        }
        Session.State st = decode(id, found);
        if (st == null) {
            return Optional.empty();
        }
        Session s = local.asMap().computeIfAbsent(id, k -> watch(Session.restore(st, clock.instant())));
        s.refresh(st);
        s.touch(clock.instant());
        try {
            redis.call(c -> c.zadd(INDEX, ZAddArgs.Builder.xx(), (double) clock.millis(), SharedRedis.utf8(id)));
        } catch (RedisUnavailable e) {
            // The index only orders eviction; the session itself was just renewed.
        }
        return Optional.of(s);
    }

    @SuppressWarnings("unchecked")
    private Session.State decode(String id, List<Object> found) {
        Map<String, String> h = new HashMap<>();
        List<Object> flat = (List<Object>) found.get(0);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            h.put(SharedRedis.string((byte[]) flat.get(i)), SharedRedis.string((byte[]) flat.get(i + 1)));
        }
        Set<String> subs = new HashSet<>();
        for (Object o : (List<Object>) found.get(1)) {
            subs.add(SharedRedis.string((byte[]) o));
        }
        Optional<ProtocolVersion> version = ProtocolVersion.parse(h.get("v"));
        if (version.isEmpty() || h.get("pk") == null) {
            LOG.warn("session {}... in Redis is not one Warden wrote; ignored", id.substring(0, Math.min(8,
                    id.length())));
            return null;
        }
        JsonNode caps = Json.standard().parse(h.getOrDefault("caps", "{}"));
        JsonNode info = Json.standard().parse(h.getOrDefault("info", "null"));
        return new Session.State(id, version.get(), caps instanceof ObjectNode o ? o : Json.object(),
                info == null || info.isNull() ? null : info, h.get("pk"),
                LogLevel.parse(h.getOrDefault("lvl", "info")).orElse(LogLevel.INFO), "1".equals(h.get("init")),
                subs);
    }

    /** Writes every later change of {@code s} through to Redis; its server requests name this store. */
    private Session watch(Session s) {
        s.origin(tag);
        String[] keys = keys(s.id());
        s.onChange((session, change) -> {
            String[] op = switch (change) {
                case Session.Change.LevelSet l -> new String[] {"lvl", l.level().wire()};
                case Session.Change.Initialized i -> new String[] {"init", "1"};
                case Session.Change.Subscribed sub -> new String[] {"sub", sub.uri()};
                case Session.Change.Unsubscribed u -> new String[] {"unsub", u.uri()};
            };
            try {
                redis.script(CHANGE, ScriptOutputType.INTEGER, new String[] {keys[0], keys[1]},
                        SharedRedis.utf8(op[0]), SharedRedis.utf8(op[1]));
            } catch (RedisUnavailable e) {
                throw unavailable(e);
            }
        });
        return s;
    }

    @Override
    public Optional<Session> remove(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Session s = local.asMap().remove(id);
        Optional<Session> known = Optional.ofNullable(s).or(() -> find(id));
        try {
            redis.call(c -> {
                c.del(keys(id));
                c.zrem(INDEX, SharedRedis.utf8(id));
                return null;
            });
        } catch (RedisUnavailable e) {
            throw unavailable(e);
        }
        local.invalidate(id);
        known.ifPresent(Session::close);
        announceEnded(id);
        return known;
    }

    @Override
    public int size() {
        try {
            return redis.call(c -> c.zcard(INDEX)).intValue();
        } catch (RedisUnavailable e) {
            throw unavailable(e);
        }
    }

    @Override
    public void relayAnswer(String sessionId, String requestId, JsonNode result, boolean error) {
        Optional<String> asker = Session.processOf(requestId);
        if (asker.isEmpty() || asker.get().equals(tag)) {
            return; // not a request Warden sent, or one this process sent and no longer waits for
        }
        ObjectNode m = Json.object();
        m.put("s", sessionId);
        m.put("id", requestId);
        m.put("error", error);
        if (result != null) {
            m.set("result", result);
        }
        byte[] message = SharedRedis.utf8(m.toString());
        if (message.length > MAX_RELAYED_BYTES) {
            LOG.warn("an answer of {} bytes to a server request was not passed to the replica that asked", message.length);
            return;
        }
        try {
            redis.publish(ANSWERS + asker.get(), message);
        } catch (RedisUnavailable e) {
            throw unavailable(e);
        }
    }

    /** An answer another replica received for one of this replica's server requests. */
    private void answered(byte[] message) {
        JsonNode m = Json.standard().parse(SharedRedis.string(message));
        Session s = local.getIfPresent(m.path("s").asString(""));
        if (s == null) {
            return;
        }
        CompletableFuture<JsonNode> pending = s.pendingClientRequests().get(m.path("id").asString(""));
        if (pending == null) {
            return;
        }
        if (m.path("error").asBoolean(false)) {
            pending.completeExceptionally(new McpError(ErrorCodes.INTERNAL_ERROR, "The client answered with an error"));
        } else {
            pending.complete(m.get("result"));
        }
    }

    static final String RESOURCE_UPDATES = "warden:resource-updates";
    /** Sessions ended (deleted or evicted) by one replica: the others end what they hold for them. */
    static final String ENDED = "warden:sessions-ended";
    private final java.util.List<java.util.function.Consumer<String>> endListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onEnded(java.util.function.Consumer<String> listener) {
        endListeners.add(listener);
    }

    private void endedElsewhere(String id) {
        if (local.getIfPresent(id) != null) {
            local.invalidate(id); // closes it: its waits fail, its calls are cancelled
        }
        endListeners.forEach(l -> l.accept(id));
    }

    private void announceEnded(String id) {
        try {
            redis.publish(ENDED, SharedRedis.utf8(Json.object().put("origin", origin).put("id", id).toString()));
        } catch (RedisUnavailable e) {
            // The others find out at their next request for it (404).
        }
    }
    /** Names this process in what it publishes, so that it does not hear its own updates back. */
    private final String origin = java.util.UUID.randomUUID().toString();
    /** Names this store's copies in their server requests' ids: answers for them come to {@link #ANSWERS} + tag. */
    private final String tag = Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);
    private final java.util.List<java.util.function.Consumer<String>> updateListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean updatesSubscribed;

    @Override
    public void publishResourceUpdate(String uri) {
        ObjectNode m = Json.object().put("origin", origin).put("uri", uri);
        redis.publish(RESOURCE_UPDATES, SharedRedis.utf8(m.toString()));
    }

    @Override
    public void onResourceUpdate(java.util.function.Consumer<String> listener) {
        updateListeners.add(listener);
        synchronized (this) {
            if (!updatesSubscribed) {
                updatesSubscribed = true;
                redis.subscribe(RESOURCE_UPDATES, (channel, message) -> {
                    JsonNode m = Json.standard().parse(SharedRedis.string(message));
                    if (!origin.equals(m.path("origin").asString("")) && m.path("uri").isString()) {
                        updateListeners.forEach(l -> l.accept(m.path("uri").asString()));
                    }
                });
            }
        }
    }

    static Rejection unavailable(RedisUnavailable e) {
        LOG.warn("session store unavailable: {}", e.getMessage());
        return Rejection.unavailable("Service unavailable: the session store cannot be reached; retry shortly", 1);
    }
}
