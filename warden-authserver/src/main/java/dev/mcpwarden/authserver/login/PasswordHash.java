package dev.mcpwarden.authserver.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (RFC 9106) in the PHC string format {@code $argon2id$v=19$m=...,t=...,p=...$salt$hash},
 * computed by Bouncy Castle. Hashing is deliberately slow; verification compares in constant time.
 *
 * <p>Default cost: 19 MiB of memory, 2 passes, 1 lane (the OWASP minimum for Argon2id).
 */
public final class PasswordHash {

    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{16,128})");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The default cost: memory in KiB, passes, lanes. */
    public static final int MEMORY_KIB = 19 * 1024;
    public static final int ITERATIONS = 2;
    public static final int PARALLELISM = 1;

    /** A well-formed hash of a random password, verified against when a user is unknown to even out timing. */
    private static final String DUMMY = hash("unknown user".toCharArray());

    private PasswordHash() {
    }

    /** Hashes {@code password} with a fresh 16-byte salt at the default cost. */
    public static String hash(char[] password) {
        return hash(password, MEMORY_KIB, ITERATIONS, PARALLELISM);
    }

    /** Hashes {@code password} at the given cost (memory in KiB). */
    public static String hash(char[] password, int memoryKib, int iterations, int parallelism) {
        if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
            throw new IllegalArgumentException("invalid Argon2 cost m=" + memoryKib + " t=" + iterations
                    + " p=" + parallelism);
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] out = derive(password, salt, memoryKib, iterations, parallelism, 32);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** Whether {@code password} matches {@code phc}; a malformed hash never matches. */
    public static boolean verify(char[] password, String phc) {
        Matcher m = phc == null ? null : PHC.matcher(phc);
        if (m == null || !m.matches()) {
            return false;
        }
        int memory = Integer.parseInt(m.group(1));
        int iterations = Integer.parseInt(m.group(2));
        int parallelism = Integer.parseInt(m.group(3));
        if (memory > 4 * 1024 * 1024 || parallelism < 1 || iterations < 1 || memory < 8 * parallelism) {
            return false; // refuse absurd costs instead of spending minutes on them
        }
        byte[] salt = B64D.decode(m.group(4));
        byte[] expected = B64D.decode(m.group(5));
        byte[] actual = derive(password, salt, memory, iterations, parallelism, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** Spends the time a verification takes, so that unknown users cannot be told from wrong passwords. */
    public static void verifyDummy(char[] password) {
        verify(password, DUMMY);
    }

    /**
     * A hash of a random password at the same cost as {@code phc} (the default cost when it is malformed), to
     * verify against for unknown users so that they take as long as a known user with that hash.
     */
    public static String dummyLike(String phc) {
        long[] cost = cost(phc);
        if (cost == null) {
            return DUMMY;
        }
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return hash(B64.encodeToString(random).toCharArray(), (int) cost[0], (int) cost[1], (int) cost[2]);
    }

    /** Memory (KiB), passes and lanes of a well-formed hash of an acceptable cost, or null. */
    static long[] cost(String phc) {
        Matcher m = phc == null ? null : PHC.matcher(phc);
        if (m == null || !m.matches()) {
            return null;
        }
        long memory = Long.parseLong(m.group(1));
        long iterations = Long.parseLong(m.group(2));
        long parallelism = Long.parseLong(m.group(3));
        if (memory > 4 * 1024 * 1024 || parallelism < 1 || iterations < 1 || memory < 8 * parallelism) {
            return null;
        }
        return new long[] {memory, iterations, parallelism};
    }

    private static byte[] derive(char[] password, byte[] salt, int memoryKib, int iterations, int parallelism,
                                 int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
        try {
            generator.generateBytes(pw, out);
        } finally {
            java.util.Arrays.fill(pw, (byte) 0);
        }
        return out;
    }

    /** Prints the hash of the password given on standard input (for configuration files). */
    public static void main(String[] args) throws java.io.IOException {
        char[] pw;
        java.io.Console console = System.console();
        if (console != null) {
            pw = console.readPassword("Password: ");
        } else {
            pw = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip().toCharArray();
        }
        System.out.println(hash(pw));
    }
}
