package dev.mcpwarden.redis;

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

    private static final Pattern STREAM = Pattern.compile("[A-Za-z0-9]{1,64}");
    private static final Pattern ENTRY = Pattern.compile("\\d{1,20}-\\d{1,20}");

    // KEYS: events, streams; ARGV: stream id, data, cap, ttl ms, 'open:' + this process's liveness key
    private static final String APPEND = """
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
                    new String[] {events(sessionId), streams(sessionId)}, SharedRedis.utf8(streamId), data,
                    SharedRedis.utf8(Integer.toString(perSession)), SharedRedis.utf8(Long.toString(ttl.toMillis())),
                    SharedRedis.utf8(OPEN + redis.livenessKey()));
            return streamId + "_" + SharedRedis.string(entry);
        } catch (RedisUnavailable e) {
            throw RedisSessionStore.unavailable(e);
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

    @Override
    public void end(String sessionId, String streamId) {
        try {
            redis.call(c -> c.hset(streams(sessionId), streamId, SharedRedis.utf8("ended")));
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
        return STREAM.matcher(stream).matches() && ENTRY.matcher(entry).matches()
                ? new String[] {stream, entry} : null;
    }
}
