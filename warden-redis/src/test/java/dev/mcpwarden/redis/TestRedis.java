package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.Ports;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real redis-server on a free loopback port, without persistence, that a test can stop and start again. */
public final class TestRedis implements AutoCloseable {

    public final int port = Ports.free();
    private final Path dir;
    private Process process;

    public TestRedis() throws IOException {
        dir = Files.createTempDirectory("warden-redis");
    }

    static String redisServer() {
        for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        throw new IllegalStateException("redis-server is not installed (apt-get install redis-server); "
                + ".ci/run installs it");
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public TestRedis start() throws Exception {
        process = new ProcessBuilder(redisServer(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return this;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
    }

    public void stop() throws InterruptedException {
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
