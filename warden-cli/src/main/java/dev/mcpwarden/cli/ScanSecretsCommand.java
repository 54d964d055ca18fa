package dev.mcpwarden.cli;

import dev.mcpwarden.security.guard.FindingKind;
import dev.mcpwarden.security.guard.SecretDetector;
import dev.mcpwarden.security.guard.TextMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code warden scan-secrets}: the output guard's secret detector over the files of a repository. */
@Command(name = "scan-secrets", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scan files for secrets with the output guard's own rules (API keys, cloud keys, tokens,"
                + " private keys, connection strings and passwords, plain or base64/hex encoded). In a git work"
                + " tree only tracked files are read (git ls-files), elsewhere every file; binary files and files"
                + " over --max-file-size are skipped. Findings name the file, line, kind and a fingerprint, never"
                + " the secret.",
                "Findings a repository accepts (test fixtures) are listed in its allow list, .warden-secrets-allow"
                        + " at the root by default: one 'GLOB KIND [sha256:FINGERPRINT]' a line.",
                "Exit status: 0 when nothing is found, 1 on a finding, 2 on a bad argument or allow list."})
public final class ScanSecretsCommand implements Callable<Integer> {

    /** The allow list's name at a scanned root. */
    static final String ALLOW_FILE = ".warden-secrets-allow";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Directories (or files) to scan.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--allow", paramLabel = "FILE",
            description = "The allow list (default: " + ALLOW_FILE + " in each PATH, when there is one).")
    Path allow;

    @Option(names = "--max-file-size", paramLabel = "BYTES", defaultValue = "1048576",
            description = "Skip files larger than this (default: ${DEFAULT-VALUE}).")
    long maxFileSize;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (maxFileSize < 1) {
            err.println("ERROR: --max-file-size must be at least 1, was " + maxFileSize);
            return 2;
        }
        int findings = 0;
        int files = 0;
        int skipped = 0;
        for (Path root : paths) {
            if (!Files.exists(root)) {
                err.println("ERROR: no such file or directory: " + root);
                return 2;
            }
            Path base = Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
            SecretAllowList allowed;
            try {
                Path list = allow != null ? allow : base.resolve(ALLOW_FILE);
                allowed = allow != null || Files.isRegularFile(list) ? SecretAllowList.read(list)
                        : SecretAllowList.empty();
            } catch (IllegalArgumentException | IOException e) {
                err.println("ERROR: " + e.getMessage());
                return 2;
            }
            for (Path relative : Files.isDirectory(root) ? files(root) : List.of(root.getFileName())) {
                Path file = base.resolve(relative);
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // a tracked file deleted in the work tree, a symbolic link, a submodule
                }
                String text = text(file);
                if (text == null) {
                    skipped++;
                    continue;
                }
                files++;
                for (TextMatch m : SecretDetector.standard().scan(text)) {
                    if (!m.kind().secret()) {
                        continue; // personal data in a repository is not what this scan is for
                    }
                    String found = text.substring(m.start(), m.end());
                    if (notASecretInSource(m.kind(), found)) {
                        continue;
                    }
                    String fingerprint = fingerprint(found);
                    if (allowed.allows(relative, m.kind(), fingerprint)) {
                        continue;
                    }
                    findings++;
                    String shown = root.equals(base) ? base.resolve(relative).toString() : root.toString();
                    out.println(shown + ":" + line(text, m.start()) + ": " + m.kind() + " " + fingerprint
                            + " (to allow it: " + relative + " " + m.kind() + " " + fingerprint + ")");
                }
            }
            for (SecretAllowList.Entry e : allowed.unused()) {
                err.println("warning: allow list entry at line " + e.line() + " (" + e.glob() + " " + e.kind()
                        + e.fingerprint().map(f -> " " + f).orElse("") + ") allowed nothing; remove it");
            }
        }
        out.println("scan-secrets: " + files + " files scanned, " + skipped + " skipped (binary or over "
                + maxFileSize + " bytes), " + findings + (findings == 1 ? " finding" : " findings"));
        return findings == 0 ? 0 : 1;
    }

    /** The files under {@code root}, relative to it: tracked ones in a git work tree, else every regular file. */
    private static List<Path> files(Path root) throws IOException, InterruptedException {
        List<Path> tracked = gitFiles(root);
        if (tracked != null) {
            return tracked;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.toString().contains("/.git/") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(root::relativize).sorted().toList();
        }
    }

    /** What {@code git ls-files} lists under {@code root}, or null when it is not in a git work tree. */
    private static List<Path> gitFiles(Path root) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z", "--cached")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null; // no git: walk the directory
        }
        byte[] listed;
        try (InputStream in = p.getInputStream()) {
            listed = in.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("git ls-files did not finish within 60 s in " + root);
        }
        if (p.exitValue() != 0) {
            return null;
        }
        List<Path> out = new ArrayList<>();
        for (String name : new String(listed, StandardCharsets.UTF_8).split("\0")) {
            if (!name.isEmpty()) {
                out.add(Path.of(name));
            }
        }
        return out;
    }

    /** The file as text, or null when it is too large or binary (a NUL byte, or not UTF-8). */
    private String text(Path file) throws IOException {
        if (Files.size(file) > maxFileSize) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length > maxFileSize) {
            return null; // grew since
        }
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** What a program's source holds after {@code token =} or {@code password:} that is no secret. */
    private static final Pattern CODE = Pattern.compile("[(){}\\[\\]`]|::|\\$\\{");
    private static final Pattern REFERENCE = Pattern.compile("(?i)(file|env|vault|azure-key-vault|keyvault):.*");
    private static final Pattern WORDS = Pattern.compile("[A-Za-z_.:/-]+");

    /**
     * Whether a generic assignment's value ({@code password=}, {@code token:}, {@code api_key=}) is what source and
     * documentation write there, not a secret: the output guard flags any random-looking value in a model's output,
     * but a repository is full of {@code String token = form.get("token");}. Dismissed are values with code in them
     * (parentheses, braces, brackets, {@code ::}, a template's {@code $&#123;}), a secret reference
     * ({@code file:/run/secrets/x}, {@code env:NAME}), and a name without a digit (a variable, a word, a URN part).
     * Vendor keys, AWS keys, JWTs, private keys and connection strings are never dismissed: their shape is the
     * finding, and each one holds digits.
     */
    static boolean notASecretInSource(FindingKind kind, String value) {
        if (kind == FindingKind.PRIVATE_KEY || kind == FindingKind.AWS_KEY || kind == FindingKind.CONNECTION_STRING) {
            return false;
        }
        return CODE.matcher(value).find() || REFERENCE.matcher(value).matches() || WORDS.matcher(value).matches();
    }

    private static int line(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * A short digest of what was found, so that an allow list can name one finding without writing the secret down.
     */
    static String fingerprint(String found) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(found.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
