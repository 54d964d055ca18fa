package dev.mcpwarden.security.ratelimit;

import dev.mcpwarden.security.Secret;
import java.net.URI;
import java.util.List;
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
     * Buckets in Redis, so every replica counts against the same limits: a standalone Redis, one named by
     * Sentinel, or a Cluster.
     *
     * @param urls     one {@code redis://host:port[/db]} or {@code rediss://...} (TLS) URL, one
     *                 {@code redis-sentinel://host:port[/db]#master} URL, or a Cluster's seed nodes; never with a
     *                 password in them
     * @param cluster  whether {@code urls} are a Cluster's nodes
     * @param password the password, or empty when Redis needs none
     * @param trust    PEM certificates a {@code rediss://} server's chain must lead to (a private CA), or empty for
     *                 the JVM's trust store
     */
    record Redis(List<URI> urls, boolean cluster, Optional<Secret> password, Optional<Secret> trust)
            implements LimiterConfig {
        private static final List<String> SCHEMES = List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel");

        public Redis {
            urls = List.copyOf(urls);
            Objects.requireNonNull(password, "password (use Optional.empty() for none)");
            Objects.requireNonNull(trust, "trust (use Optional.empty() for the JVM's trust store)");
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("a Redis limiter needs a url or cluster nodes");
            }
            if (!cluster && urls.size() > 1) {
                throw new IllegalArgumentException("several Redis URLs are a Cluster's nodes");
            }
            for (URI url : urls) {
                if (!SCHEMES.contains(url.getScheme()) || url.getHost() == null) {
                    throw new IllegalArgumentException("redis url must be redis://host:port, rediss://host:port or "
                            + "redis-sentinel://host:port#master, was " + url.getScheme() + "://" + url.getHost());
                }
                if (url.getRawUserInfo() != null) {
                    // a password in the URL would end up in logs and in this file; it belongs in a secret reference
                    throw new IllegalArgumentException("redis url must not carry credentials; give the password as"
                            + " a secret reference instead (" + url.getScheme() + "://" + url.getHost() + ")");
                }
                if (cluster && url.getScheme().contains("sentinel")) {
                    throw new IllegalArgumentException("a Cluster's nodes are redis:// or rediss:// URLs");
                }
                if (trust.isPresent() && !url.getScheme().startsWith("rediss")) {
                    throw new IllegalArgumentException("CA certificates are for rediss:// URLs: with redis:// the "
                            + "connection (and its password) would not be encrypted");
                }
            }
        }

        /** One standalone Redis (or one Sentinel URL), trusting the JVM's trust store for TLS. */
        public Redis(URI url, Optional<Secret> password) {
            this(List.of(Objects.requireNonNull(url, "url")), false, password, Optional.empty());
        }

        /** The first (for a standalone or Sentinel Redis, the only) URL. */
        public URI url() {
            return urls.getFirst();
        }
    }

    /** 100,000 buckets in memory. */
    static LimiterConfig local() {
        return new Local(100_000);
    }
}
