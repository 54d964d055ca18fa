package dev.mcpwarden.redis;

import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.authserver.store.StoreUnavailableException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * {@link LoginAttempts} counted in Redis, so every replica sees every failed check: the free failures of a budget
 * across the whole fleet, then blocks that hold on every replica. One key per budget and counted key,
 * {@code <namespace>login:<budget prefix><sha256 of the key>} (a user name in lower case; no names or addresses in
 * Redis), a hash of the failures in a row and the end of the block.
 *
 * <p>An attempt is one Lua script (check the block, count, set the next block, renew the time to live), which
 * Redis runs without interleaving any other command: parallel guesses on many replicas are counted one after the
 * other, so no burst gets past the one that blocks. A success is one {@code DEL} (atomic by itself), or for the
 * address budget one script that takes back a single attempt. The block is computed from the authorization
 * server's {@code now}, as in memory; replicas' clocks agree well enough for blocks of seconds to minutes.
 *
 * <p>A key's failures are forgotten its budget's {@link LoginAttempts.Budget#memory()} after its last counted
 * attempt (and never before its block ends), which also bounds what a flood of made-up names leaves behind. When
 * Redis does not answer within the timeout, both methods throw {@link StoreUnavailableException}: the sign-in is
 * refused with 503 rather than let through uncounted.
 */
final class RedisLoginAttempts implements LoginAttempts {

    /** How long a name's failures in a row are remembered after its last counted attempt. */
    static final Duration FORGET_AFTER = Budget.USER.memory();

    // KEYS: the key. ARGV: now (epoch ms), free failures, first block (ms), longest block (ms), memory (ms).
    // Returns {1, failures} when the attempt may go ahead (and was counted), {0, ms left} while the key is blocked
    // (nothing counted). Epoch milliseconds are exact in Lua's doubles (below 2^53).
    private static final String ATTEMPT = """
            local now = tonumber(ARGV[1])
            local v = redis.call('HMGET', KEYS[1], 'count', 'until')
            local blockedUntil = tonumber(v[2]) or 0
            if now < blockedUntil then return {0, blockedUntil - now} end
            local count = (tonumber(v[1]) or 0) + 1
            local free = tonumber(ARGV[2])
            local block = 0
            if count > free then
              block = math.min(tonumber(ARGV[3]) * 2 ^ math.min(count - free - 1, 10), tonumber(ARGV[4]))
              blockedUntil = now + block
            end
            redis.call('HSET', KEYS[1], 'count', count, 'until', string.format('%d', blockedUntil))
            redis.call('PEXPIRE', KEYS[1], string.format('%d', block + tonumber(ARGV[5])))
            return {1, count}
            """;

    // KEYS: the key. ARGV: free failures. Takes back one counted attempt; back within the free ones, the block that
    // attempt may have set is lifted. The time to live stays.
    private static final String REFUND = """
            local count = tonumber(redis.call('HGET', KEYS[1], 'count'))
            if not count then return 0 end
            count = count - 1
            if count <= 0 then redis.call('DEL', KEYS[1]) return 0 end
            redis.call('HSET', KEYS[1], 'count', count)
            if count <= tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'until', '0') end
            return count
            """;

    private final SharedRedis redis;
    private final String prefix;

    RedisLoginAttempts(SharedRedis redis, String namespace) {
        this.redis = redis;
        this.prefix = namespace + "login:";
    }

    @Override
    public Outcome attempt(Budget budget, String key, Instant now) {
        List<Object> r;
        try {
            r = redis.script(ATTEMPT, ScriptOutputType.MULTI, new String[] {key(budget, key)},
                    number(now.toEpochMilli()), number(budget.freeFailures()),
                    number(LoginAttempts.FIRST_BLOCK.toMillis()), number(LoginAttempts.LONGEST_BLOCK.toMillis()),
                    number(budget.memory().toMillis()));
        } catch (RedisUnavailable e) {
            throw new StoreUnavailableException("the failed sign-ins cannot be counted: " + e.getMessage(), e);
        }
        long allowed = (Long) r.get(0);
        long value = (Long) r.get(1);
        return allowed == 1 ? Outcome.allowed((int) value) : Outcome.blocked(Duration.ofMillis(value));
    }

    @Override
    public void succeeded(Budget budget, String key) {
        try {
            if (budget.forgetsOnSuccess()) {
                redis.call(c -> c.del(key(budget, key)));
            } else {
                redis.script(REFUND, ScriptOutputType.INTEGER, new String[] {key(budget, key)},
                        number(budget.freeFailures()));
            }
        } catch (RedisUnavailable e) {
            throw new StoreUnavailableException("the failed sign-ins cannot be reset: " + e.getMessage(), e);
        }
    }

    /** The key of a user name (the user budget). */
    String key(String username) {
        return key(Budget.USER, username);
    }

    String key(Budget budget, String key) {
        try {
            return prefix + budget.prefix() + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(budget.normalize(key).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] number(long n) {
        return SharedRedis.utf8(Long.toString(n));
    }
}
