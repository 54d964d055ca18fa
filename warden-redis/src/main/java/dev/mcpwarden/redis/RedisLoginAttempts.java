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

/**
 * {@link LoginAttempts} counted in Redis, so every replica sees every failed sign-in: five free failures across the
 * whole fleet, then blocks that hold on every replica. One key per name, {@code <namespace>login:<sha256 of the
 * lower-case name>} (no usernames in Redis), a hash of the failures in a row and the end of the block.
 *
 * <p>An attempt is one Lua script (check the block, count, set the next block, renew the time to live), which
 * Redis runs without interleaving any other command: parallel guesses on many replicas are counted one after the
 * other, so no burst gets past the sixth. A success is one {@code DEL}, atomic by itself. The block is computed
 * from the authorization server's {@code now}, as in memory; replicas' clocks agree well enough for blocks of
 * seconds to minutes.
 *
 * <p>Unlike memory, a shared store cannot keep counts for ever: a name's failures are forgotten
 * {@link #FORGET_AFTER} after its last counted attempt (and never before its block ends), which also bounds what a
 * flood of made-up names leaves behind. When Redis does not answer within the timeout, both methods throw
 * {@link StoreUnavailableException}: the sign-in is refused with 503 rather than let through uncounted.
 */
final class RedisLoginAttempts implements LoginAttempts {

    /** How long a name's failures in a row are remembered after its last counted attempt. */
    static final Duration FORGET_AFTER = Duration.ofDays(1);

    // KEYS: the name's key. ARGV: now (epoch ms), free failures, first block (ms), longest block (ms), memory (ms).
    // Returns 1 when the attempt may go ahead (and was counted), 0 while the name is blocked (nothing counted).
    // Epoch milliseconds are exact in Lua's doubles (below 2^53).
    private static final String ATTEMPT = """
            local now = tonumber(ARGV[1])
            local v = redis.call('HMGET', KEYS[1], 'count', 'until')
            local blockedUntil = tonumber(v[2]) or 0
            if now < blockedUntil then return 0 end
            local count = (tonumber(v[1]) or 0) + 1
            local free = tonumber(ARGV[2])
            local block = 0
            if count > free then
              block = math.min(tonumber(ARGV[3]) * 2 ^ math.min(count - free - 1, 10), tonumber(ARGV[4]))
              blockedUntil = now + block
            end
            redis.call('HSET', KEYS[1], 'count', count, 'until', string.format('%d', blockedUntil))
            redis.call('PEXPIRE', KEYS[1], string.format('%d', block + tonumber(ARGV[5])))
            return 1
            """;

    private final SharedRedis redis;
    private final String prefix;

    RedisLoginAttempts(SharedRedis redis, String namespace) {
        this.redis = redis;
        this.prefix = namespace + "login:";
    }

    @Override
    public boolean attempt(String username, Instant now) {
        Long allowed;
        try {
            allowed = redis.script(ATTEMPT, ScriptOutputType.INTEGER, new String[] {key(username)},
                    number(now.toEpochMilli()), number(LoginAttempts.FREE_FAILURES),
                    number(LoginAttempts.FIRST_BLOCK.toMillis()), number(LoginAttempts.LONGEST_BLOCK.toMillis()),
                    number(FORGET_AFTER.toMillis()));
        } catch (RedisUnavailable e) {
            throw new StoreUnavailableException("the failed sign-ins cannot be counted: " + e.getMessage(), e);
        }
        return allowed != null && allowed == 1;
    }

    @Override
    public void succeeded(String username) {
        try {
            redis.call(c -> c.del(key(username)));
        } catch (RedisUnavailable e) {
            throw new StoreUnavailableException("the failed sign-ins cannot be reset: " + e.getMessage(), e);
        }
    }

    String key(String username) {
        try {
            return prefix + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(LoginAttempts.normalized(username).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] number(long n) {
        return SharedRedis.utf8(Long.toString(n));
    }
}
