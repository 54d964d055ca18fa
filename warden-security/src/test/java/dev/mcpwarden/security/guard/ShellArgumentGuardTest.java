package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.guard.Verdict.Block;
import dev.mcpwarden.security.guard.Verdict.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellArgumentGuardTest {

    final ShellArgumentGuard guard = ShellArgumentGuard.standard();

    private String reason(String value) {
        Verdict v = guard.check(value);
        assertThat(v).as(value).isInstanceOf(Block.class);
        assertThat(((Block) v).kind()).isEqualTo(Kind.SHELL_INJECTION);
        return ((Block) v).reason();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail.example.com", "example.com", "192.0.2.7", "2001:db8::1", "fe80::1",
        "host-01.internal_zone.example", "T-100", "b\u00fccher.example", "xn--bcher-kva.example", "a"})
    void hostNamesAddressesAndIdentifiersAreAllowed(String value) {
        assertThat(guard.check(value)).isEqualTo(Verdict.allow());
    }

    @Test
    void percentEncodedMetacharactersAndLineBreaksAreBlockedForLayersThatDecode() {
        assertThat(guard.check("example.com%3Bid")).isEqualTo(Verdict.block(Kind.SHELL_INJECTION,
                "percent-encoded shell metacharacter ';'"));
        assertThat(guard.check("example.com%0aid")).isEqualTo(Verdict.block(Kind.SHELL_INJECTION,
                "percent-encoded line break"));
        assertThat(guard.check("example.com%253Bid")).isEqualTo(Verdict.block(Kind.SHELL_INJECTION,
                "percent-encoded shell metacharacter ';'"));
        assertThat(guard.check("50%off")).isEqualTo(Verdict.allow());
    }

    @Test
    void commandSeparatorsAndPipesAreBlocked() {
        assertThat(reason("example.com;cat")).isEqualTo("shell metacharacter ';'");
        assertThat(reason("example.com&&id")).isEqualTo("shell metacharacter '&'");
        assertThat(reason("example.com|nc")).isEqualTo("shell metacharacter '|'");
        assertThat(reason("example.com>out")).isEqualTo("shell metacharacter '>'");
        assertThat(reason("<in")).isEqualTo("shell metacharacter '<'");
    }

    @Test
    void commandSubstitutionAndExpansionAreBlocked() {
        assertThat(reason("$(id)")).isEqualTo("shell metacharacter '$'");
        assertThat(reason("`id`")).isEqualTo("shell metacharacter '`'");
        assertThat(reason("${IFS}")).isEqualTo("shell metacharacter '$'");
        assertThat(reason("a(b)")).isEqualTo("shell metacharacter '('");
        assertThat(reason("*.example.com")).isEqualTo("shell metacharacter '*'");
        assertThat(reason("{a,b}")).isEqualTo("shell metacharacter '{'");
        assertThat(reason("'quoted'")).isEqualTo("shell metacharacter '''");
        assertThat(reason("host\\x")).isEqualTo("shell metacharacter '\\'");
    }

    @Test
    void aLeadingDashIsOptionInjection() {
        assertThat(reason("-oProxyCommand=id")).isEqualTo("leading '-' (option injection)");
        assertThat(reason("--help")).isEqualTo("leading '-' (option injection)");
    }

    @Test
    void lineBreaksControlCharactersAndWhitespaceAreBlocked() {
        assertThat(reason("example.com\nid")).isEqualTo("line break");
        assertThat(reason("example.com\rid")).isEqualTo("line break");
        assertThat(reason("example.com\u0000")).isEqualTo("control character");
        assertThat(reason("example.com\tid")).isEqualTo("control character");
        assertThat(reason("example.com id")).isEqualTo("whitespace inside the argument");
        assertThat(reason("example.com\u00a0id")).isEqualTo("whitespace inside the argument");
        assertThat(reason("example.com\u2028id")).isEqualTo("whitespace inside the argument");
        assertThat(reason("example.com\u200bid")).isEqualTo("invisible or bidi character");
    }

    @Test
    void fullwidthLookalikesOfMetacharactersAreBlocked() {
        assertThat(reason("example.com\uff1bid")).isEqualTo("look-alike of shell metacharacter ';'");
        assertThat(reason("\uff04(id)")).isEqualTo("shell metacharacter '('");
        assertThat(reason("\uff0drf")).isEqualTo("look-alike of leading '-' (option injection)");
    }

    @Test
    void emptyAndOverlongArgumentsAreBlocked() {
        assertThat(reason("")).isEqualTo("empty argument");
        assertThat(reason(null)).isEqualTo("empty argument");
        assertThat(reason("a".repeat(254))).isEqualTo("argument longer than 253 characters");
        assertThat(ShellArgumentGuard.withMaxLength(300).check("a".repeat(254))).isEqualTo(Verdict.allow());
    }

    @Test
    void aLengthLimitOutsideItsRangeIsRejectedWithTheBadValue() {
        assertThatThrownBy(() -> ShellArgumentGuard.withMaxLength(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLength must be between 1 and 4096, was 0");
    }
}
