package dev.mcpwarden.redis;

import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.session.EventStore;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The SSE events of 2025 streams in Redis, one Redis stream per session (capped at {@code perSession} entries, the
 * oldest dropped first) beside the session's hash and in its hash slot, living as long as the session. An event id
 * is the SSE stream's id and the Redis entry id, so a replay reads from where the client left off on any replica
 * and never crosses streams. Which SSE streams a session was given, and which of them have ended, is a hash beside
 * it, so a replica resuming a stream another replica is still writing knows to follow it.
 */
final class RedisEventStore implements EventStore {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisEventStore.class);

    private static final Pattern STREAM = Pattern.compile("[A-Za-z0-9]{1,64}");
    private static final Pattern ENTRY = Pattern.compile("\\d{1,20}-\\d{1,20}");

    // KEYS: events, streams, session hash; ARGV: stream id, data, cap, ttl ms, 'open:' + this process's liveness
    // key. Nothing is stored for a session that ended (deleted, expired, evicted): a call still streaming after its
    // session's end would otherwise leave keys of a session nobody can resume.
    private static final String APPEND = """
            if redis.call('EXISTS', KEYS[3]) == 0 then return false end
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], '*', 's', ARGV[1], 'd', ARGV[2])
            redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[5])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('PEXPIRE', KEYS[2], ARGV[4])
            return id
            """;

    private final SharedRedis redis;
    private final int perSession;
    private final Duration ttl;

    RedisEventStore(SharedRedis redis, int perSession, Duration ttl) {
        if (perSession < 1) {
            throw new IllegalArgumentException("perSession must be at least 1, was " + perSession);
        }
        this.redis = redis;
        this.perSession = perSession;
        this.ttl = ttl;
    }

    private static String events(String sessionId) {
        return RedisSessionStore.key(sessionId) + ":ev";
    }

    private static String streams(String sessionId) {
        return RedisSessionStore.key(sessionId) + ":st";
    }

    @Override
    public String append(String sessionId, String streamId, byte[] data) {
        try {
            byte[] entry = redis.script(APPEND, ScriptOutputType.VALUE,
                    new String[] {events(sessionId), streams(sessionId), RedisSessionStore.key(sessionId)},
                    SharedRedis.utf8(streamId), data,
                    SharedRedis.utf8(Integer.toString(perSession)), SharedRedis.utf8(Long.toString(ttl.toMillis())),
                    SharedRedis.utf8(OPEN + redis.livenessKey()));
            // An ended session's event is sent to a connection still carrying it, but kept nowhere.
            return streamId + "_" + (entry == null ? "0-0" : SharedRedis.string(entry));
        } catch (RedisUnavailable e) {
            // An event is stored while a call runs: never a 503, which a load balancer may retry on another
            // replica (running the call twice); the call fails here instead.
            LOG.warn("an SSE event could not be stored: {}", e.getMessage());
            throw Rejection.internal("event-store-unavailable");
        }
    }

    @Override
    public Optional<String> streamOf(String sessionId, String eventId) {
        String[] parts = split(eventId);
        if (parts == null) {
            return Optional.empty();
        }
        // Only streams this session was given can be resumed; a made-up stream id names nothing.
        byte[] state;
        try {
            state = redis.call(c -> c.hget(streams(sessionId), parts[0]));
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
        }
        return state == null ? Optional.empty() : Optional.of(parts[0]);
    }

    @Override
    public List<Event> after(String sessionId, String lastEventId) {
        String[] parts = split(lastEventId);
        if (parts == null || streamOf(sessionId, lastEventId).isEmpty()) {
            return List.of();
        }
        List<StreamMessage<String, byte[]>> entries;
        try {
            entries = redis.call(c -> c.xrange(events(sessionId),
                    Range.from(Range.Boundary.excluding(parts[1]), Range.Boundary.unbounded())));
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
        }
        List<Event> out = new ArrayList<>();
        for (StreamMessage<String, byte[]> m : entries) {
            String stream = SharedRedis.string(m.getBody().get("s"));
            if (parts[0].equals(stream)) {
                out.add(new Event(stream + "_" + m.getId(), stream, m.getBody().get("d")));
            }
        }
        return out;
    }

    // KEYS: streams, session hash; ARGV: stream id. Only while the session lives, and for no longer: a stream ended
    // after its session (deleted, expired, evicted) leaves nothing behind.
    private static final String END = """
            if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], 'ended')
            local ttl = redis.call('PTTL', KEYS[2])
            if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
            return 1
            """;

    // KEYS: streams; ARGV: stream id, the state the caller saw, this writer's state. Compare-and-set, so that of
    // replicas adopting one stream at once, one does.
    private static final String CLAIM = """
            local now = redis.call('HGET', KEYS[1], ARGV[1])
            if (now or '') ~= ARGV[2] then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            return 1
            """;

    /** Reads {@code max} entries of the session at most, whichever streams they belong to; the cursor moves past all. */
    @Override
    public Page scan(String sessionId, String cursor, int max) {
        String[] parts = split(cursor);
        if (parts == null) {
            return new Page(List.of(), cursor);
        }
        List<StreamMessage<String, byte[]>> entries;
        try {
            entries = redis.call(c -> c.xrange(events(sessionId),
                    Range.from(Range.Boundary.excluding(parts[1]), Range.Boundary.unbounded()),
                    io.lettuce.core.Limit.create(0, max)));
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
        }
        List<Event> out = new ArrayList<>();
        String last = parts[1];
        for (StreamMessage<String, byte[]> m : entries) {
            last = m.getId();
            String stream = SharedRedis.string(m.getBody().get("s"));
            if (parts[0].equals(stream)) {
                out.add(new Event(stream + "_" + m.getId(), stream, m.getBody().get("d")));
            }
        }
        return new Page(out, parts[0] + "_" + last);
    }

    @Override
    public void end(String sessionId, String streamId) {
        try {
            redis.script(END, ScriptOutputType.INTEGER,
                    new String[] {streams(sessionId), RedisSessionStore.key(sessionId)}, SharedRedis.utf8(streamId));
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
        }
    }

    /**
     * Takes the stream over when no live process writes it (it ended, or its writer died): true for exactly one of
     * several replicas trying at once.
     */
    @Override
    public boolean claim(String sessionId, String streamId) {
        try {
            String state = SharedRedis.string(redis.call(c -> c.hget(streams(sessionId), streamId)));
            if (state == null) {
                return false;
            }
            if (state.startsWith(OPEN)) {
                String writer = state.substring(OPEN.length());
                if (writer.equals(redis.livenessKey()) || redis.call(c -> c.exists(writer)) > 0) {
                    return false;
                }
            }
            Long won = redis.script(CLAIM, ScriptOutputType.INTEGER, new String[] {streams(sessionId)},
                    SharedRedis.utf8(streamId), SharedRedis.utf8(state),
                    SharedRedis.utf8(OPEN + redis.livenessKey()));
            return won != null && won == 1;
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
        }
    }

    /** Open, and its writer (the process named) is alive: a stream whose replica died is written by no one. */
    @Override
    public boolean writing(String sessionId, String streamId) {
        try {
            String state = SharedRedis.string(redis.call(c -> c.hget(streams(sessionId), streamId)));
            if (state == null || !state.startsWith(OPEN)) {
                return false;
            }
            String writer = state.substring(OPEN.length());
            return writer.equals(redis.livenessKey()) || redis.call(c -> c.exists(writer)) > 0;
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
        }
    }

    private static final String OPEN = "open:";

    @Override
    public void drop(String sessionId) {
        try {
            redis.call(c -> c.del(events(sessionId), streams(sessionId)));
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
        }
    }

    /** The SSE stream id and the Redis entry id of an event id this store minted, or null. */
    private static String[] split(String eventId) {
        int sep = eventId == null ? -1 : eventId.lastIndexOf('_');
        if (sep <= 0) {
            return null;
        }
        String stream = eventId.substring(0, sep);
        String entry = eventId.substring(sep + 1);
        if (!STREAM.matcher(stream).matches() || !ENTRY.matcher(entry).matches()) {
            return null;
        }
        try {
            // Redis entry ids are two unsigned 64-bit numbers; a larger one would be Redis's error, not a miss.
            int dash = entry.indexOf('-');
            Long.parseUnsignedLong(entry.substring(0, dash));
            Long.parseUnsignedLong(entry.substring(dash + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        return new String[] {stream, entry};
    }
}
