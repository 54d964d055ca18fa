package dev.mcpwarden.config;

import dev.mcpwarden.security.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where what replicas must share is kept ({@code store} in {@code warden.yaml}): this process's memory (one
 * replica), or one Redis shared by every replica. See {@code docs/scaling.md}.
 */
public sealed interface StoreConfig {

    /** Everything in this process's memory: one replica. */
    record Memory() implements StoreConfig {
    }

    /**
     * One Redis for 2025 sessions and their events, rate limits (unless the limiter names its own), replay caches
     * and the embedded authorization server's state.
     *
     * @param urls     one standalone or Sentinel URL, or a Cluster's seed nodes; never with credentials in them
     * @param cluster  whether {@code urls} are Cluster nodes
     * @param password the password, as a secret reference
     * @param timeout  how long one command may take before what needs it fails closed (503)
     * @param trust    PEM certificates a {@code rediss://} server's chain must lead to (a private CA), as a secret
     *                 reference; empty: the JVM's trust store
     */
    record Redis(List<URI> urls, boolean cluster, Optional<Secret> password, Duration timeout,
                 Optional<Secret> trust) implements StoreConfig {
        public Redis {
            urls = List.copyOf(urls);
            Objects.requireNonNull(password, "password (use Optional.empty() for none)");
            Objects.requireNonNull(trust, "trust (use Optional.empty() for the JVM's trust store)");
            Objects.requireNonNull(timeout, "timeout");
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("a Redis store needs a url or cluster nodes");
            }
            if (!cluster && urls.size() > 1) {
                throw new IllegalArgumentException("several Redis URLs are a Cluster's nodes");
            }
            for (URI u : urls) {
                if (u.getRawUserInfo() != null) {
                    // a password in the URL would end up in logs and in this file; it belongs in a secret reference
                    throw new IllegalArgumentException("a Redis URL must not carry credentials; give the password "
                            + "as a secret reference instead (" + u.getScheme() + "://" + u.getHost() + ")");
                }
                if (cluster && u.getScheme() != null && u.getScheme().contains("sentinel")) {
                    throw new IllegalArgumentException("a Cluster's nodes are redis:// or rediss:// URLs");
                }
                if (trust.isPresent() && (u.getScheme() == null || !u.getScheme().startsWith("rediss"))) {
                    throw new IllegalArgumentException("CA certificates are for rediss:// URLs: with redis:// the "
                            + "connection (and its password) would not be encrypted");
                }
            }
            if (!timeout.isPositive()) {
                throw new IllegalArgumentException("the timeout must be positive");
            }
        }

        /** Trusting the JVM's trust store for {@code rediss://}. */
        public Redis(List<URI> urls, boolean cluster, Optional<Secret> password, Duration timeout) {
            this(urls, cluster, password, timeout, Optional.empty());
        }

        /** The same Redis as a rate limiter's ({@code security.rate-limits.limiter}) and replay caches'. */
        public dev.mcpwarden.security.ratelimit.LimiterConfig.Redis limiter() {
            return new dev.mcpwarden.security.ratelimit.LimiterConfig.Redis(urls, cluster, password, trust);
        }
    }

    /** The default: this process's memory. */
    static StoreConfig memory() {
        return new Memory();
    }
}
