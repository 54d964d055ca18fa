package dev.mcpwarden.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs external programs (the conformance suite, official SDK clients) from tests. */
public final class Processes {

    /** What a finished process printed and how it ended. */
    public record Outcome(int exitCode, String output) {
    }

    private Processes() {
    }

    /** The repository root: the nearest ancestor of the working directory holding {@code conformance/package.json}. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.exists(p.resolve("conformance/package.json"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("repository root (with conformance/package.json) not found above "
                + Path.of("").toAbsolutePath());
    }

    /** The pinned Node 22 wrapper of {@code conformance/}. */
    public static Path node() {
        return repoRoot().resolve("conformance/node");
    }

    /** Runs a command to completion (stdout and stderr merged), killing it after {@code timeout}. */
    public static Outcome run(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("warden-proc", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).directory(repoRoot().toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            String out = Files.readString(log, StandardCharsets.UTF_8);
            throw new AssertionError("timed out after " + timeout + ": " + command + "\n" + out);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Outcome(p.exitValue(), out);
    }
}
