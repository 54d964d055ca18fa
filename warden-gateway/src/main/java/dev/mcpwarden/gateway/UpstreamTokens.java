package dev.mcpwarden.gateway;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token an upstream's client credentials give: asked of the token endpoint on first use, kept until
 * {@link #EARLY} before it expires (a token without {@code expires_in} for {@link #UNDATED}), asked again by one
 * caller while the others wait for it, and dropped when the upstream refuses it. The token is never logged.
 */
final class UpstreamTokens {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamTokens.class);
    /** How long before its expiry a token is replaced: a call must not reach the upstream with a token about to go. */
    static final Duration EARLY = Duration.ofSeconds(30);
    /** How long a token the server gave no lifetime is kept. */
    static final Duration UNDATED = Duration.ofMinutes(5);
    private static final int TIMEOUT_MILLIS = 10_000;

    /** A token (null: a refusal, with its reason), and when to ask again. */
    record Held(String token, Instant renewAt, String refusal) {
        Held(String token, Instant renewAt) {
            this(token, renewAt, null);
        }

        static Held refused(String why, Instant askAgainAt) {
            return new Held(null, askAgainAt, why);
        }
    }

    private final String upstream;
    private final UpstreamConfig.ClientCredentials credentials;
    private final URI resource;
    private final InstantSource clock;
    private final ReentrantLock asking = new ReentrantLock();
    private volatile Held held;

    UpstreamTokens(String upstream, UpstreamConfig.ClientCredentials credentials, URI upstreamUrl,
                   InstantSource clock) {
        this.upstream = upstream;
        this.credentials = credentials;
        this.resource = credentials.resource().orElse(upstreamUrl);
        this.clock = clock;
    }

    /**
     * A token to send now.
     *
     * @throws NoToken when the authorization server gives none (the upstream client then fails the request with
     *                 {@code CREDENTIAL_UNAVAILABLE}, unsent)
     */
    String current() {
        Held h = held;
        if (h != null && clock.instant().isBefore(h.renewAt())) {
            return h.token();
        }
        asking.lock();
        try {
            h = held;
            if (h != null && clock.instant().isBefore(h.renewAt())) {
                return h.token(); // another caller asked meanwhile
            }
            Held fresh = ask();
            held = fresh;
            return fresh.token();
        } finally {
            asking.unlock();
        }
    }

    /** The token held now, or null. */
    String peek() {
        Held h = held;
        return h == null ? null : h.token();
    }

    /** Forgets {@code token}, which the upstream refused: the next call asks for a new one. */
    void refused(String token) {
        Held h = held;
        if (h != null && h.token().equals(token)) {
            held = null;
        }
    }

    private Held ask() {
        return request(upstream, credentials.tokenEndpoint(), credentials.clientId(), credentials.clientSecret(),
                new ClientCredentialsGrant(), credentials.scopes(), resource, clock, "its client credentials");
    }

    /**
     * Asks {@code endpoint} for a token for {@code resource} with {@code grant}, authenticating as {@code clientId}
     * with HTTP Basic; {@code what} names what was refused in the error.
     */
    static Held request(String upstream, URI endpoint, String clientId, dev.mcpwarden.security.Secret secret,
                        com.nimbusds.oauth2.sdk.AuthorizationGrant grant, java.util.List<String> scopes, URI resource,
                        InstantSource clock, String what) {
        TokenRequest.Builder request = new TokenRequest.Builder(endpoint,
                new ClientSecretBasic(new ClientID(clientId), new com.nimbusds.oauth2.sdk.auth.Secret(secret.reveal())),
                grant).resources(resource);
        if (!scopes.isEmpty()) {
            request.scope(new Scope(scopes.toArray(String[]::new)));
        }
        HTTPRequest http = request.build().toHTTPRequest();
        http.setConnectTimeout(TIMEOUT_MILLIS);
        http.setReadTimeout(TIMEOUT_MILLIS);
        http.setFollowRedirects(false);
        TokenResponse response;
        try {
            response = TokenResponse.parse(http.send());
        } catch (IOException e) {
            // the endpoint's address is the operator's business: in the log, not in what a caller is told
            LOG.warn("upstream {}: the token endpoint {} could not be reached: {}", upstream, endpoint, e.toString());
            throw unavailable(upstream, "the token endpoint could not be reached (" + e.getClass().getSimpleName()
                    + ")");
        } catch (ParseException e) {
            LOG.warn("upstream {}: the token endpoint {} did not answer with a token response", upstream, endpoint);
            throw unavailable(upstream, "the token endpoint did not answer with a token response");
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = ((TokenErrorResponse) response).getErrorObject();
            String code = error == null || error.getCode() == null ? "an error" : error.getCode();
            String why = error == null || error.getDescription() == null ? "" : " (" + error.getDescription() + ")";
            throw unavailable(upstream, "the token endpoint refused " + what + ": " + code + why);
        }
        AccessToken token = response.toSuccessResponse().getTokens().getAccessToken();
        long lifetime = token.getLifetime();
        Instant now = clock.instant();
        Instant renewAt = lifetime > 0 ? now.plusSeconds(lifetime).minus(EARLY) : now.plus(UNDATED);
        if (!renewAt.isAfter(now)) {
            renewAt = now.plusSeconds(Math.max(1, lifetime / 2)); // a very short-lived token: used, then asked again
        }
        LOG.debug("upstream {}: a token for {} from {}, kept until {}", upstream, resource, endpoint, renewAt);
        return new Held(token.getValue(), renewAt);
    }

    private static NoToken unavailable(String upstream, String why) {
        LOG.warn("upstream {}: {}", upstream, why);
        return new NoToken(why);
    }

    /** No token could be had; the message says why, without the secret or any token. */
    static final class NoToken extends RuntimeException {
        NoToken(String message) {
            super(message, null, false, false);
        }
    }
}
