package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.guard.Verdict.Kind;
import dev.mcpwarden.security.text.Unicode;
import java.text.Normalizer;

/**
 * Admits a value that will be passed as exactly one argument to a program, such as a host name for {@code ping}.
 *
 * <p>Blocks shell metacharacters ({@code ; | & $ ` ( ) < > ' " \ * ? [ ] { } ! # ~ ^}, so also {@code $(} and
 * backticks), a leading {@code -} (option injection), control characters (newline, NUL), whitespace of any kind,
 * invisible or bidi characters, and characters whose NFKC form is one of those (fullwidth {@code ；}). Host names,
 * IPv4 and IPv6 addresses ({@code mail.example.com}, {@code 192.0.2.7}, {@code 2001:db8::1}) pass.
 *
 * <p>This is defence in depth: run programs with an argument vector ({@link ProcessBuilder}), never through a shell.
 */
public final class ShellArgumentGuard implements InputGuard {

    /** Default longest value: 253, the longest DNS name. */
    public static final int DEFAULT_MAX_LENGTH = 253;

    private static final String METACHARACTERS = ";|&$`()<>'\"\\*?[]{}!#~^";

    private static final ShellArgumentGuard STANDARD = new ShellArgumentGuard(DEFAULT_MAX_LENGTH);

    private final int maxLength;

    private ShellArgumentGuard(int maxLength) {
        this.maxLength = maxLength;
    }

    /** The guard with the {@linkplain #DEFAULT_MAX_LENGTH default length limit}. */
    public static ShellArgumentGuard standard() {
        return STANDARD;
    }

    /** A guard with another length limit (1 to 4096). */
    public static ShellArgumentGuard withMaxLength(int maxLength) {
        if (maxLength < 1 || maxLength > 4096) {
            throw new IllegalArgumentException("maxLength must be between 1 and 4096, was " + maxLength);
        }
        return new ShellArgumentGuard(maxLength);
    }

    @Override
    public Verdict check(String value) {
        if (value == null || value.isEmpty()) {
            return Verdict.block(Kind.SHELL_INJECTION, "empty argument");
        }
        if (value.length() > maxLength) {
            return Verdict.block(Kind.SHELL_INJECTION, "argument longer than " + maxLength + " characters");
        }
        String problem = problem(value);
        if (problem == null && value.indexOf('%') >= 0) {
            // a layer that URL-decodes before the shell sees it (a wrapper script, a web hook) must not get one either
            String decoded = percentDecoded(value);
            if (!decoded.equals(value)) {
                problem = problem(decoded);
                if (problem != null) {
                    problem = "percent-encoded " + problem;
                }
            }
        }
        if (problem == null) {
            String nfkc = Normalizer.normalize(value, Normalizer.Form.NFKC);
            if (!nfkc.equals(value)) {
                problem = problem(nfkc);
                if (problem != null) {
                    problem = "look-alike of " + problem;
                }
            }
        }
        return problem == null ? Verdict.allow() : Verdict.block(Kind.SHELL_INJECTION, problem);
    }

    /** {@code %XX} as the byte it names (once, and twice for {@code %25XX}), other characters as they are. */
    private static String percentDecoded(String value) {
        String once = decodeOnce(value);
        return once.indexOf('%') >= 0 ? decodeOnce(once) : once;
    }

    private static String decodeOnce(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length() && Character.digit(value.charAt(i + 1), 16) >= 0
                    && Character.digit(value.charAt(i + 2), 16) >= 0) {
                out.append((char) Integer.parseInt(value.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String problem(String value) {
        if (value.charAt(0) == '-') {
            return "leading '-' (option injection)";
        }
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (cp == '\n' || cp == '\r') {
                return "line break";
            }
            if (Unicode.control(cp)) {
                return "control character";
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                return "whitespace inside the argument";
            }
            if (Unicode.invisible(cp)) {
                return "invisible or bidi character";
            }
            if (cp < 0x80 && METACHARACTERS.indexOf(cp) >= 0) {
                return "shell metacharacter '" + (char) cp + "'";
            }
            i += Character.charCount(cp);
        }
        return null;
    }
}
