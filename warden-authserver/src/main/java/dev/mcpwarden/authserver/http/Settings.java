package dev.mcpwarden.authserver.http;

import com.nimbusds.jose.jwk.JWKSet;
import dev.mcpwarden.authserver.AuthServerLimits;
import dev.mcpwarden.authserver.client.ClientRegistrar;
import dev.mcpwarden.authserver.client.Clients;
import dev.mcpwarden.authserver.login.BuiltInUsers;
import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.authserver.login.UpstreamLogin;
import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.token.ClientAuthenticator;
import dev.mcpwarden.authserver.token.TokenService;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Everything the endpoints share.
 *
 * @param issuer          the issuer (an origin)
 * @param store           the state
 * @param clients         client lookup
 * @param registrar       dynamic registration, or null when disabled
 * @param tokens          the token grants
 * @param clientAuth      client authentication at the token endpoints
 * @param users           built-in users
 * @param upstream        the upstream provider sign-in, or null
 * @param upstreamName    its display name
 * @param resources       resources tokens may be issued for
 * @param scopesSupported scopes that exist
 * @param defaultScopes   scopes granted when none are requested
 * @param offlineAccess   whether offline_access is offered
 * @param codeTtl         authorization code lifetime
 * @param sessionTtl      login session lifetime
 * @param jwks            the current public keys
 * @param metadata        the metadata document (JSON)
 * @param clock           the time
 * @param loginAttempts   failure budgets of sign-ins and secret checks (this process's, or shared by replicas)
 * @param limits          quotas and lifetimes of state anonymous callers create
 * @param rateLimiter     where the quotas are counted (this process's, or shared by replicas)
 */
public record Settings(URI issuer, AuthStore store, Clients clients, ClientRegistrar registrar, TokenService tokens,
                       ClientAuthenticator clientAuth, BuiltInUsers users, UpstreamLogin upstream,
                       String upstreamName, Set<String> resources, Set<String> scopesSupported,
                       Set<String> defaultScopes, boolean offlineAccess, Duration codeTtl, Duration sessionTtl,
                       Supplier<JWKSet> jwks, String metadata, InstantSource clock,
                       LoginAttempts loginAttempts, AuthServerLimits limits, RateLimiter rateLimiter,
                       Map<String, Set<String>> introspectors) {

    public Settings {
        introspectors = Map.copyOf(introspectors);
    }

    /** Whether cookies can be {@code Secure} with the {@code __Host-} prefix (https issuer). */
    boolean secure() {
        return "https".equals(issuer.getScheme());
    }

    /**
     * The session cookie's name. On https it is {@code __Host-warden-session} (bound to this exact origin, Secure,
     * Path=/). Browsers refuse {@code __Host-} cookies without Secure, which plain-http loopback cannot have, so
     * there the name says what it is and carries the port, {@code warden-loopback-8765-session}: cookies are not
     * isolated by port (RFC 6265 §8.5), so without the port every server on another loopback port would read and
     * overwrite this one's cookie under the same name.
     */
    String sessionCookie() {
        return secure() ? "__Host-warden-session" : "warden-loopback-" + port() + "-session";
    }

    /** The cookie tying a pending authorization request to the browser that made it. */
    String browserCookie() {
        return secure() ? "__Host-warden-browser" : "warden-loopback-" + port() + "-browser";
    }

    /** The issuer's port, the scheme's default when it names none. */
    int port() {
        return issuer.getPort() != -1 ? issuer.getPort() : secure() ? 443 : 80;
    }
}
