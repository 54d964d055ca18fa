package dev.mcpwarden.authserver.store;

import dev.mcpwarden.authserver.client.Client;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The store of one process. Atomic transitions rely on {@link ConcurrentHashMap#compute} (one key, one lock) and
 * {@link ConcurrentHashMap#remove(Object)} (exactly one remover gets the value).
 */
public final class InMemoryAuthStore implements AuthStore {

    /** How long a used code is remembered so that a replay can be recognised and punished. */
    private static final Duration REPLAY_MEMORY = Duration.ofMinutes(10);

    private record CodeState(CodeGrant grant, boolean used) {
    }

    /** A grant and its refresh family: the current token, whether revoked, the access tokens issued. */
    private record Family(Grant grant, String currentHash, boolean revoked, Map<String, Instant> accessTokens) {
    }

    /** A client and when it is forgotten (null: when replaced). */
    private record StoredClient(Client client, Instant expiresAt) {
        boolean live(Instant now) {
            return expiresAt == null || now.isBefore(expiresAt);
        }
    }

    /** The grant an access token was recorded under, until the token expires. */
    private record TokenGrant(String grantId, Instant expiresAt) {
    }

    private final Map<String, StoredClient> clients = new ConcurrentHashMap<>();
    private final Map<String, TokenGrant> accessToGrant = new ConcurrentHashMap<>();
    private final Map<String, PendingAuthorization> pending = new ConcurrentHashMap<>();
    private final Map<String, CodeState> codes = new ConcurrentHashMap<>();
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Map<String, String> refreshToFamily = new ConcurrentHashMap<>();
    private final Map<String, Instant> revokedAccess = new ConcurrentHashMap<>();
    private final Map<ConsentKey, Instant> consents = new ConcurrentHashMap<>();
    private final Map<String, LoginSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, UpstreamState> upstream = new ConcurrentHashMap<>();

    @Override
    public void putClient(Client client, Instant expiresAt) {
        clients.put(client.id(), new StoredClient(client, expiresAt));
    }

    @Override
    public Optional<Client> client(String clientId, Instant now) {
        StoredClient c = clients.get(clientId);
        return c != null && c.live(now) ? Optional.of(c.client()) : Optional.empty();
    }

    @Override
    public void extendClient(String clientId, Instant expiresAt, Instant now) {
        clients.computeIfPresent(clientId, (k, c) -> c.expiresAt() != null && c.live(now)
                && expiresAt.isAfter(c.expiresAt()) ? new StoredClient(c.client(), expiresAt) : c);
    }

    @Override
    public void putPending(PendingAuthorization p) {
        pending.put(p.id(), p);
    }

    @Override
    public Optional<PendingAuthorization> pending(String id, Instant now) {
        PendingAuthorization p = pending.get(id);
        return p != null && now.isBefore(p.expiresAt()) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public Optional<PendingAuthorization> takePending(String id, Instant now) {
        PendingAuthorization p = pending.remove(id);
        return p != null && now.isBefore(p.expiresAt()) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public void putCode(String codeHash, CodeGrant grant) {
        codes.put(codeHash, new CodeState(grant, false));
    }

    @Override
    public Optional<CodeGrant> peekCode(String codeHash) {
        CodeState state = codes.get(codeHash);
        return state == null ? Optional.empty() : Optional.of(state.grant());
    }

    @Override
    public CodeRedemption redeemCode(String codeHash, Instant now) {
        AtomicReference<CodeRedemption> outcome = new AtomicReference<>(new CodeRedemption.Invalid());
        codes.computeIfPresent(codeHash, (k, state) -> {
            if (state.used()) {
                outcome.set(new CodeRedemption.Replayed(state.grant()));
                return state;
            }
            if (!now.isBefore(state.grant().expiresAt())) {
                return state; // expired and unused: invalid, forgotten by the next sweep
            }
            outcome.set(new CodeRedemption.Redeemed(state.grant()));
            return new CodeState(state.grant(), true);
        });
        return outcome.get();
    }

    @Override
    public void putGrant(Grant grant, String refreshHash) {
        families.put(grant.id(), new Family(grant, refreshHash, false, Map.of()));
        if (refreshHash != null) {
            refreshToFamily.put(refreshHash, grant.id());
        }
    }

    @Override
    public Optional<Grant> grantByRefresh(String refreshHash, Instant now) {
        String id = refreshToFamily.get(refreshHash);
        Family f = id == null ? null : families.get(id);
        if (f == null || f.revoked() || !now.isBefore(f.grant().expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(f.grant());
    }

    @Override
    public RefreshRotation rotateRefresh(String presentedHash, String newHash, Instant now) {
        String id = refreshToFamily.get(presentedHash);
        if (id == null) {
            return new RefreshRotation.Invalid();
        }
        AtomicReference<RefreshRotation> outcome = new AtomicReference<>(new RefreshRotation.Invalid());
        Family after = families.computeIfPresent(id, (k, f) -> {
            if (f.revoked() || !now.isBefore(f.grant().expiresAt())) {
                return f;
            }
            if (!presentedHash.equals(f.currentHash())) {
                outcome.set(new RefreshRotation.Reused(f.grant()));
                return new Family(f.grant(), null, true, f.accessTokens());
            }
            outcome.set(new RefreshRotation.Rotated(f.grant()));
            return new Family(f.grant(), newHash, false, f.accessTokens());
        });
        if (outcome.get() instanceof RefreshRotation.Rotated) {
            refreshToFamily.put(newHash, id);
        } else if (outcome.get() instanceof RefreshRotation.Reused && after != null) {
            after.accessTokens().forEach(revokedAccess::put);
        }
        return outcome.get();
    }

    @Override
    public void recordAccessToken(String grantId, String jti, Instant expiresAt) {
        Family f = families.compute(grantId, (k, fam) -> {
            if (fam == null) {
                return null;
            }
            Map<String, Instant> tokens = new ConcurrentHashMap<>(fam.accessTokens());
            tokens.put(jti, expiresAt);
            return new Family(fam.grant(), fam.currentHash(), fam.revoked(), tokens);
        });
        if (f != null) {
            accessToGrant.put(jti, new TokenGrant(grantId, expiresAt));
        }
        if (f != null && f.revoked()) {
            revokedAccess.put(jti, expiresAt); // the grant was revoked while this token was minted
        }
    }

    @Override
    public Optional<String> grantOfAccessToken(String jti, Instant now) {
        TokenGrant t = accessToGrant.get(jti);
        return t != null && now.isBefore(t.expiresAt()) ? Optional.of(t.grantId()) : Optional.empty();
    }

    @Override
    public void revokeGrant(String grantId) {
        Family f = families.computeIfPresent(grantId,
                (k, fam) -> new Family(fam.grant(), null, true, fam.accessTokens()));
        if (f != null) {
            f.accessTokens().forEach(revokedAccess::put);
        }
    }

    @Override
    public void revokeAccessToken(String jti, Instant expiresAt) {
        revokedAccess.put(jti, expiresAt);
    }

    @Override
    public boolean isAccessTokenRevoked(String jti) {
        return revokedAccess.containsKey(jti);
    }

    @Override
    public void putConsent(ConsentKey key, Instant expiresAt) {
        consents.put(key, expiresAt);
    }

    @Override
    public boolean hasConsent(ConsentKey key, Instant now) {
        Instant until = consents.get(key);
        return until != null && now.isBefore(until);
    }

    @Override
    public void putSession(LoginSession session) {
        sessions.put(session.id(), session);
    }

    @Override
    public Optional<LoginSession> session(String id, Instant now) {
        LoginSession s = sessions.get(id);
        return s != null && now.isBefore(s.expiresAt()) ? Optional.of(s) : Optional.empty();
    }

    @Override
    public void removeSession(String id) {
        sessions.remove(id);
    }

    @Override
    public void putUpstreamState(UpstreamState state) {
        upstream.put(state.state(), state);
    }

    @Override
    public Optional<UpstreamState> takeUpstreamState(String state, Instant now) {
        UpstreamState s = upstream.remove(state);
        return s != null && now.isBefore(s.expiresAt()) ? Optional.of(s) : Optional.empty();
    }

    @Override
    public void sweep(Instant now) {
        pending.values().removeIf(p -> !now.isBefore(p.expiresAt()));
        codes.values().removeIf(c -> now.isAfter(c.grant().expiresAt().plus(REPLAY_MEMORY)));
        sessions.values().removeIf(s -> !now.isBefore(s.expiresAt()));
        upstream.values().removeIf(s -> !now.isBefore(s.expiresAt()));
        revokedAccess.values().removeIf(exp -> now.isAfter(exp));
        accessToGrant.values().removeIf(t -> !now.isBefore(t.expiresAt()));
        clients.values().removeIf(c -> !c.live(now));
        consents.values().removeIf(until -> !now.isBefore(until));
        Set<String> gone = new HashSet<>();
        families.values().removeIf(f -> {
            boolean dead = now.isAfter(f.grant().expiresAt());
            if (dead) {
                gone.add(f.grant().id());
            }
            return dead;
        });
        refreshToFamily.values().removeIf(gone::contains);
    }
}
