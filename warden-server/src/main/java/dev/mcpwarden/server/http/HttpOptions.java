package dev.mcpwarden.server.http;

import java.time.Duration;
import java.util.Set;

/**
 * How Streamable HTTP is served.
 *
 * @param host             interface to bind; loopback by default
 * @param port             TCP port; 0 picks a free one
 * @param path             the MCP endpoint path
 * @param allowedHosts     {@code Host} names accepted besides the loopback names (DNS-rebinding defence)
 * @param allowedOrigins   browser {@code Origin}s accepted besides loopback origins, e.g. {@code https://app.example};
 *                         these (and only these) also get CORS headers, so browser apps there can read responses
 * @param maxBodyBytes     largest request body accepted (413 beyond)
 * @param maxJsonDepth     deepest JSON nesting accepted (parse error beyond)
 * @param maxSessions      2025-era sessions kept at once
 * @param sessionIdle      idle time after which a 2025-era session ends
 * @param eventsPerSession SSE events kept per session for {@code Last-Event-ID} resumption
 * @param sseRetry         the {@code retry} interval sent to 2025-11-25 clients
 * @param keepAlive        interval of SSE keep-alive comments on long-lived streams
 * @param limits           what one caller, or all together, may hold of the transport (body bytes in flight, the
 *                         slowest body, session rates); see docs/transport-safety.md
 */
public record HttpOptions(String host, int port, String path, Set<String> allowedHosts, Set<String> allowedOrigins,
                          int maxBodyBytes, int maxJsonDepth, int maxSessions, Duration sessionIdle,
                          int eventsPerSession, Duration sseRetry, Duration keepAlive, TransportLimits limits) {

    /** With the default {@link TransportLimits}. */
    public HttpOptions(String host, int port, String path, Set<String> allowedHosts, Set<String> allowedOrigins,
                       int maxBodyBytes, int maxJsonDepth, int maxSessions, Duration sessionIdle,
                       int eventsPerSession, Duration sseRetry, Duration keepAlive) {
        this(host, port, path, allowedHosts, allowedOrigins, maxBodyBytes, maxJsonDepth, maxSessions, sessionIdle,
                eventsPerSession, sseRetry, keepAlive, TransportLimits.DEFAULTS);
    }

    public HttpOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must be set");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /, was " + path);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1024, was " + maxBodyBytes);
        }
        if (maxJsonDepth < 8 || maxJsonDepth > 1000) {
            throw new IllegalArgumentException("maxJsonDepth must be between 8 and 1000, was " + maxJsonDepth);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be positive, was " + maxSessions);
        }
        if (!sessionIdle.isPositive() || !sseRetry.isPositive() || !keepAlive.isPositive()) {
            throw new IllegalArgumentException("sessionIdle, sseRetry and keepAlive must be positive");
        }
        if (eventsPerSession < 1) {
            throw new IllegalArgumentException("eventsPerSession must be positive, was " + eventsPerSession);
        }
        allowedHosts = Set.copyOf(allowedHosts);
        allowedOrigins = Set.copyOf(allowedOrigins);
        java.util.Objects.requireNonNull(limits, "limits");
    }

    /** Loopback on {@code port} at {@code /mcp}, with the default limits. */
    public static HttpOptions loopback(int port) {
        return new HttpOptions("127.0.0.1", port, "/mcp", Set.of(), Set.of(), 4 * 1024 * 1024, 64, 10_000,
                Duration.ofMinutes(30), 1_000, Duration.ofSeconds(1), Duration.ofSeconds(15));
    }

    /** These options on another port (e.g. one given on the command line). */
    public HttpOptions withPort(int newPort) {
        return new HttpOptions(host, newPort, path, allowedHosts, allowedOrigins, maxBodyBytes, maxJsonDepth,
                maxSessions, sessionIdle, eventsPerSession, sseRetry, keepAlive, limits);
    }

    public HttpOptions withHost(String newHost) {
        return new HttpOptions(newHost, port, path, allowedHosts, allowedOrigins, maxBodyBytes, maxJsonDepth,
                maxSessions, sessionIdle, eventsPerSession, sseRetry, keepAlive, limits);
    }

    public HttpOptions withAllowed(Set<String> hosts, Set<String> origins) {
        return new HttpOptions(host, port, path, hosts, origins, maxBodyBytes, maxJsonDepth, maxSessions,
                sessionIdle, eventsPerSession, sseRetry, keepAlive, limits);
    }

    public HttpOptions withMaxBodyBytes(int bytes) {
        return new HttpOptions(host, port, path, allowedHosts, allowedOrigins, bytes, maxJsonDepth, maxSessions,
                sessionIdle, eventsPerSession, sseRetry, keepAlive, limits);
    }

    public HttpOptions withLimits(TransportLimits newLimits) {
        return new HttpOptions(host, port, path, allowedHosts, allowedOrigins, maxBodyBytes, maxJsonDepth,
                maxSessions, sessionIdle, eventsPerSession, sseRetry, keepAlive, newLimits);
    }

    public HttpOptions withMaxJsonDepth(int depth) {
        return new HttpOptions(host, port, path, allowedHosts, allowedOrigins, maxBodyBytes, depth, maxSessions,
                sessionIdle, eventsPerSession, sseRetry, keepAlive, limits);
    }
}
