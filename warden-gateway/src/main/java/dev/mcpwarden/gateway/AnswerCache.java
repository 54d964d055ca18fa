package dev.mcpwarden.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.mcpwarden.core.json.CanonicalJson;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.auth.Principal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.TreeSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One upstream's kept answers to callers' requests ({@code resources/read}, opted-in {@code tools/call}): each under
 * its method, target and, unless the upstream said it was public, the principal it was for, so that a private answer
 * is never served to another principal. Bounded in bytes (whatever one principal asks for, it cannot grow the heap
 * past {@link UpstreamConfig.Cache#MAX_BYTES}); each answer kept as its serialized text, so no caller's pipeline can
 * change what the next caller gets.
 */
final class AnswerCache {

    /** What an answer is kept under. {@code principal} is empty for a public answer. */
    record Key(String method, String target, String principal) {
    }

    /** A kept answer: its text, when it was kept and until when it is fresh (nanoTime). */
    private record Kept(byte[] text, long freshUntilNanos) {
    }

    /** A kept answer served now, and how much longer it stays fresh. */
    record Hit(ObjectNode result, Duration remaining) {
    }

    private static final Json JSON = Json.standard();
    private final Cache<Key, Kept> kept;
    private final AtomicLong hits;
    private final AtomicLong misses;

    AnswerCache(AtomicLong hits, AtomicLong misses) {
        this.hits = hits;
        this.misses = misses;
        this.kept = Caffeine.newBuilder()
                .executor(Runnable::run) // upkeep on the caller's thread, not a common-pool hand-off per request
                .maximumWeight(UpstreamConfig.Cache.MAX_BYTES)
                .weigher((Key k, Kept v) -> (int) Math.min(Integer.MAX_VALUE, (long) v.text().length
                        + 2L * (k.target().length() + k.principal().length()) + 64))
                .expireAfter(new Expiry<Key, Kept>() {
                    @Override
                    public long expireAfterCreate(Key key, Kept value, long currentTime) {
                        return Math.max(0, value.freshUntilNanos() - currentTime);
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Kept value, long currentTime, long currentDuration) {
                        return Math.max(0, value.freshUntilNanos() - currentTime);
                    }

                    @Override
                    public long expireAfterRead(Key key, Kept value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /**
     * The fresh answer kept for the public key or for {@code principal}'s ({@link #privateKey}; null: the public one
     * only), counted as a hit; else a miss.
     */
    Optional<Hit> get(String method, String target, String principal) {
        long now = System.nanoTime();
        Key[] keys = principal == null ? new Key[] {new Key(method, target, "")}
                : new Key[] {new Key(method, target, ""), new Key(method, target, principal)};
        for (Key key : keys) {
            Kept k = kept.getIfPresent(key);
            if (k != null && now < k.freshUntilNanos()) {
                hits.incrementAndGet();
                return Optional.of(new Hit((ObjectNode) JSON.parse(k.text()),
                        Duration.ofNanos(k.freshUntilNanos() - now)));
            }
        }
        misses.incrementAndGet();
        return Optional.empty();
    }

    /** Keeps {@code result} for {@code ttl}; {@code principal} null: a public answer, served to every principal. */
    void put(String method, String target, String principal, ObjectNode result, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            return;
        }
        Duration bounded = ttl.compareTo(UpstreamConfig.Cache.MAX_TTL) > 0 ? UpstreamConfig.Cache.MAX_TTL : ttl;
        kept.put(new Key(method, target, principal == null ? "" : principal),
                new Kept(JSON.bytes(result), System.nanoTime() + bounded.toNanos()));
    }

    /** Drops every answer of {@code method} (all targets, all principals): a list change of the upstream's. */
    void dropMethod(String method) {
        kept.asMap().keySet().removeIf(k -> k.method().equals(method));
    }

    /** Drops every answer about {@code target} of {@code method}: the upstream said the resource was updated. */
    void drop(String method, String target) {
        kept.asMap().keySet().removeIf(k -> k.method().equals(method) && k.target().equals(target));
    }

    /** How many answers are kept now (tests, operators). */
    long size() {
        kept.cleanUp();
        return kept.estimatedSize();
    }

    /**
     * Whose a private answer is: the principal's issuer, subject, tenant, the client it called through and the scopes
     * it was granted, as a digest of their canonical JSON (no separator a claim could forge). The same user through
     * a client of narrower scopes (a token exchanged for another audience or client) is someone else here, so a
     * read made with {@code files:read:all} is never served to a token of {@code files:read:public}. Empty for an
     * anonymous caller: callers without authentication cannot be told apart (one network may be many people), so
     * their private answers are never kept; public answers are still served to them.
     */
    static Optional<String> privateKey(Principal principal) {
        if (principal == null || Principal.ANONYMOUS.equals(principal)) {
            return Optional.empty();
        }
        tools.jackson.databind.node.ArrayNode who = Json.array();
        who.add(principal.issuer());
        who.add(principal.subject());
        who.add(principal.tenant());
        who.add(principal.clientId());
        tools.jackson.databind.node.ArrayNode scopes = who.addArray();
        new TreeSet<>(principal.scopes()).forEach(scopes::add);
        return Optional.of("sha256:" + sha256(CanonicalJson.utf8(who)));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    /** A tool call's target: its upstream name and the digest of its arguments (RFC 8785 canonical JSON). */
    static String toolTarget(String tool, JsonNode arguments) {
        return tool + "\u0000sha256:" + sha256(CanonicalJson.utf8(arguments == null ? Json.object() : arguments));
    }
}
