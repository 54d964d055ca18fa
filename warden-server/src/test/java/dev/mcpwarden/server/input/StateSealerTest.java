package dev.mcpwarden.server.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.FakeClock;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class StateSealerTest {

    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i * 7 + 1);
        }
    }

    private final FakeClock clock = new FakeClock();
    private final StateSealer sealer = new StateSealer(KEY, Duration.ofMinutes(10), clock);

    private static String binding(String principal, String method, String target) {
        return principal + "\n" + method + "\n" + target + "\n" + "digest";
    }

    private static ObjectNode payload() {
        ObjectNode p = Json.object();
        p.putObject("answers").putObject("confirm").put("action", "accept");
        return p;
    }

    @Test
    void sealedStateOpensToTheSamePayload() {
        String b = binding("alice", "tools/call", "deploy");
        String state = sealer.seal(b, payload());
        assertThat(sealer.open(b, state)).contains(payload());
    }

    @Test
    void sealedStateIsOpaque() {
        String state = sealer.seal(binding("alice", "tools/call", "deploy"), payload());
        assertThat(state).doesNotContain("accept").matches("[A-Za-z0-9_-]+");
        assertThat(new String(Base64.getUrlDecoder().decode(state), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("accept").doesNotContain("answers");
    }

    @Test
    void aSealerWithTheSameKeyOpensState() {
        String b = binding("alice", "tools/call", "deploy");
        String state = sealer.seal(b, payload());
        StateSealer replica = new StateSealer(KEY.clone(), Duration.ofMinutes(10), clock);
        assertThat(replica.open(b, state)).contains(payload());
        assertThat(StateSealer.random(Duration.ofMinutes(10), clock).open(b, state)).isEmpty();
    }

    @Test
    void tamperedStateIsRejected() {
        String b = binding("alice", "tools/call", "deploy");
        byte[] raw = Base64.getUrlDecoder().decode(sealer.seal(b, payload()));
        for (int i = 0; i < raw.length; i++) {
            byte[] copy = raw.clone();
            copy[i] ^= 0x01;
            String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(copy);
            assertThat(sealer.open(b, tampered)).as("flipped byte %d", i).isEmpty();
        }
    }

    @Test
    void truncatedStateIsRejected() {
        String b = binding("alice", "tools/call", "deploy");
        String state = sealer.seal(b, payload());
        assertThat(sealer.open(b, state.substring(0, state.length() - 4))).isEmpty();
        assertThat(sealer.open(b, "")).isEmpty();
    }

    @Test
    void stateBoundToAnotherPrincipalIsRejected() {
        String state = sealer.seal(binding("alice", "tools/call", "deploy"), payload());
        assertThat(sealer.open(binding("mallory", "tools/call", "deploy"), state)).isEmpty();
    }

    @Test
    void stateBoundToAnotherMethodIsRejected() {
        String state = sealer.seal(binding("alice", "tools/call", "deploy"), payload());
        assertThat(sealer.open(binding("alice", "prompts/get", "deploy"), state)).isEmpty();
    }

    @Test
    void stateBoundToAnotherTargetIsRejected() {
        String state = sealer.seal(binding("alice", "tools/call", "deploy"), payload());
        assertThat(sealer.open(binding("alice", "tools/call", "delete"), state)).isEmpty();
    }

    @Test
    void stateIsValidUntilItsTtlAndRejectedAfter() {
        String b = binding("alice", "tools/call", "deploy");
        String state = sealer.seal(b, payload());
        clock.advance(Duration.ofMinutes(10));
        assertThat(sealer.open(b, state)).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(sealer.open(b, state)).isEmpty();
    }

    @Test
    void garbageBase64IsRejected() {
        String b = binding("alice", "tools/call", "deploy");
        assertThat(sealer.open(b, "not base64 at all!!")).isEmpty();
        assertThat(sealer.open(b, "AAAA")).isEmpty();
        assertThat(sealer.open(b, Base64.getUrlEncoder().encodeToString(new byte[64]))).isEmpty();
    }

    @Test
    void wrongKeySizeIsRejectedWithMessage() {
        assertThatThrownBy(() -> new StateSealer(new byte[16], Duration.ofMinutes(1), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request-state key must be 32 bytes, was 16");
    }

    @Test
    void nonPositiveTtlIsRejectedWithMessage() {
        assertThatThrownBy(() -> new StateSealer(KEY, Duration.ZERO, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request-state ttl must be positive, was PT0S");
    }

    @Test
    void keyArrayIsCopiedOnConstruction() {
        byte[] key = KEY.clone();
        StateSealer s = new StateSealer(key, Duration.ofMinutes(1), clock);
        String b = binding("alice", "tools/call", "deploy");
        String state = s.seal(b, payload());
        java.util.Arrays.fill(key, (byte) 0);
        assertThat(s.open(b, state)).isPresent();
    }
}
