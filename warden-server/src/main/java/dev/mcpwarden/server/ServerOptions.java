package dev.mcpwarden.server;

import java.time.Duration;

/**
 * Tunables of the protocol layer, validated on construction.
 *
 * @param pageSize             items per page of list results
 * @param cacheTtl             {@code ttlMs} sent on cacheable results (2026 wire); zero means "do not cache"
 * @param cacheScope           {@code cacheScope} sent on cacheable results
 * @param requestStateTtl      how long a sealed multi round-trip {@code requestState} stays valid
 * @param clientRequestTimeout how long a 2025-era server-to-client request (sampling, elicitation) may wait
 */
public record ServerOptions(int pageSize, Duration cacheTtl, CacheScope cacheScope, Duration requestStateTtl,
                            Duration clientRequestTimeout) {

    public ServerOptions {
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("pageSize must be between 1 and 10000, was " + pageSize);
        }
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("cacheTtl must not be negative, was " + cacheTtl);
        }
        if (!requestStateTtl.isPositive()) {
            throw new IllegalArgumentException("requestStateTtl must be positive, was " + requestStateTtl);
        }
        if (!clientRequestTimeout.isPositive()) {
            throw new IllegalArgumentException("clientRequestTimeout must be positive, was " + clientRequestTimeout);
        }
    }

    public static ServerOptions defaults() {
        return new ServerOptions(100, Duration.ZERO, CacheScope.PRIVATE, Duration.ofMinutes(10),
                Duration.ofMinutes(5));
    }

    public ServerOptions withPageSize(int size) {
        return new ServerOptions(size, cacheTtl, cacheScope, requestStateTtl, clientRequestTimeout);
    }

    public ServerOptions withCache(Duration ttl, CacheScope scope) {
        return new ServerOptions(pageSize, ttl, scope, requestStateTtl, clientRequestTimeout);
    }
}
