package dev.mcpwarden.server.http;

import java.time.Duration;

/**
 * What one caller, or all of them together, may hold of a Streamable HTTP transport before it refuses: request body
 * bytes being received, how slowly a body may arrive, and how often one principal may start, stream and end 2025
 * sessions. See docs/transport-safety.md.
 *
 * @param bodyBytesInFlight  body bytes all requests together may hold while their bodies are being received; a
 *                           buffer grows with what arrives (never sized from {@code Content-Length} up front), and
 *                           a request whose next chunk would pass the bound is refused with 503 and
 *                           {@code Retry-After}
 * @param minBodyBytesPerSecond the slowest average rate a body may arrive at, counted from the request head once
 *                           {@code bodyGrace} has passed; slower, the request is refused with 408 and the
 *                           connection closed, before anything of it is processed
 * @param bodyGrace          how long a body may take before the minimum rate applies (slow starts, small bodies)
 * @param sessionStarts      how often one principal may {@code initialize} a 2025 session (429 beyond)
 * @param sessionRequests    how often one principal may open a GET stream, and separately end a session with
 *                           DELETE (429 beyond)
 * @param networkShares      into how many shares {@code bodyBytesInFlight} is cut: one network (an IPv4 address, an
 *                           IPv6 /64) holds at most one share, so one client cannot spend the whole budget; 1: no
 *                           per-network bound (behind a proxy that hides the clients' addresses, every client is the
 *                           proxy's network)
 */
public record TransportLimits(long bodyBytesInFlight, int minBodyBytesPerSecond, Duration bodyGrace,
                              Rate sessionStarts, Rate sessionRequests, int networkShares) {

    /** The default {@code networkShares}: one network holds at most an eighth of the body budget. */
    public static final int NETWORK_SHARES = 8;

    /**
     * The defaults: 64 MiB of bodies in flight, 8 KiB/s after 10 s, 60 session starts then 2/s, and 240 GET streams
     * (and separately 240 DELETEs) then 40/s: room for a principal whose many sessions poll their streams.
     */
    public static final TransportLimits DEFAULTS = new TransportLimits(64L * 1024 * 1024, 8 * 1024,
            Duration.ofSeconds(10), new Rate(60, 2), new Rate(240, 40), NETWORK_SHARES);

    /** With the default {@link #NETWORK_SHARES}. */
    public TransportLimits(long bodyBytesInFlight, int minBodyBytesPerSecond, Duration bodyGrace, Rate sessionStarts,
                           Rate sessionRequests) {
        this(bodyBytesInFlight, minBodyBytesPerSecond, bodyGrace, sessionStarts, sessionRequests, NETWORK_SHARES);
    }

    /**
     * A token bucket: {@code burst} at once, refilled at {@code perSecond}.
     *
     * @param burst     how many may come at once
     * @param perSecond how many more each second after that
     */
    public record Rate(int burst, double perSecond) {
        public Rate {
            if (burst < 1) {
                throw new IllegalArgumentException("a rate's burst must be at least 1, was " + burst);
            }
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("a rate's perSecond must be positive, was " + perSecond);
            }
        }
    }

    public TransportLimits {
        if (bodyBytesInFlight < 64 * 1024) {
            throw new IllegalArgumentException("bodyBytesInFlight must be at least 65536, was " + bodyBytesInFlight);
        }
        if (minBodyBytesPerSecond < 1) {
            throw new IllegalArgumentException("minBodyBytesPerSecond must be positive, was "
                    + minBodyBytesPerSecond);
        }
        if (bodyGrace == null || !bodyGrace.isPositive()) {
            throw new IllegalArgumentException("bodyGrace must be positive, was " + bodyGrace);
        }
        java.util.Objects.requireNonNull(sessionStarts, "sessionStarts");
        java.util.Objects.requireNonNull(sessionRequests, "sessionRequests");
        if (networkShares < 1 || networkShares > 1024) {
            throw new IllegalArgumentException("networkShares must be between 1 and 1024, was " + networkShares);
        }
    }

    public TransportLimits withBodyBytesInFlight(long bytes) {
        return new TransportLimits(bytes, minBodyBytesPerSecond, bodyGrace, sessionStarts, sessionRequests,
                networkShares);
    }

    public TransportLimits withMinBodyRate(int bytesPerSecond, Duration grace) {
        return new TransportLimits(bodyBytesInFlight, bytesPerSecond, grace, sessionStarts, sessionRequests,
                networkShares);
    }

    public TransportLimits withSessionStarts(Rate rate) {
        return new TransportLimits(bodyBytesInFlight, minBodyBytesPerSecond, bodyGrace, rate, sessionRequests,
                networkShares);
    }

    public TransportLimits withSessionRequests(Rate rate) {
        return new TransportLimits(bodyBytesInFlight, minBodyBytesPerSecond, bodyGrace, sessionStarts, rate,
                networkShares);
    }

    public TransportLimits withNetworkShares(int shares) {
        return new TransportLimits(bodyBytesInFlight, minBodyBytesPerSecond, bodyGrace, sessionStarts, sessionRequests,
                shares);
    }
}
