package dev.mcpwarden.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of {@link RedisAuthStore}. Redis runs a script without interleaving any other command, which is
 * what makes a check-then-change atomic across every replica. Each script touches exactly one key (given in KEYS),
 * so it also runs on Redis Cluster. Expiry instants are compared as (epoch second, nano) pairs: Lua numbers are
 * doubles and epoch nanoseconds would not fit exactly.
 */
final class Lua {

    private static final String BEFORE = """
            local function before(ns, nn, es, en)
              ns = tonumber(ns); nn = tonumber(nn); es = tonumber(es); en = tonumber(en)
              return ns < es or (ns == es and nn < en)
            end
            """;

    /** Appends the access tokens of a grant hash (fields {@code at:<jti>}, values the expiry) to {@code out}. */
    private static final String ACCESS_TOKENS = """
            local function accessTokens(key, out)
              local all = redis.call('HGETALL', key)
              for i = 1, #all, 2 do
                if string.sub(all[i], 1, 3) == 'at:' then
                  table.insert(out, string.sub(all[i], 4))
                  table.insert(out, all[i + 1])
                end
              end
              return out
            end
            """;

    /** Replaces a hash with the given fields and time to live, in one step (never a key without a TTL). */
    static final Lua PUT_HASH = new Lua("""
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return 1
            """);

    /** ARGV: now (second, nano). The first use within the lifetime marks the code used. */
    static final Lua REDEEM_CODE = new Lua(BEFORE + """
            local v = redis.call('HMGET', KEYS[1], 'record', 'used', 'es', 'en')
            if not v[1] then return {'invalid'} end
            if v[2] == '1' then return {'replayed', v[1]} end
            if not before(ARGV[1], ARGV[2], v[3], v[4]) then return {'invalid'} end
            redis.call('HSET', KEYS[1], 'used', '1')
            return {'redeemed', v[1]}
            """);

    /**
     * ARGV: presented hash, new hash, now (second, nano). The current token rotates; any other token of a live
     * family revokes it and returns its access tokens, to be revoked too.
     */
    static final Lua ROTATE_REFRESH = new Lua(BEFORE + ACCESS_TOKENS + """
            local v = redis.call('HMGET', KEYS[1], 'record', 'revoked', 'current', 'es', 'en')
            if not v[1] then return {'invalid'} end
            if v[2] == '1' or not before(ARGV[3], ARGV[4], v[4], v[5]) then return {'invalid'} end
            if v[3] ~= ARGV[1] then
              redis.call('HSET', KEYS[1], 'revoked', '1')
              redis.call('HDEL', KEYS[1], 'current')
              return accessTokens(KEYS[1], {'reused', v[1]})
            end
            redis.call('HSET', KEYS[1], 'current', ARGV[2])
            return {'rotated', v[1]}
            """);

    /**
     * ARGV: jti, expiry. Remembers the token with its grant; 1 if the grant is already revoked (the caller then
     * revokes the token), 0 if not, -1 if there is no such grant.
     */
    static final Lua RECORD_ACCESS_TOKEN = new Lua("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
            redis.call('HSET', KEYS[1], 'at:' .. ARGV[1], ARGV[2])
            if redis.call('HGET', KEYS[1], 'revoked') == '1' then return 1 end
            return 0
            """);

    /** Revokes the family and returns its access tokens (jti, expiry pairs); nothing if there is no such grant. */
    static final Lua REVOKE_GRANT = new Lua(ACCESS_TOKENS + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
            redis.call('HSET', KEYS[1], 'revoked', '1')
            redis.call('HDEL', KEYS[1], 'current')
            return accessTokens(KEYS[1], {})
            """);

    final String source;
    final String sha;

    private Lua(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the script by its digest, sending the source only when Redis does not have it yet (or any more). */
    <T> T run(RedisClusterCommands<String, String> redis, ScriptOutputType type, String[] keys, String... args) {
        try {
            return redis.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(source, type, keys, args);
        }
    }
}
