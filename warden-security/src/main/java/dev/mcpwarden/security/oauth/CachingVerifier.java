package dev.mcpwarden.security.oauth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;

/**
 * Remembers verified tokens by their SHA-256 digest (never the token itself) until they expire, so the hot path
 * checks a signature once per token, not once per request. Bounded; rejected tokens are not cached.
 */
public final class CachingVerifier implements TokenVerifier {

    private final TokenVerifier delegate;
    private final InstantSource clock;
    private final Cache<String, Verified> cache;

    public CachingVerifier(TokenVerifier delegate, int maxEntries, InstantSource clock) {
        this.delegate = delegate;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .executor(Runnable::run) // upkeep on the caller's thread, not a common-pool hand-off per request
                .maximumSize(maxEntries)
                .expireAfter(new Expiry<String, Verified>() {
                    @Override
                    public long expireAfterCreate(String key, Verified value, long currentTime) {
                        return Math.max(0, Duration.between(clock.instant(), value.expiresAt()).toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(String key, Verified value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(String key, Verified value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    @Override
    public Verified verify(String token) throws TokenRejected {
        String key = takeDigest(token);
        Verified hit = cache.getIfPresent(key);
        if (hit != null) {
            // The cache's own timer is a backstop; the clock decides.
            if (clock.instant().isBefore(hit.expiresAt())) {
                return hit;
            }
            cache.invalidate(key);
        }
        Verified fresh = delegate.verify(token);
        if (clock.instant().isBefore(fresh.expiresAt())) {
            cache.put(key, fresh);
        }
        return fresh;
    }

    /** A token verified before and not yet expired. */
    @Override
    public boolean answersFromMemory(String token) {
        Verified hit = cache.getIfPresent(rememberedDigest(token));
        return hit != null && clock.instant().isBefore(hit.expiresAt());
    }

    /** Entries currently cached, for tests and metrics. */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** The cache key of a token. */
    static String digest(String token) {
        byte[] d = sha256().digest(token.getBytes(StandardCharsets.US_ASCII));
        return BASE64URL.encodeToString(d);
    }

    /**
     * A request asks twice about its token: may it be answered from memory (on the I/O thread), then verify it. The
     * first question leaves the token's digest for the second on the same thread, which takes it (and so forgets the
     * token): the second costs a string comparison, not another SHA-256. A thread holds at most the one token it was
     * last asked about, until its next question.
     */
    private static String rememberedDigest(String token) {
        String[] last = LAST.get();
        if (token.equals(last[0])) {
            return last[1];
        }
        String key = digest(token);
        last[0] = token;
        last[1] = key;
        return key;
    }

    private static String takeDigest(String token) {
        String[] last = LAST.get();
        String key = token.equals(last[0]) ? last[1] : digest(token);
        last[0] = null;
        last[1] = null;
        return key;
    }

    /** Per thread: the last token digested and its digest. */
    private static final ThreadLocal<String[]> LAST = ThreadLocal.withInitial(() -> new String[2]);

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    /** Cloned for each digest: much cheaper than a provider lookup with {@code MessageDigest.getInstance}. */
    private static final MessageDigest SHA256;

    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
            SHA256.clone(); // fail here, not per request, if the provider's digest cannot be cloned
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
