package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every detector scans 1 MiB of text built to make one of its rules work hard (a rule's prefix repeated without the
 * rest of the match, a key repeated without its value, thousands of findings) in linear time: at most
 * {@value #RATIO} times what the same detector takes on a mebibyte of ordinary prose in the same run, and at most
 * the stated bound in absolute terms. Measuring against prose keeps the test honest on a slow, shared machine (the
 * absolute bound is generous for the same reason); a rule that backtracks over a window from every start, or
 * findings compared with every other finding, cost tens of times prose on these inputs (minutes at 1 MiB).
 */
class AdversarialInputCostTest {

    static final int MIB = 1 << 20;
    /** Crafted text may cost this many times ordinary prose of the same length. */
    static final int RATIO = 5;
    /** The stated bound for the redaction detectors, per MiB, on a loaded CI machine (about 0.2 s when idle). */
    static final long SENSITIVE_DATA_BOUND_MS = 10_000;
    /** The injection detector reads the text several ways (folded, joined, un-leeted, decoded): about 1 s when idle. */
    static final long INJECTION_BOUND_MS = 60_000;

    static final String PROSE = mebibyteOf("The printer on floor 3 jams when printing duplex; please check the tray "
            + "and call me back at the front desk before noon. ");

    static String mebibyteOf(String unit) {
        StringBuilder sb = new StringBuilder(MIB + unit.length());
        while (sb.length() < MIB) {
            sb.append(unit);
        }
        return sb.toString();
    }

    static Stream<Arguments> secretInputs() {
        return Stream.of("host=a;", "Server=x;Database=y;", "host=host=", "data source=a;User Id=b;", "jdbc:a:",
                "jdbc:mysql:x?user=a&password=&", "AKIAIOSFODNN7EXAMPLE ", "ghp_16C7e42F292c6912E7710c838347Ae178B4a\n",
                "ab-cd-ef-g1-", "a1 b2 c3 d4 ", "password=", "password=Xy9!kq2Lm ", "Bearer abcDEF123456ghiJKL789mno ",
                "a://b:c", "eyJ", "sk-", "-----BEGIN PRIVATE KEY-----", "QUtJQUlPU0ZPRE5ON0VYQU1QTEU=",
                "4142434445464748494a4b4c", "?sig=", "1234567890:AA", "Authorization: Basic ", "abc8Q~")
                .map(Arguments::of);
    }

    static Stream<Arguments> piiInputs() {
        return Stream.of("a@b.co ", "a@", "jane [at] example [dot] com ", "jane at example dot com ", "+1 ",
                "+49 30 1234 5678 ", "(415) 555-0134 ", "123-45-6789 ", "ssn ", "4111 1111 1111 1111 ", "4111-", "1 ",
                "DE89 3704 0044 0532 0130 00 ", "DE89 ", "dob: ", "passport no. X1234567 ")
                .map(Arguments::of);
    }

    static Stream<Arguments> injectionInputs() {
        return Stream.of("ignore all previous ", "i g n o r e ", "1gn0r3 ", "забудь все ", "无视", "send the passwords ",
                "![a](https://x.example/p?d=", "%41", "\\u0041", "<|im_start|>", "call delete_")
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("secretInputs")
    void theSecretDetectorScansAMebibyteOfCraftedTextInLinearTime(String unit) {
        assertLinear("secrets", t -> SecretDetector.standard().scan(t), unit, SENSITIVE_DATA_BOUND_MS);
    }

    @ParameterizedTest
    @MethodSource("piiInputs")
    void thePiiDetectorScansAMebibyteOfCraftedTextInLinearTime(String unit) {
        assertLinear("pii", t -> PiiDetector.all().scan(t), unit, SENSITIVE_DATA_BOUND_MS);
    }

    @ParameterizedTest
    @MethodSource("injectionInputs")
    void theInjectionDetectorScansAMebibyteOfCraftedTextInLinearTime(String unit) {
        assertLinear("injection", t -> HeuristicInjectionDetector.standard().detect(t), unit, INJECTION_BOUND_MS);
    }

    private static final java.util.Map<String, Long> PROSE_MS = new java.util.concurrent.ConcurrentHashMap<>();

    static void assertLinear(String detector, Consumer<String> scan, String unit, long boundMs) {
        String text = mebibyteOf(unit);
        long prose = PROSE_MS.computeIfAbsent(detector, d -> {
            Consumer<String> s = scan;
            s.accept(PROSE.substring(0, MIB / 4)); // warm-up
            return Math.min(millis(s, PROSE), millis(s, PROSE));
        });
        long limit = Math.min(boundMs, Math.max(RATIO * prose, 100));
        long took = millis(scan, text);
        for (int retry = 0; retry < 2 && took > limit; retry++) {
            took = Math.min(took, millis(scan, text)); // another engineer's build may have taken the CPU
        }
        assertThat(took).as("%s repeated: %d ms, prose %d ms", unit, took, prose).isLessThanOrEqualTo(limit);
    }

    static long millis(Consumer<String> scan, String text) {
        long t0 = System.nanoTime();
        scan.accept(text);
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
