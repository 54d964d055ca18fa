package dev.mcpwarden.redis;

/** Redis could not be reached or did not answer in time; what needs it fails closed. */
public final class RedisUnavailable extends RuntimeException {

    RedisUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
