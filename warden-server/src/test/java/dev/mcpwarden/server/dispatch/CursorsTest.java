package dev.mcpwarden.server.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpwarden.core.jsonrpc.McpError;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CursorsTest {

    private final Cursors cursors = new Cursors();

    private static void assertInvalid(McpError e) {
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid cursor");
    }

    @Test
    void cursorDecodesToTheOffsetItWasIssuedFor() {
        assertThat(cursors.decode("tools", cursors.encode("tools", 0))).isZero();
        assertThat(cursors.decode("tools", cursors.encode("tools", 200))).isEqualTo(200);
    }

    @Test
    void cursorIsOpaque() {
        String c = cursors.encode("tools", 2);
        assertThat(c).matches("[A-Za-z0-9_-]+").doesNotContain("tools");
    }

    @Test
    void tamperedCursorIsRejected() {
        byte[] raw = Base64.getUrlDecoder().decode(cursors.encode("tools", 2));
        for (int i = 0; i < raw.length; i++) {
            byte[] copy = raw.clone();
            copy[i] ^= 0x01;
            String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(copy);
            assertInvalid(catchThrowableOfType(McpError.class, () -> cursors.decode("tools", tampered)));
        }
    }

    @Test
    void cursorForAnotherListIsRefused() {
        String c = cursors.encode("prompts", 2);
        assertInvalid(catchThrowableOfType(McpError.class, () -> cursors.decode("tools", c)));
    }

    @Test
    void cursorFromAnotherServerIsRefused() {
        String c = new Cursors().encode("tools", 2);
        assertInvalid(catchThrowableOfType(McpError.class, () -> cursors.decode("tools", c)));
    }

    @Test
    void garbageCursorsAreRefused() {
        assertInvalid(catchThrowableOfType(McpError.class, () -> cursors.decode("tools", "!!!")));
        assertInvalid(catchThrowableOfType(McpError.class, () -> cursors.decode("tools", "")));
        assertInvalid(catchThrowableOfType(McpError.class, () -> cursors.decode("tools", "AAAA")));
    }
}
