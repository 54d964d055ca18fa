package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.Ports;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real redis-server on a free loopback port, stoppable and restartable on the same port, for one test. */
final class LocalRedis implements AutoCloseable {

    final int port = Ports.free();
    private final Path dir;
    private Process process;

    LocalRedis() throws IOException {
        this.dir = Files.createTempDirectory("warden-redis");
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    LocalRedis start() throws Exception {
        process = new ProcessBuilder(RedisRateLimiterTest.redisServer(), "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
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

    void stop() throws InterruptedException {
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
