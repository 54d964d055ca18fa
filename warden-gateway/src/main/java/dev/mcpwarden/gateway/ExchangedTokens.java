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
 * first call, kept by the digest of the caller's token (never the token itself) until shortly before the exchanged
 * one expires, for at most {@link #MAX_CALLERS} callers (the least recently used go first).
 */
final class ExchangedTokens {

    /** Callers whose exchanged tokens are kept at once: one caller cannot grow the cache without bound. */
    static final int MAX_CALLERS = 10_000;

    private final String upstream;
    private final UpstreamConfig.TokenExchange exchange;
    private final URI resource;
    private final InstantSource clock;
    private final Cache<String, UpstreamTokens.Held> held = Caffeine.newBuilder().maximumSize(MAX_CALLERS).build();

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
        java.time.Instant now = clock.instant();
        UpstreamTokens.Held h = held.getIfPresent(key);
        if (h != null && now.isBefore(h.renewAt())) {
            if (h.token() == null) {
                throw new UpstreamTokens.NoToken(h.refusal()); // refused a moment ago: not asked again yet
            }
            return h.token();
        }
        UpstreamTokens.Held fresh;
        try {
            fresh = UpstreamTokens.request(upstream, exchange.tokenEndpoint(), exchange.clientId(),
                    exchange.clientSecret(), new TokenExchangeGrant(new TypelessAccessToken(subject),
                            TokenTypeURI.ACCESS_TOKEN), exchange.scopes(), resource, clock,
                    "to exchange the caller's token");
        } catch (UpstreamTokens.NoToken e) {
            // a caller whose token is refused must not make every one of its calls a request to the server
            held.put(key, UpstreamTokens.Held.refused(e.getMessage(), now.plus(REFUSAL_KEPT)));
            throw e;
        }
        held.put(key, fresh);
        return fresh.token();
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
