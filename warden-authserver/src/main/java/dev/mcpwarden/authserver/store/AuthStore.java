package dev.mcpwarden.authserver.store;

import dev.mcpwarden.authserver.client.Client;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the authorization server keeps its state. Secrets (codes, refresh tokens, session ids) arrive already
 * hashed. Every state transition that must happen at most once ({@link #redeemCode}, {@link #rotateRefresh},
 * {@link #takePending}, {@link #takeUpstreamState}) is atomic: under concurrency exactly one caller wins.
 * A store kept in another service throws {@link StoreUnavailableException} from any method when that service
 * cannot be reached; it never answers as if the state were absent.
 */
public interface AuthStore {

    /** Stores a client kept until replaced (a pre-registered one). */
    default void putClient(Client client) {
        putClient(client, null);
    }

    /**
     * Stores a client that is forgotten at {@code expiresAt} unless {@link #extendClient} moves that later; null
     * keeps it until replaced. A dynamically registered client gets a short first life, so registrations nobody uses
     * do not pile up.
     */
    void putClient(Client client, Instant expiresAt);

    /** The client, unless it is unknown or expired at {@code now}. */
    Optional<Client> client(String clientId, Instant now);

    /**
     * Moves the expiry of a live client that has one to {@code expiresAt} if that is later (a client in use stays);
     * changes nothing for an unknown or expired client or one kept until replaced.
     */
    void extendClient(String clientId, Instant expiresAt, Instant now);

    void putPending(PendingAuthorization pending);

    /** The pending request if it exists and has not expired. */
    Optional<PendingAuthorization> pending(String id, Instant now);

    /** Removes and returns the pending request (once). */
    Optional<PendingAuthorization> takePending(String id, Instant now);

    void putCode(String codeHash, CodeGrant grant);

    /**
     * What the code stands for, used or not, without changing anything: the token endpoint checks the client and
     * PKCE against it first, so that a presentation by anyone but the real client cannot use the code up.
     */
    Optional<CodeGrant> peekCode(String codeHash);

    /** Marks the code used; the first caller within its lifetime gets {@code Redeemed}, later ones {@code Replayed}. */
    CodeRedemption redeemCode(String codeHash, Instant now);

    /** Stores a grant, with the hash of its first refresh token or null when it has none. */
    void putGrant(Grant grant, String refreshHash);

    /** The live grant the refresh token belongs to (current or earlier token of the family). */
    Optional<Grant> grantByRefresh(String refreshHash, Instant now);

    /** Replaces the family's current token with {@code newHash}, or revokes the family if an old one is reused. */
    RefreshRotation rotateRefresh(String presentedHash, String newHash, Instant now);

    /**
     * Remembers that an access token was issued from a grant (directly, or by exchanging a token of the grant), so
     * revoking the grant revokes it; {@link #grantOfAccessToken} finds the grant from the token until it expires.
     */
    void recordAccessToken(String grantId, String jti, Instant expiresAt);

    /** The id of the grant an access token was recorded under, while the token has not expired. */
    Optional<String> grantOfAccessToken(String jti, Instant now);

    /** Revokes the grant: its refresh tokens and every access token issued from it. */
    void revokeGrant(String grantId);

    void revokeAccessToken(String jti, Instant expiresAt);

    boolean isAccessTokenRevoked(String jti);

    /** Remembers a consent until {@code expiresAt}; given again, it lasts until the new expiry. */
    void putConsent(ConsentKey key, Instant expiresAt);

    /** Whether the consent was given and has not expired at {@code now}. */
    boolean hasConsent(ConsentKey key, Instant now);

    void putSession(LoginSession session);

    Optional<LoginSession> session(String id, Instant now);

    void removeSession(String id);

    void putUpstreamState(UpstreamState state);

    /** Removes and returns the upstream sign-in state (once). */
    Optional<UpstreamState> takeUpstreamState(String state, Instant now);

    /** Forgets everything expired. */
    void sweep(Instant now);
}
