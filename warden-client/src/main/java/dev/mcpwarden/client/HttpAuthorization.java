package dev.mcpwarden.client;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Credentials of an HTTP client that can change while it runs: the headers each request carries, and what to do when
 * the server refuses them (401 or 403). {@link dev.mcpwarden.client.oauth.OAuthClient} is the OAuth 2.1 one; give it
 * to {@link McpClient.Builder#authorization(HttpAuthorization)}.
 */
public interface HttpAuthorization {

    /** A 401 or 403 answer to a request: its method, URL, status and lower-case response headers. */
    record Challenge(String httpMethod, URI uri, int status, Map<String, String> headers) {
        public Challenge {
            Objects.requireNonNull(httpMethod, "httpMethod");
            Objects.requireNonNull(uri, "uri");
            headers = Map.copyOf(headers);
        }

        /** The {@code WWW-Authenticate} header, or an empty string. */
        public String wwwAuthenticate() {
            return headers.getOrDefault("www-authenticate", "");
        }
    }

    /**
     * The headers (such as {@code Authorization}, {@code DPoP}) of one HTTP request; called for every request, so
     * they may differ each time.
     *
     * @throws McpClientException {@link McpClientException.Reason#CREDENTIAL_UNAVAILABLE} when none can be had
     */
    Map<String, String> headers(String httpMethod, URI uri) throws McpClientException;

    /**
     * Called when the server refused a request with 401 or 403. Returns true when the credentials changed and the
     * request should be sent again (the client sends it at most {@value #MAX_RETRIES} times more), false to give
     * the refusal to the caller.
     *
     * @throws McpClientException why the credentials could not be obtained (the request then fails with it)
     */
    boolean retry(Challenge challenge) throws McpClientException;

    /** How many times one request is sent again after a refusal, however often {@link #retry} asks for it. */
    int MAX_RETRIES = 3;
}
