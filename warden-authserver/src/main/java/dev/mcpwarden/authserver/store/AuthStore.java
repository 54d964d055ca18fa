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

    void putClient(Client client);

    Optional<Client> client(String clientId);

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

    /** Remembers that an access token was issued from a grant, so revoking the grant revokes it. */
    void recordAccessToken(String grantId, String jti, Instant expiresAt);

    /** Revokes the grant: its refresh tokens and every access token issued from it. */
    void revokeGrant(String grantId);

    void revokeAccessToken(String jti, Instant expiresAt);

    boolean isAccessTokenRevoked(String jti);

    void putConsent(ConsentKey key);

    boolean hasConsent(ConsentKey key);

    void putSession(LoginSession session);

    Optional<LoginSession> session(String id, Instant now);

    void removeSession(String id);

    void putUpstreamState(UpstreamState state);

    /** Removes and returns the upstream sign-in state (once). */
    Optional<UpstreamState> takeUpstreamState(String state, Instant now);

    /** Forgets everything expired. */
    void sweep(Instant now);
}
