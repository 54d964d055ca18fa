package dev.mcpwarden.authserver.token;

import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientRejected;
import dev.mcpwarden.authserver.client.Clients;
import dev.mcpwarden.authserver.client.SecretHash;
import dev.mcpwarden.authserver.login.HashingGate;
import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.authserver.login.LoginAttempts.Budget;
import dev.mcpwarden.authserver.login.LoginAttempts.Outcome;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;

/**
 * Authenticates the client at the token and revocation endpoints: {@code client_secret_basic},
 * {@code client_secret_post}, or {@code none} (a public client naming itself with {@code client_id}). Exactly one
 * method per request; a confidential client must present its secret and a public one must not.
 *
 * <p>Secret checks are throttled like sign-ins: each is counted against the remote address's and the client id's
 * failure budgets ({@link LoginAttempts}) before it runs, and a slow (Argon2id) secret hash runs only within a
 * slot of the {@link HashingGate}. A used-up budget answers HTTP 429 with {@code invalid_client} and
 * {@code Retry-After} (RFC 6585 §4: the secret was not checked, so saying only "authentication failed" would hide
 * when to retry); no free slot answers 503 {@code temporarily_unavailable} with {@code Retry-After: 1}.
 */
public final class ClientAuthenticator {

    private final Clients clients;
    private final LoginAttempts attempts;
    private final HashingGate gate;
    private final InstantSource clock;

    public ClientAuthenticator(Clients clients, LoginAttempts attempts, HashingGate gate, InstantSource clock) {
        this.clients = clients;
        this.attempts = attempts;
        this.gate = gate;
        this.clock = clock;
    }

    /** Authenticates the client of a request from {@code address} (the remote address, for its failure budget). */
    public Client authenticate(String authorization, Map<String, String> form, String address) throws TokenError {
        return authenticate(authorization, form, address, Clients.FetchPermit.PAID);
    }

    /**
     * As {@link #authenticate(String, Map, String)}; a client metadata document not cached is fetched only with
     * {@code permit} (refused: 429 {@code too_many_requests} with {@code Retry-After}, as the other quotas).
     */
    public Client authenticate(String authorization, Map<String, String> form, String address,
                               Clients.FetchPermit permit) throws TokenError {
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (secret != null) {
                throw TokenError.invalidRequest("use only one client authentication method");
            }
            String[] pair = basic(authorization.substring(6).trim());
            if (id != null && !id.equals(pair[0])) {
                throw TokenError.invalidRequest("client_id does not match the Authorization header");
            }
            id = pair[0];
            secret = pair[1];
        }
        if (id == null || id.isEmpty()) {
            throw TokenError.invalidClient("client authentication failed: no client_id");
        }
        Client client;
        try {
            client = clients.find(id, permit);
        } catch (ClientRejected e) {
            throw TokenError.invalidClient("client authentication failed: " + e.getMessage());
        } catch (Clients.TooManyFetches e) {
            throw new TokenError(429, "too_many_requests", e.getMessage(), e.retryAfterSeconds());
        }
        if (client.isPublic()) {
            if (secret != null) {
                throw TokenError.invalidClient("client authentication failed: public clients have no secret");
            }
            return client;
        }
        if (secret == null) {
            throw TokenError.invalidClient("client authentication failed");
        }
        if (!checkSecret(client, secret, address)) {
            throw TokenError.invalidClient("client authentication failed");
        }
        return client;
    }

    private boolean checkSecret(Client client, String secret, String address) throws TokenError {
        Outcome fromAddress = attempts.attempt(Budget.ADDRESS, address, clock.instant());
        if (!fromAddress.allowed()) {
            throw throttled("from this address", fromAddress);
        }
        boolean checked = false;
        boolean slow = SecretHash.isSlow(client.secretHash());
        // Per client *and* network: guesses from one network must not lock the real client out from its own (a
        // resource server's introspection client blocked by a stranger would take its MCP server down with it).
        String clientKey = client.id() + " from " + LoginAttempts.network(address);
        try (HashingGate.Permit ignored = slow ? gate.enter() : () -> { }) {
            Outcome asClient = attempts.attempt(Budget.CLIENT, clientKey, clock.instant());
            if (!asClient.allowed()) {
                throw throttled("for this client", asClient);
            }
            checked = true;
            boolean matches = slow ? gate.hash(() -> SecretHash.matches(client.secretHash(), secret))
                    : SecretHash.matches(client.secretHash(), secret);
            if (!matches) {
                return false;
            }
            attempts.succeeded(Budget.CLIENT, clientKey);
            attempts.succeeded(Budget.ADDRESS, address);
            return true;
        } catch (HashingGate.Busy e) {
            throw new TokenError(503, "temporarily_unavailable", "too many client authentications at once; retry "
                    + "shortly", 1);
        } finally {
            if (!checked) {
                attempts.succeeded(Budget.ADDRESS, address); // nothing was checked: not a failure of this address
            }
        }
    }

    private static TokenError throttled(String scope, Outcome outcome) {
        return new TokenError(429, "invalid_client", "client authentication failed too often " + scope + "; retry "
                + "after " + outcome.retryAfterSeconds() + " s", outcome.retryAfterSeconds());
    }

    /** RFC 6749 §2.3.1: both parts are form-urlencoded before being joined with a colon. */
    private static String[] basic(String value) throws TokenError {
        try {
            String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                throw TokenError.invalidClient("client authentication failed: malformed Basic credentials");
            }
            return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            throw TokenError.invalidClient("client authentication failed: malformed Basic credentials");
        }
    }
}
