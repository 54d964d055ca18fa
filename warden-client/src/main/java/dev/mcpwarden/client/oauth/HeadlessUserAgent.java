package dev.mcpwarden.client.oauth;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.net.URI;
import java.time.Duration;

/** {@link UserAgent#headless()}: redirects followed by GET until one reaches the redirect URI. */
final class HeadlessUserAgent implements UserAgent {

    private static final int MAX_HOPS = 10;
    private final Transport transport;

    HeadlessUserAgent(Duration timeout) {
        this.transport = new Transport(timeout);
    }

    @Override
    public URI authorize(URI authorizationUrl, URI redirectUri) throws Exception {
        URI at = authorizationUrl;
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            if (reaches(at, redirectUri)) {
                return at;
            }
            HTTPResponse r = transport.send(new HTTPRequest(HTTPRequest.Method.GET, at));
            String location = r.getHeaderValue("Location");
            if (r.getStatusCode() / 100 != 3 || location == null) {
                throw new OAuthException("the authorization server answered " + r.getStatusCode()
                        + " without redirecting back: it needs a user, and this user agent is headless");
            }
            at = at.resolve(location);
        }
        throw new OAuthException("the authorization server redirected more than " + MAX_HOPS + " times");
    }

    private static boolean reaches(URI at, URI redirectUri) {
        return at.getScheme() != null && at.getScheme().equalsIgnoreCase(redirectUri.getScheme())
                && at.getRawAuthority() != null && at.getRawAuthority().equalsIgnoreCase(redirectUri.getRawAuthority())
                && java.util.Objects.equals(at.getRawPath(), redirectUri.getRawPath());
    }
}
