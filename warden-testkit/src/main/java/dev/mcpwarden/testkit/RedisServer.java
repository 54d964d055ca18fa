package dev.mcpwarden.testkit;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian's package; {@code .ci/run} installs it) on a free loopback port, keeping nothing on
 * disk, for tests of what Warden shares between replicas. It can be stopped and started again on the same port, to
 * test what happens while Redis is down.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts a redis-server on a free loopback port. */
    public static RedisServer start() throws IOException, InterruptedException {
        RedisServer r = new RedisServer(Ports.free(), Files.createTempDirectory("warden-redis"));
        r.startAgain();
        return r;
    }

    private static String binary() {
        for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        throw new IllegalStateException("redis-server is not installed (apt-get install redis-server); "
                + ".ci/run installs it");
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again, after {@link #stop}) on the same port; returns once it accepts connections. */
    public synchronized void startAgain() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = new ProcessBuilder(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(25);
            }
        }
        throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
    }

    /** Stops it (everything it held is gone: it keeps nothing on disk). */
    public synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
