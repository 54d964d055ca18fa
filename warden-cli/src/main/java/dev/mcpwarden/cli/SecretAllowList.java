package dev.mcpwarden.cli;

import dev.mcpwarden.security.guard.FindingKind;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The findings of {@code warden scan-secrets} a repository accepts: test fixtures that must hold a real-looking
 * secret. One entry a line, {@code GLOB KIND [sha256:FINGERPRINT]} ({@code #} starts a comment): the files the glob
 * matches (relative to the scanned root, {@code /} between directories) may hold secrets of that kind, or only the
 * one with that fingerprint. There is no blanket exclusion: a kind is always named, and a glob must name some
 * directory or file, not match everything ({@code **}, {@code *}).
 */
final class SecretAllowList {

    /** One entry; {@code line} is where it was written, for the unused-entry warning. */
    record Entry(int line, String glob, PathMatcher matcher, FindingKind kind, Optional<String> fingerprint) {
    }

    private static final Pattern FINGERPRINT = Pattern.compile("sha256:[0-9a-f]{16}");
    /** A glob of nothing but wildcards and separators matches every file. */
    private static final Pattern BLANKET = Pattern.compile("[*?/{},]*");

    private final List<Entry> entries;
    private final boolean[] used;

    private SecretAllowList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        this.used = new boolean[entries.size()];
    }

    static SecretAllowList empty() {
        return new SecretAllowList(List.of());
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the file and line of an entry that is not well formed
     */
    static SecretAllowList read(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] parts = text.split("\\s+");
            if (parts.length < 2 || parts.length > 3) {
                throw new IllegalArgumentException(where + "an entry is GLOB KIND [sha256:FINGERPRINT], was: " + text);
            }
            if (BLANKET.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException(where + "the glob " + parts[0] + " matches every file; name the "
                        + "fixtures' directory or files");
            }
            FindingKind kind;
            try {
                kind = FindingKind.valueOf(parts[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                kind = null;
            }
            if (kind == null || !kind.secret()) {
                throw new IllegalArgumentException(where + "unknown secret kind " + parts[1] + " (one of "
                        + secretKinds() + ")");
            }
            Optional<String> fingerprint = Optional.empty();
            if (parts.length == 3) {
                if (!FINGERPRINT.matcher(parts[2]).matches()) {
                    throw new IllegalArgumentException(where + "a fingerprint is sha256: and 16 hex digits, as "
                            + "scan-secrets prints it, was " + parts[2]);
                }
                fingerprint = Optional.of(parts[2]);
            }
            PathMatcher matcher;
            try {
                matcher = FileSystems.getDefault().getPathMatcher("glob:" + parts[0]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "not a glob: " + parts[0]);
            }
            entries.add(new Entry(i + 1, parts[0], matcher, kind, fingerprint));
        }
        return new SecretAllowList(entries);
    }

    private static String secretKinds() {
        return String.join(", ", java.util.Arrays.stream(FindingKind.values()).filter(FindingKind::secret)
                .map(Enum::name).toList());
    }

    /** Whether a finding of {@code kind} with {@code fingerprint} in {@code file} (relative to the root) is allowed. */
    synchronized boolean allows(Path file, FindingKind kind, String fingerprint) {
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.kind == kind && e.fingerprint.map(fingerprint::equals).orElse(true) && e.matcher.matches(file)) {
                used[i] = true;
                return true;
            }
        }
        return false;
    }

    /** The entries that allowed nothing in this scan: stale, and worth removing. */
    synchronized List<Entry> unused() {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (!used[i]) {
                out.add(entries.get(i));
            }
        }
        return out;
    }
}
