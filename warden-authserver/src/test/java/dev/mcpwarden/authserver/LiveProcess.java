package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process whose output a test reads line by line while it runs (to answer what it prints, e.g. an authorization
 * URL to open). {@link Processes#run} only returns at the end.
 */
public final class LiveProcess implements AutoCloseable {

    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder all = new StringBuilder();

    public LiveProcess(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .directory(Processes.repoRoot().toFile());
        pb.environment().putAll(env);
        process = pb.start();
        process.getOutputStream().close();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (all) {
                        all.append(line).append('\n');
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                lines.add(EOF);
            }
        });
    }

    /** The first line (from now on) matching {@code match}, waiting at most {@code timeout}. */
    public String await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(EOF)) {
                throw new AssertionError("no matching line (" + (line == null ? "timeout" : "process ended")
                        + "); output so far:\n" + output());
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    /** Waits for the exit code. */
    public int exit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError("process did not end in " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    public String output() {
        synchronized (all) {
            return all.toString();
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
