package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.security.guard.Verdict.Block;
import dev.mcpwarden.security.guard.Verdict.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathGuardTest {

    @TempDir
    Path base;
    Path root;
    PathGuard guard;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(base.resolve("attachments"));
        Files.createDirectories(root.resolve("T-100"));
        Files.writeString(root.resolve("T-100/screenshot.png"), "png");
        Files.createDirectories(root.resolve("reports"));
        Files.writeString(root.resolve("reports/2026..summary.txt"), "summary");
        Files.writeString(base.resolve("secret.txt"), "outside");
        guard = PathGuard.under(root);
    }

    private String reason(String value) {
        Verdict v = guard.check(value);
        assertThat(v).as(value).isInstanceOf(Block.class);
        assertThat(((Block) v).kind()).isEqualTo(Kind.PATH_TRAVERSAL);
        return ((Block) v).reason();
    }

    @ParameterizedTest
    @ValueSource(strings = {"T-100/screenshot.png", "reports/2026..summary.txt", "notes.txt", "a/b/c.d.e",
        "report..final", "..hidden-looking-name", "name..", "caf\u00e9/Z\u00fcrich.txt", "50%off.txt"})
    void ordinaryRelativeNamesAreAllowedIncludingDotsInsideAName(String value) {
        assertThat(guard.check(value)).isEqualTo(Verdict.allow());
    }

    @Test
    void resolveReturnsTheAbsolutePathBelowTheRoot() {
        assertThat(guard.resolve("reports/2026..summary.txt")).contains(root.resolve("reports/2026..summary.txt"));
        assertThat(guard.resolve("../secret.txt")).isEmpty();
    }

    @Test
    void aParentSegmentWithSomethingGluedOnIsBlockedAsServersStripIt() {
        assertThat(reason("..;/..;/etc/passwd")).isEqualTo("path segment starting with '..' and a separator");
        assertThat(reason("a/..;jsessionid=1/b")).isEqualTo("path segment starting with '..' and a separator");
    }

    @Test
    void parentSegmentsAreBlocked() {
        assertThat(reason("../../etc/passwd")).isEqualTo("dot-only path segment");
        assertThat(reason("T-100/../../secret.txt")).isEqualTo("dot-only path segment");
        assertThat(reason("..")).isEqualTo("dot-only path segment");
        assertThat(reason("./notes.txt")).isEqualTo("dot-only path segment");
    }

    @Test
    void dotOnlySegmentsThatSurviveNaiveFilteringAreBlocked() {
        assertThat(reason("....//....//etc/passwd")).isEqualTo("dot-only path segment");
        assertThat(reason("a//b")).isEqualTo("empty path segment");
        assertThat(reason("..../etc")).isEqualTo("dot-only path segment");
        assertThat(reason(".. /etc")).isEqualTo("dot-only path segment");
    }

    @Test
    void percentEncodedTraversalIsBlockedInEveryEncoding() {
        assertThat(reason("..%2f..%2fetc%2fpasswd")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("%2e%2e/%2e%2e/etc/passwd")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("%2E%2E%2F")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("%252e%252e%252fetc")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("%25252e%25252e/etc")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("%c0%ae%c0%ae/etc/passwd")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("..%c0%afetc")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("%e0%80%ae%e0%80%ae/x")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("%u002e%u002e/x")).isEqualTo("encoded dot-only path segment");
        assertThat(reason("..%5c..%5cwindows")).isEqualTo("encoded backslash");
        assertThat(reason("%2fetc%2fpasswd")).isEqualTo("encoded absolute path");
        assertThat(reason("notes.txt%00.png")).isEqualTo("encoded NUL character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%2525252e%2525252e/etc/passwd", "%252525252e%252525252e/etc", "notes%2525252etxt",
        "T-100/%25252541screenshot.png", "%25252575002e%25252575002e/x", "a/%25%32%35%32%35%32%65/b"})
    void aValueStillPercentEncodedAfterTheLastDecodingRoundIsRefused(String value) {
        assertThat(reason(value)).isEqualTo("still percent-encoded after 3 decoding rounds");
    }

    @Test
    void percentEscapesWrittenInFullwidthFormsAreDecodedAfterNormalisation() {
        assertThat(reason("\uff05\uff12\uff45\uff05\uff12\uff45/etc/passwd"))
                .isEqualTo("encoded dot-only path segment");
        assertThat(reason("\uff05\uff12\uff45\uff05\uff12\uff45\uff05\uff12\uff46etc"))
                .isEqualTo("encoded dot-only path segment");
        assertThat(reason("%ef%bc%85%32%65%ef%bc%85%32%65/x")).isEqualTo("encoded dot-only path segment");
    }

    @Test
    void namesWithAPercentSignThatDecodeWithinThreeRoundsAreStillAllowed() {
        assertThat(guard.check("report%20final.txt")).isEqualTo(Verdict.allow());
        assertThat(guard.check("100%25.txt")).isEqualTo(Verdict.allow());
        assertThat(guard.check("50%off.txt")).isEqualTo(Verdict.allow());
    }

    @Test
    void backslashesAreBlocked() {
        assertThat(reason("..\\..\\windows\\system32\\config\\sam")).isEqualTo("backslash");
        assertThat(reason("T-100\\screenshot.png")).isEqualTo("backslash");
    }

    @Test
    void absoluteHomeDriveAndUncPathsAreBlocked() {
        assertThat(reason("/etc/shadow")).isEqualTo("absolute path");
        assertThat(reason("/proc/self/environ")).isEqualTo("absolute path");
        assertThat(reason("//server/share/x")).isEqualTo("absolute path");
        assertThat(reason("\\\\server\\share")).isEqualTo("backslash");
        assertThat(reason("C:/Windows/win.ini")).isEqualTo("colon (drive letter, stream or scheme)");
        assertThat(reason("file:///etc/passwd")).isEqualTo("colon (drive letter, stream or scheme)");
        assertThat(reason("notes.txt::$DATA")).isEqualTo("colon (drive letter, stream or scheme)");
        assertThat(reason("~/.ssh/id_rsa")).isEqualTo("home-directory path");
        assertThat(reason("~root/.bashrc")).isEqualTo("home-directory path");
    }

    @Test
    void environmentVariableReferencesAreBlockedForTheLayersThatExpandThem() {
        assertThat(reason("$HOME/.ssh/id_rsa")).isEqualTo("environment variable reference");
        assertThat(reason("${HOME}/.aws/credentials")).isEqualTo("environment variable reference");
        assertThat(reason("reports/$(id)/x")).isEqualTo("environment variable reference");
        assertThat(reason("%USERPROFILE%/.ssh/id_rsa")).isEqualTo("environment variable reference");
        assertThat(reason("%24HOME/.ssh/id_rsa")).isEqualTo("encoded environment variable reference");
        assertThat(reason("%25APPDATA%25/x")).isEqualTo("encoded environment variable reference");
        assertThat(guard.check("prices/100%.txt")).isEqualTo(Verdict.allow());
        assertThat(guard.check("reports/cost$.txt")).isEqualTo(Verdict.allow());
    }

    @Test
    void nulControlAndInvisibleCharactersAreBlocked() {
        assertThat(reason("notes.txt\u0000.png")).isEqualTo("NUL character");
        assertThat(reason("notes\n.txt")).isEqualTo("control character");
        assertThat(reason("notes\u200b.txt")).isEqualTo("invisible or bidi character");
        assertThat(reason("gnp.\u202etxt")).isEqualTo("invisible or bidi character");
    }

    @Test
    void unicodeDotAndSlashLookalikesAreBlocked() {
        assertThat(reason("\u2024\u2024/etc/passwd")).isEqualTo("dot or slash look-alike character");
        assertThat(reason("\uff0e\uff0e/etc/passwd")).isEqualTo("dot or slash look-alike character");
        assertThat(reason("\u2025/etc")).isEqualTo("dot or slash look-alike character");
        assertThat(reason("..\u2215etc")).isEqualTo("dot or slash look-alike character");
        assertThat(reason("..\uff0fetc")).isEqualTo("dot or slash look-alike character");
        assertThat(reason("%ef%bc%8e%ef%bc%8e/etc")).isEqualTo("encoded dot or slash look-alike character");
    }

    @Test
    void emptyAndOverlongValuesAreBlocked() {
        assertThat(reason("")).isEqualTo("empty path");
        assertThat(reason(null)).isEqualTo("empty path");
        assertThat(reason("a".repeat(1025))).isEqualTo("path longer than 1024 characters");
        assertThat(reason("T-100/")).isEqualTo("empty path segment");
    }

    @Test
    void aSymbolicLinkInsideTheRootThatPointsOutsideIsBlocked() throws IOException {
        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "root:x:0:0");
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("file-link"), base.resolve("secret.txt"));
        assertThat(reason("link/passwd")).isEqualTo("path leaves the root through a symbolic link");
        assertThat(reason("link/not-yet-created.txt")).isEqualTo("path leaves the root through a symbolic link");
        assertThat(reason("file-link")).isEqualTo("path leaves the root through a symbolic link");
    }

    @Test
    void aSymbolicLinkThatStaysInsideTheRootIsAllowed() throws IOException {
        Files.createSymbolicLink(root.resolve("latest"), root.resolve("reports"));
        assertThat(guard.check("latest/2026..summary.txt")).isEqualTo(Verdict.allow());
    }

    @Test
    void aDanglingSymbolicLinkIsBlocked() throws IOException {
        Files.createSymbolicLink(root.resolve("dangling"), base.resolve("does-not-exist"));
        assertThat(reason("dangling")).isEqualTo("path leaves the root through a symbolic link");
    }

    @Test
    void aRootReachedThroughASymbolicLinkStillAdmitsItsOwnFiles() throws IOException {
        Path alias = Files.createSymbolicLink(base.resolve("alias"), root);
        assertThat(PathGuard.under(alias).check("T-100/screenshot.png")).isEqualTo(Verdict.allow());
        assertThat(PathGuard.under(alias).check("../secret.txt").allowed()).isFalse();
    }
}
