package dev.mcpwarden.authserver.login;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Slows down password guessing per username: the first {@value #FREE_FAILURES} failures in a row are free, each
 * further one blocks the name for a period that doubles from 30 seconds up to 15 minutes, and a success forgets the
 * failures. Per name rather than per address, because addresses are cheap for an attacker; the block is short so
 * that an attacker cannot lock a user out for long. Names are compared without case.
 *
 * <p>Each sign-in is one {@link #attempt} before the password is checked, counted as a failure until
 * {@link #succeeded} says otherwise. Checking and counting in one atomic step is what keeps parallel guesses honest:
 * with a separate "may it try?" and "it failed" a burst of requests would all pass the check before the first
 * failure was counted. Sequentially this is exactly "after five failures, each further failure blocks".
 *
 * <p>{@link #inMemory()} counts in this process (the default); with several replicas give them one shared
 * implementation (Redis, in warden-redis), or an attacker gets as many guesses as there are replicas. An
 * implementation that keeps its counts in another service throws
 * {@link dev.mcpwarden.authserver.store.StoreUnavailableException} when that service does not answer: the sign-in
 * is then refused with 503, never let through unchecked.
 */
public interface LoginAttempts {

    /** Failures in a row that cost nothing. */
    int FREE_FAILURES = 5;
    /** The block after the first failure beyond the free ones; each further failure doubles it. */
    Duration FIRST_BLOCK = Duration.ofSeconds(30);
    /** The longest block. */
    Duration LONGEST_BLOCK = Duration.ofMinutes(15);

    /**
     * A sign-in as {@code username} is about to check a password at {@code now}: true, and the attempt is counted
     * as a failure (blocking the name when it is one too many), if the name may try; false, and nothing is
     * counted, while the name is blocked.
     */
    boolean attempt(String username, Instant now);

    /** The attempt's password was right: the name's failures are forgotten. */
    void succeeded(String username);

    /** Counts in this process's memory, at most 100,000 names (then they are all forgotten). */
    static LoginAttempts inMemory() {
        return new InMemoryLoginAttempts();
    }

    /**
     * How long a name is blocked after its {@code failures}-th failure in a row: nothing up to
     * {@link #FREE_FAILURES}, then {@link #FIRST_BLOCK} doubling up to {@link #LONGEST_BLOCK}.
     */
    static Duration blockAfter(int failures) {
        if (failures <= FREE_FAILURES) {
            return Duration.ZERO;
        }
        Duration block = FIRST_BLOCK.multipliedBy(1L << Math.min(failures - FREE_FAILURES - 1, 10));
        return block.compareTo(LONGEST_BLOCK) > 0 ? LONGEST_BLOCK : block;
    }

    /** The form in which names are counted: lower case ({@link Locale#ROOT}); no name is the empty name. */
    static String normalized(String username) {
        return username == null ? "" : username.toLowerCase(Locale.ROOT);
    }
}
