package dev.mcpwarden.server.pipeline;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Correlation ids for requests: a random per-process prefix and a counter, e.g. {@code 3f9a1c07e2b4-000000002a}.
 * Unique across replicas and restarts with overwhelming probability, cheap (no randomness per request), and not a
 * secret: they only tie the records of one request together.
 */
public final class CorrelationIds {

    private static final String PREFIX;
    private static final AtomicLong COUNTER = new AtomicLong();

    static {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        PREFIX = HexFormat.of().formatHex(b) + "-";
    }

    private CorrelationIds() {
    }

    /** A new id. */
    public static String next() {
        String n = Long.toHexString(COUNTER.incrementAndGet());
        return PREFIX + "0".repeat(Math.max(0, 10 - n.length())) + n;
    }
}
