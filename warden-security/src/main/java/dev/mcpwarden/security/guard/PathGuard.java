package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.guard.Verdict.Kind;
import dev.mcpwarden.security.text.Unicode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Admits a relative path that stays below one root directory.
 *
 * <p>The value is judged as written and in every form a later layer could turn it into: percent-decoded up to three
 * times ({@code %2e}, {@code %252e}), with overlong UTF-8 ({@code %c0%ae}) and {@code %u002e} decoded, and NFKC
 * normalised (fullwidth and one-dot-leader dots), before, after and between decoding rounds. A value still
 * percent-encoded after the third round ({@code %2525252e}) is refused as such: what a fourth decoder makes of it is
 * unknown. In each form it refuses: parent or dot-only segments
 * ({@code ..}, {@code ....}), empty segments, backslashes, absolute paths, drive letters, UNC paths, colons, a leading
 * {@code ~}, environment variable references ({@code $HOME}, {@code ${HOME}}, {@code %USERPROFILE%}), NUL and
 * other control or invisible characters, and dot or slash look-alikes. It then resolves the path
 * under the root, refuses it if normalisation leaves the root and, for the deepest part that exists on disk, compares
 * real paths so a symbolic link cannot lead outside. Dots inside a name ({@code reports/2026..summary.txt}) are fine.
 *
 * <p>A symlink created between the check and the use is outside what a check can catch; open files with
 * {@link LinkOption#NOFOLLOW_LINKS} where that matters.
 */
public final class PathGuard implements InputGuard {

    /** {@code $NAME}, {@code ${NAME}}, {@code $(...)}: what a shell or an expandvars-style helper expands. */
    private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile("\\$[A-Za-z_{(]");
    /** {@code %NAME%}, which Windows expands; looked for once percent-escapes ({@code %2e}, {@code %u002e}) are out. */
    private static final java.util.regex.Pattern WINDOWS_VARIABLE =
            java.util.regex.Pattern.compile("%[A-Za-z_][A-Za-z0-9_()]*%");
    private static final java.util.regex.Pattern ESCAPE =
            java.util.regex.Pattern.compile("%(?:[0-9A-Fa-f]{2}|[uU][0-9A-Fa-f]{4})");

    /** Longest value judged; longer values are blocked. */
    public static final int MAX_LENGTH = 1024;

    private static final int DECODE_ROUNDS = 3;

    private final Path root;

    private PathGuard(Path root) {
        this.root = root;
    }

    /** A guard for paths below {@code root} (made absolute and normalised). */
    public static PathGuard under(Path root) {
        Objects.requireNonNull(root, "root");
        return new PathGuard(root.toAbsolutePath().normalize());
    }

    /** The root this guard keeps paths below. */
    public Path root() {
        return root;
    }

    @Override
    public Verdict check(String value) {
        return judge(value).verdict;
    }

    /** The resolved absolute path of {@code value} if it passes the guard, else empty. */
    public Optional<Path> resolve(String value) {
        return Optional.ofNullable(judge(value).path);
    }

    private record Judgement(Verdict verdict, Path path) {
    }

    private static Judgement blocked(String reason) {
        return new Judgement(Verdict.block(Kind.PATH_TRAVERSAL, reason), null);
    }

    private Judgement judge(String value) {
        if (value == null || value.isEmpty()) {
            return blocked("empty path");
        }
        if (value.length() > MAX_LENGTH) {
            return blocked("path longer than " + MAX_LENGTH + " characters");
        }
        String problem = lexicalProblem(value);
        if (problem != null) {
            return blocked(problem);
        }
        List<String> forms = decodedForms(value);
        if (forms == null) {
            return blocked("still percent-encoded after " + DECODE_ROUNDS + " decoding rounds");
        }
        for (String form : forms) {
            problem = lexicalProblem(form);
            if (problem != null) {
                return blocked("encoded " + problem);
            }
        }
        Path resolved;
        try {
            resolved = root.resolve(value).normalize();
        } catch (InvalidPathException e) {
            return blocked("invalid path");
        }
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            return blocked("path leaves the root after normalisation");
        }
        try {
            if (escapesThroughLink(resolved)) {
                return blocked("path leaves the root through a symbolic link");
            }
        } catch (IOException e) {
            return blocked("path cannot be resolved on disk");
        }
        return new Judgement(Verdict.allow(), resolved);
    }

    /** Compares the real path of the deepest existing ancestor (or the file itself) with the real root. */
    private boolean escapesThroughLink(Path resolved) throws IOException {
        if (!Files.exists(root)) {
            return false;
        }
        Path realRoot = root.toRealPath();
        Path existing = resolved;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !existing.startsWith(root)) {
            return false;
        }
        if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
            return true; // dangling link: its target is unknown, refuse
        }
        return !existing.toRealPath().startsWith(realRoot);
    }

    /** The first rule a form of the value breaks, or {@code null}. */
    static String lexicalProblem(String value) {
        if (value.isEmpty()) {
            return "empty path";
        }
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (cp == 0) {
                return "NUL character";
            }
            if (Unicode.control(cp)) {
                return "control character";
            }
            if (Unicode.invisible(cp)) {
                return "invisible or bidi character";
            }
            if (cp == '\\') {
                return "backslash";
            }
            if (cp == ':') {
                return "colon (drive letter, stream or scheme)";
            }
            if (lookalike(cp)) {
                return "dot or slash look-alike character";
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                return "unpaired surrogate";
            }
            i += Character.charCount(cp);
        }
        if (value.startsWith("/")) {
            return "absolute path";
        }
        if (value.startsWith("~")) {
            return "home-directory path";
        }
        if (VARIABLE.matcher(value).find()
                || WINDOWS_VARIABLE.matcher(ESCAPE.matcher(value).replaceAll("")).find()) {
            // shells, expandvars-style helpers and Windows expand these into paths the guard never saw
            return "environment variable reference";
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty path segment";
            }
            if (segment.chars().allMatch(c -> c == '.' || Character.isWhitespace(c))) {
                return "dot-only path segment";
            }
            if (segment.length() > 2 && segment.startsWith("..") && !Character.isLetterOrDigit(segment.charAt(2))
                    && segment.charAt(2) != '%') { // percent-encoded forms are judged decoded
                // "..;" reaches the parent through servers and libraries that strip what follows the dots
                return "path segment starting with '..' and a separator";
            }
        }
        return null;
    }

    /** Whether a non-ASCII code point looks like or normalises to a dot, slash or backslash. */
    static boolean lookalike(int cp) {
        if (cp < 0x80) {
            return false;
        }
        switch (cp) {
            case 0x2024, 0x2025, 0x2026, 0xFE52, 0xFF0E, 0x3002, 0xFF61, 0x2E2E, 0x0701, 0x0702, 0xA4F8,
                 0x2215, 0x2044, 0x29F8, 0x29F5, 0x29F9, 0x2216, 0xFF0F, 0xFE68, 0xFF3C, 0x2571, 0x2572, 0x27CB,
                 0x27CD, 0x1735, 0x3033 -> {
                return true;
            }
            default -> {
            }
        }
        String n = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
        return n.indexOf('.') >= 0 || n.indexOf('/') >= 0 || n.indexOf('\\') >= 0 || n.indexOf(':') >= 0
                || n.indexOf('~') >= 0;
    }

    /**
     * The forms a later layer could turn the value into, each differing from it: every combination of up to
     * {@value #DECODE_ROUNDS} rounds of percent-decoding (overlong-aware) and NFKC normalisation, in either order
     * (a fullwidth {@code ％２ｅ} becomes {@code %2e} under NFKC, and a dot once decoded), or null when a form is
     * still percent-encoded after the last round: no guard can say what a fourth decoder would make of it.
     */
    static List<String> decodedForms(String value) {
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        seen.add(value);
        List<String> frontier = List.of(value);
        for (int round = 0; round < DECODE_ROUNDS && !frontier.isEmpty(); round++) {
            List<String> next = new ArrayList<>();
            for (String form : frontier) {
                String decoded = percentDecode(form);
                for (String f : List.of(decoded, Normalizer.normalize(form, Normalizer.Form.NFKC),
                        Normalizer.normalize(decoded, Normalizer.Form.NFKC))) {
                    if (seen.add(f)) {
                        next.add(f);
                    }
                }
            }
            frontier = next;
        }
        for (String form : frontier) {
            if (!percentDecode(form).equals(form)) {
                return null;
            }
        }
        seen.remove(value);
        return List.copyOf(seen);
    }

    /**
     * Percent-decodes {@code %XX} and {@code %uXXXX}; the bytes are read as UTF-8 that also accepts overlong
     * encodings (as old decoders did), so {@code %c0%ae} becomes a dot. Invalid escapes stay as written.
     */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '%' && hex(s, i + 1, 2)) {
                bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 3;
            } else if (c == '%' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
                    && hex(s, i + 2, 4)) {
                String ch = new String(Character.toChars(Integer.parseInt(s.substring(i + 2, i + 6), 16)));
                bytes.writeBytes(ch.getBytes(StandardCharsets.UTF_8));
                i += 6;
            } else {
                int cp = s.codePointAt(i);
                bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        return lenientUtf8(bytes.toByteArray());
    }

    private static boolean hex(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** UTF-8 decoding that accepts overlong sequences and maps other malformed bytes to U+FFFD. */
    static String lenientUtf8(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        for (int i = 0; i < b.length; ) {
            int lead = b[i] & 0xFF;
            int len = lead < 0x80 ? 1 : lead >= 0xC0 && lead < 0xE0 ? 2 : lead >= 0xE0 && lead < 0xF0 ? 3
                    : lead >= 0xF0 && lead < 0xF8 ? 4 : 0;
            if (len == 0 || i + len > b.length) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int cp = len == 1 ? lead : lead & (0xFF >> (len + 1));
            boolean ok = true;
            for (int k = 1; k < len; k++) {
                int cont = b[i + k] & 0xFF;
                if ((cont & 0xC0) != 0x80) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (cont & 0x3F);
            }
            if (!ok || cp > 0x10FFFF) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            out.appendCodePoint(cp);
            i += len;
        }
        return out.toString();
    }
}
