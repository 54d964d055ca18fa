package dev.mcpwarden.authserver;

import java.time.Duration;

/**
 * How much state anonymous callers may make the authorization server keep, and how long it keeps it. Each endpoint
 * that creates state without a signed-in user has a quota per network address and one for everyone together, so
 * the state is bounded by rate times lifetime (with the defaults: at most 7,200 registrations nobody used and
 * 12,000 pending authorization requests at any time).
 *
 * @param registrationsPerAddress dynamic registrations (RFC 7591) one address may make per minute
 * @param registrations           dynamic registrations all addresses together may make per minute
 * @param authorizationsPerAddress authorization requests ({@code /authorize}) one address may start per minute
 * @param authorizations          authorization requests all addresses together may start per minute
 * @param unusedClientTtl         how long a dynamically registered client is kept before its first token
 * @param clientRetention         how long a dynamically registered client is kept after its last token
 * @param consentTtl              how long a remembered consent spares the user the consent page
 */
public record AuthServerLimits(int registrationsPerAddress, int registrations, int authorizationsPerAddress,
                               int authorizations, Duration unusedClientTtl, Duration clientRetention,
                               Duration consentTtl) {

    public AuthServerLimits {
        positive("registrationsPerAddress", registrationsPerAddress);
        positive("registrations", registrations);
        positive("authorizationsPerAddress", authorizationsPerAddress);
        positive("authorizations", authorizations);
        between("unusedClientTtl", unusedClientTtl, Duration.ofMinutes(5), Duration.ofDays(7));
        between("clientRetention", clientRetention, unusedClientTtl, Duration.ofDays(365));
        between("consentTtl", consentTtl, Duration.ofMinutes(1), Duration.ofDays(365));
    }

    /**
     * Registrations: 10 per minute per address, 120 for everyone; authorization requests: 60 and 1,200; an unused
     * registration lives 1 hour, a used one 90 days after its last token; consent is remembered 30 days.
     */
    public static AuthServerLimits defaults() {
        return new AuthServerLimits(10, 120, 60, 1200, Duration.ofHours(1), Duration.ofDays(90),
                Duration.ofDays(30));
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + v);
        }
    }

    private static void between(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + d);
        }
    }
}
