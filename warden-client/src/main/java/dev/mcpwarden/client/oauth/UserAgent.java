package dev.mcpwarden.client.oauth;

import java.net.URI;

/**
 * The user's side of the authorization code flow: takes the user to the authorization URL and returns the URL the
 * authorization server redirected back to (with {@code code}, {@code state} and, RFC 9207, {@code iss}). A desktop
 * client opens a browser and waits on its redirect URI; the gateway asks its own client to send the user to a
 * consent URL; {@link #headless()} follows the redirects itself, for authorization servers that approve without
 * a login (test servers, the conformance suite's).
 */
@FunctionalInterface
public interface UserAgent {

    /**
     * @param authorizationUrl the authorization request, to send the user to
     * @param redirectUri      the registered redirect URI the answer comes back to
     * @return the redirect back, {@code redirectUri} with the answer's query parameters
     * @throws Exception why no answer came back (the user refused, a timeout); the request then fails with it
     */
    URI authorize(URI authorizationUrl, URI redirectUri) throws Exception;

    /**
     * Follows the authorization server's redirects without a browser (GET, no cookies, at most ten hops) until one
     * leads to {@code redirectUri}. Only for servers that approve without a user: a login page ends it with an error.
     */
    static UserAgent headless() {
        return new HeadlessUserAgent(java.time.Duration.ofSeconds(10));
    }

    /** As {@link #headless()}, allowing each hop {@code timeout}. */
    static UserAgent headless(java.time.Duration timeout) {
        return new HeadlessUserAgent(timeout);
    }
}
