package dev.mcpwarden.security.ratelimit;

import dev.mcpwarden.security.Secret;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/** Where rate limits are counted: in this process, or in Redis shared by every replica. */
public sealed interface LimiterConfig {

    /**
     * Token buckets in this process's memory ({@link LocalRateLimiter}).
     *
     * @param maxKeys buckets kept at once (one per rule and key); the least recently used beyond this start full
     */
    record Local(int maxKeys) implements LimiterConfig {
        public Local {
            if (maxKeys < 1 || maxKeys > 100_000_000) {
                throw new IllegalArgumentException("local limiter capacity must be between 1 and 100000000, was "
                        + maxKeys);
            }
        }
    }

    /**
     * Buckets in Redis, so every replica counts against the same limits.
     *
     * @param url      {@code redis://host:port[/db]} or {@code rediss://...} (TLS); never with a password in it
     * @param password the password, or empty when Redis needs none
     */
    record Redis(URI url, Optional<Secret> password) implements LimiterConfig {
        public Redis {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(password, "password (use Optional.empty() for none)");
            if (!("redis".equals(url.getScheme()) || "rediss".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("redis url must be redis://host:port or rediss://host:port, was "
                        + url.getScheme() + "://" + url.getHost());
            }
            if (url.getRawUserInfo() != null) {
                // a password in the URL would end up in logs and in this file; it belongs in a secret reference
                throw new IllegalArgumentException("redis url must not carry credentials; give the password as a"
                        + " secret reference instead (redis://" + url.getHost() + ")");
            }
        }
    }

    /** 100,000 buckets in memory. */
    static LimiterConfig local() {
        return new Local(100_000);
    }
}
