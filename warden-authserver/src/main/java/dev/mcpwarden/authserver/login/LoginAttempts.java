package dev.mcpwarden.authserver.login;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Budgets of failed password checks. Each {@link Budget} counts its own keys (a user name, a remote address, a
 * client id, a pending authorization request): the first {@link Budget#freeFailures()} failures in a row are free,
 * each further one blocks the key for a period that doubles from 30 seconds up to 15 minutes, and a key's failures
 * are forgotten {@link Budget#memory()} after its last counted attempt. The user budget slows guessing one
 * account's password; the address budget slows spraying many names (random or real) from one place, which a
 * per-name count alone never sees; the client budget does the same for client secrets at the token endpoints.
 *
 * <p>Each check is one {@link #attempt} before the password is checked, counted as a failure until
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

    /** Failures in a row of one user name that cost nothing. */
    int FREE_FAILURES = 5;
    /** The block after the first failure beyond the free ones; each further failure doubles it. */
    Duration FIRST_BLOCK = Duration.ofSeconds(30);
    /** The longest block. */
    Duration LONGEST_BLOCK = Duration.ofMinutes(15);

    /**
     * What is counted. A success forgets the key's failures, except for {@link #ADDRESS}, where it takes back only
     * its own attempt: an attacker with one valid account must not reset the budget of the address it sprays from.
     */
    enum Budget {
        /** Sign-ins as one user name, compared without case. */
        USER("", FREE_FAILURES, Duration.ofDays(1), true),
        /** Password and client-secret checks from one remote address, whatever the name. */
        ADDRESS("addr:", 20, Duration.ofHours(1), false),
        /**
         * Sign-ins from one IPv6 site, a /48 (keys given by {@link LoginAttempts#site}): a whole site costs an
         * attacker little more than one /64, and without this its 65,536 /64s would each get the address budget
         * (enough to fill this process's table of counts with blocks, which then refuses everyone). Client-secret
         * checks are not counted here: a stranger in a hosting provider's /48 must not lock a resource server's
         * client out (unknown client ids are refused before any count, so they cannot fill the table).
         */
        SITE("site:", 100, Duration.ofHours(1), false),
        /** Client-secret checks of one client id at the token and revocation endpoints. */
        CLIENT("client:", 10, Duration.ofDays(1), true),
        /**
         * Sign-ins for one pending authorization request; the sign-in page closes the request after
         * {@link #freeFailures()} failures, so an attacker must start (and be counted for) a new one.
         */
        PENDING("pending:", 5, Duration.ofMinutes(15), true);

        private final String prefix;
        private final int freeFailures;
        private final Duration memory;
        private final boolean forgetsOnSuccess;

        Budget(String prefix, int freeFailures, Duration memory, boolean forgetsOnSuccess) {
            this.prefix = prefix;
            this.freeFailures = freeFailures;
            this.memory = memory;
            this.forgetsOnSuccess = forgetsOnSuccess;
        }

        /** How a key of this budget is named in a shared store (before hashing): the user budget has no prefix. */
        public String prefix() {
            return prefix;
        }

        /** Failures in a row that cost nothing. */
        public int freeFailures() {
            return freeFailures;
        }

        /** How long a key's failures are remembered after its last counted attempt (never less than its block). */
        public Duration memory() {
            return memory;
        }

        /** Whether a success forgets all the key's failures (true) or takes back only its own attempt (false). */
        public boolean forgetsOnSuccess() {
            return forgetsOnSuccess;
        }

        /**
         * The key as counted: user names in lower case ({@link Locale#ROOT}); addresses by
         * {@link LoginAttempts#network}; others as given; none is "".
         */
        public String normalize(String key) {
            return switch (this) {
                case USER -> normalized(key);
                case ADDRESS -> network(key);
                default -> key == null ? "" : key;
            };
        }

        /** How long a key is blocked after its {@code failures}-th failure in a row. */
        public Duration blockAfter(int failures) {
            return LoginAttempts.blockAfter(failures, freeFailures);
        }
    }

    /**
     * The answer to an attempt.
     *
     * @param failures   when allowed, the failures in a row now counted for the key, this attempt included
     * @param retryAfter when refused, how much longer the key is blocked; zero when allowed
     */
    record Outcome(int failures, Duration retryAfter) {
        public Outcome {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        public static Outcome allowed(int failures) {
            return new Outcome(failures, Duration.ZERO);
        }

        /** Refused for {@code retryAfter} (at least a second, so that a client waiting for it is not early). */
        public static Outcome blocked(Duration retryAfter) {
            return new Outcome(0, retryAfter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                    : retryAfter);
        }

        public boolean allowed() {
            return retryAfter.isZero();
        }

        /** {@link #retryAfter} in whole seconds, rounded up, for a {@code Retry-After} header. */
        public long retryAfterSeconds() {
            return (retryAfter.toMillis() + 999) / 1000;
        }
    }

    /**
     * A check of {@code key} in {@code budget} is about to run at {@code now}: allowed, and counted as a failure
     * (blocking the key when it is one too many), if the key may try; refused with the rest of the block, and
     * nothing counted, while the key is blocked.
     */
    Outcome attempt(Budget budget, String key, Instant now);

    /** The attempt's check succeeded: see {@link Budget#forgetsOnSuccess()}. */
    void succeeded(Budget budget, String key);

    /** {@link #attempt(Budget, String, Instant)} for a user name: whether it may try. */
    default boolean attempt(String username, Instant now) {
        return attempt(Budget.USER, username, now).allowed();
    }

    /** {@link #succeeded(Budget, String)} for a user name: its failures are forgotten. */
    default void succeeded(String username) {
        succeeded(Budget.USER, username);
    }

    /**
     * Counts in this process's memory, at most 100,000 keys: when full, first what is forgotten anyway, then keys
     * that are not blocked; blocked keys are never dropped to make room (then new keys are refused for a second).
     */
    static LoginAttempts inMemory() {
        return new InMemoryLoginAttempts();
    }

    /**
     * How long a user name is blocked after its {@code failures}-th failure in a row: nothing up to
     * {@link #FREE_FAILURES}, then {@link #FIRST_BLOCK} doubling up to {@link #LONGEST_BLOCK}.
     */
    static Duration blockAfter(int failures) {
        return blockAfter(failures, FREE_FAILURES);
    }

    /** The same schedule after {@code free} free failures. */
    static Duration blockAfter(int failures, int free) {
        if (failures <= free) {
            return Duration.ZERO;
        }
        Duration block = FIRST_BLOCK.multipliedBy(1L << Math.min(failures - free - 1, 10));
        return block.compareTo(LONGEST_BLOCK) > 0 ? LONGEST_BLOCK : block;
    }

    /**
     * The network an address is counted for: an IPv4 address as itself (also when written IPv4-mapped), an IPv6
     * address by its /64 prefix, the smallest block one subscriber is usually given (counting single IPv6
     * addresses would give an attacker 2^64 budgets); anything that is not an address literal as given.
     */
    static String network(String address) {
        if (address == null || address.isEmpty()) {
            return "";
        }
        String literal = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        boolean v4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = literal.indexOf(':') >= 0
                && literal.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) {
            return address; // not an address literal (the server's remote address always is): never resolved
        }
        java.net.InetAddress a;
        try {
            a = java.net.InetAddress.getByName(literal); // a literal: parsed, no lookup
        } catch (java.net.UnknownHostException e) {
            return address;
        }
        if (a instanceof java.net.Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }

    /**
     * The IPv6 site (/48) of {@code address}, as the {@link Budget#SITE} key, or "" for an IPv4 address or anything
     * else (not counted per site).
     */
    static String site(String address) {
        String network = network(address);
        if (!network.endsWith("::/64")) {
            return "";
        }
        String[] groups = network.substring(0, network.length() - "::/64".length()).split(":");
        return groups.length < 3 ? "" : groups[0] + ":" + groups[1] + ":" + groups[2] + "::/48";
    }

    /** The form in which names are counted: lower case ({@link Locale#ROOT}); no name is the empty name. */
    static String normalized(String username) {
        return username == null ? "" : username.toLowerCase(Locale.ROOT);
    }
}
