package dev.mcpwarden.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.Base64;

/**
 * Callers' tokens exchanged (RFC 8693) for tokens of one upstream: each asked of the token endpoint on a caller's
 * first call (once, however many of the caller's calls arrive together), kept by the digest of the caller's token
 * (never the token itself) until shortly before the exchanged one expires and never past the caller's own token's
 * expiry, for at most {@link #MAX_CALLERS} callers (the least recently used go first).
 */
final class ExchangedTokens {

    /** Callers whose exchanged tokens are kept at once: one caller cannot grow the cache without bound. */
    static final int MAX_CALLERS = 10_000;

    private final String upstream;
    private final UpstreamConfig.TokenExchange exchange;
    private final URI resource;
    private final InstantSource clock;
    private final Cache<String, UpstreamTokens.Held> held = Caffeine.newBuilder().maximumSize(MAX_CALLERS).build();
    /** Exchanges under way, by caller: the caller's other calls wait for it instead of exchanging again. */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<
            UpstreamTokens.Held>> asking = new java.util.concurrent.ConcurrentHashMap<>();

    ExchangedTokens(String upstream, UpstreamConfig.TokenExchange exchange, URI upstreamUrl, InstantSource clock) {
        this.upstream = upstream;
        this.exchange = exchange;
        this.resource = exchange.resource().orElse(upstreamUrl);
        this.clock = clock;
    }

    /**
     * The upstream's token for the caller who presented {@code subject}.
     *
     * @throws UpstreamTokens.NoToken when the authorization server exchanges none
     */
    String tokenFor(String subject) {
        String key = digest(subject);
        UpstreamTokens.Held h = held.getIfPresent(key);
        if (h == null || !clock.instant().isBefore(h.renewAt())) {
            h = exchange(key, subject);
        }
        if (h.token() == null) {
            throw new UpstreamTokens.NoToken(h.refusal()); // refused a moment ago: not asked again yet
        }
        return h.token();
    }

    /** Asks the token endpoint, or waits for the caller's exchange already under way. */
    private UpstreamTokens.Held exchange(String key, String subject) {
        java.util.concurrent.CompletableFuture<UpstreamTokens.Held> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<UpstreamTokens.Held> theirs = asking.putIfAbsent(key, mine);
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            UpstreamTokens.Held h = held.getIfPresent(key); // another exchange may have ended since this one looked
            if (h == null || !clock.instant().isBefore(h.renewAt())) {
                h = ask(key, subject);
            }
            mine.complete(h);
            return h;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            asking.remove(key, mine);
        }
    }

    private UpstreamTokens.Held ask(String key, String subject) {
        java.time.Instant now = clock.instant();
        UpstreamTokens.Held fresh;
        try {
            fresh = UpstreamTokens.request(upstream, exchange.tokenEndpoint(), exchange.clientId(),
                    exchange.clientSecret(), grant(subject), exchange.scopes(), resource, clock,
                    "to exchange the caller's token");
        } catch (UpstreamTokens.NoToken e) {
            // a caller whose token is refused must not make every one of its calls a request to the server
            UpstreamTokens.Held refused = UpstreamTokens.Held.refused(e.getMessage(), now.plus(REFUSAL_KEPT));
            held.put(key, refused);
            return refused;
        }
        java.time.Instant subjectExpiry = expiry(subject);
        if (subjectExpiry != null && subjectExpiry.isBefore(fresh.renewAt())) {
            // never used past the caller's own token: a caller whose token expired must authenticate again
            fresh = new UpstreamTokens.Held(fresh.token(), subjectExpiry);
        }
        held.put(key, fresh);
        return fresh;
    }

    private TokenExchangeGrant grant(String subject) {
        if (exchange.audiences().isEmpty()) {
            return new TokenExchangeGrant(new TypelessAccessToken(subject), TokenTypeURI.ACCESS_TOKEN);
        }
        return new TokenExchangeGrant(new TypelessAccessToken(subject), TokenTypeURI.ACCESS_TOKEN, null, null,
                null, exchange.audiences().stream().map(com.nimbusds.oauth2.sdk.id.Audience::new).toList());
    }

    /**
     * When the caller's token expires, if it says so (a JWT's {@code exp}); read without checking its signature,
     * which the gateway's own authentication did, and only ever to keep the exchanged token for less time.
     */
    static java.time.Instant expiry(String token) {
        try {
            java.util.Date exp = com.nimbusds.jwt.JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
            return exp == null ? null : exp.toInstant();
        } catch (java.text.ParseException | RuntimeException e) {
            return null; // an opaque token: its lifetime is the authorization server's to cap
        }
    }

    /** How long a refused exchange is answered from memory before the authorization server is asked again. */
    static final java.time.Duration REFUSAL_KEPT = java.time.Duration.ofSeconds(5);

    /** Forgets the caller's exchanged token, which the upstream refused. */
    void refused(String subject) {
        held.invalidate(digest(subject));
    }

    private static String digest(String token) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
