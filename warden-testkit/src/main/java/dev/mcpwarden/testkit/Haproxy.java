package dev.mcpwarden.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's HAProxy ({@code .ci/run} installs it) on a free loopback port in front of replicas, as
 * {@code docs/scaling.md} configures it: round robin without stickiness, health checks of {@code /readyz}, retries
 * on connection failures and 503 only. Its statistics (its admin socket) say which replicas are up and how many
 * requests each was sent.
 */
public final class Haproxy implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final Process process;

    private Haproxy(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts it in front of {@code replicas} (name → port), writing its configuration, socket and log in
     * {@code dir}.
     */
    public static Haproxy start(Path dir, Map<String, Integer> replicas) throws IOException {
        return start(dir, Ports.free(), replicas);
    }

    /** The same on {@code port}, for replicas that must name the load balancer's port before it starts. */
    public static Haproxy start(Path dir, int port, Map<String, Integer> replicas) throws IOException {
        StringBuilder cfg = new StringBuilder("""
                global
                  maxconn 2048
                  stats socket %s mode 600 level admin
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 60s
                  timeout server 60s
                  option redispatch
                  retries 3
                  retry-on conn-failure 503
                frontend mcp
                  bind 127.0.0.1:%d
                  default_backend replicas
                backend replicas
                  balance roundrobin
                  option httpchk GET /readyz
                  http-check expect status 200
                  timeout check 2s
                  default-server inter 250ms fall 3 rise 2
                """.formatted(dir.resolve("haproxy.sock"), port));
        replicas.forEach((name, p) -> cfg.append("  server ").append(name).append(" 127.0.0.1:").append(p)
                .append(" check\n"));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Process process = new ProcessBuilder(binary(), "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        return new Haproxy(port, dir, process);
    }

    private static String binary() {
        for (String p : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("haproxy is not installed (apt-get install haproxy); .ci/run installs it");
    }

    public int port() {
        return port;
    }

    /** Its log so far (health checks, servers going down and up). */
    public String log() throws IOException {
        return Files.readString(dir.resolve("haproxy.log"));
    }

    /** Each replica's state and the requests it was sent, e.g. {@code r1 -> "UP 12"}; empty while starting. */
    public Map<String, String> servers() throws IOException {
        Path socket = dir.resolve("haproxy.sock");
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(socket)) {
            return out;
        }
        StringBuilder csv = new StringBuilder();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (ch.read(buf) > 0) {
                buf.flip();
                csv.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
        }
        for (String line : csv.toString().split("\n")) {
            String[] f = line.split(",", -1);
            // pxname, svname, ..., stot (7), ..., status (17)
            if (f.length > 17 && "replicas".equals(f[0]) && !"BACKEND".equals(f[1])) {
                out.put(f[1], f[17] + " " + f[7]);
            }
        }
        return out;
    }

    /** How many replicas it sends traffic to now. */
    public long up() throws IOException {
        return servers().values().stream().filter(s -> s.startsWith("UP")).count();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
