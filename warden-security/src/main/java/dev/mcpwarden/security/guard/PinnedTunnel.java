package dev.mcpwarden.security.guard;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A one-target forward proxy on a loopback port that connects only to the addresses {@link UrlGuard} vetted. The
 * HTTP client is pointed at it as its proxy, so the client never resolves the host name itself (no DNS rebinding
 * between check and connect), while TLS (SNI, certificate host name check) and the {@code Host} header still use the
 * original name: for https the client tunnels with {@code CONNECT}; for http the absolute-form request line is
 * rewritten to origin form. A request for any other host is dropped.
 */
final class PinnedTunnel implements AutoCloseable {

    /** Opens the TCP connection to a vetted address; replaceable in tests. */
    @FunctionalInterface
    interface Dialer {
        Socket dial(InetSocketAddress address, int timeoutMillis) throws IOException;

        static Dialer direct() {
            return (address, timeoutMillis) -> {
                Socket s = new Socket();
                try {
                    s.connect(address, timeoutMillis);
                    return s;
                } catch (IOException e) {
                    s.close();
                    throw e;
                }
            };
        }
    }

    private static final int MAX_HEAD = 16 * 1024;

    private final UrlGuard.Target target;
    private final Dialer dialer;
    private final int connectTimeoutMillis;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PinnedTunnel(UrlGuard.Target target, Dialer dialer, Duration connectTimeout) throws IOException {
        this.target = target;
        this.dialer = dialer;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("warden-fetch-tunnel").start(this::acceptLoop);
    }

    static PinnedTunnel open(UrlGuard.Target target, Dialer dialer, Duration connectTimeout) throws IOException {
        return new PinnedTunnel(target, dialer, connectTimeout);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            InputStream in = new BufferedInputStream(client.getInputStream());
            String head = readHead(in);
            if (head == null) {
                return;
            }
            int lineEnd = head.indexOf("\r\n");
            String[] line = head.substring(0, lineEnd).split(" ");
            if (line.length != 3) {
                return;
            }
            boolean connect = line[0].equals("CONNECT");
            String requestTarget = line[1];
            String forwarded;
            if (connect) {
                if (!sameAuthority(requestTarget)) {
                    return;
                }
                forwarded = null;
            } else {
                String prefix = target.scheme() + "://";
                if (!requestTarget.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    return;
                }
                String afterScheme = requestTarget.substring(prefix.length());
                int slash = afterScheme.indexOf('/');
                String authority = slash < 0 ? afterScheme : afterScheme.substring(0, slash);
                String path = slash < 0 ? "/" : afterScheme.substring(slash);
                if (!sameAuthority(authority)) {
                    return;
                }
                forwarded = line[0] + " " + path + " " + line[2] + head.substring(lineEnd);
            }
            upstream = dial();
            if (upstream == null) {
                return;
            }
            sockets.add(upstream);
            OutputStream toClient = client.getOutputStream();
            OutputStream toUpstream = upstream.getOutputStream();
            if (connect) {
                toClient.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                toClient.flush();
            } else {
                toUpstream.write(forwarded.getBytes(StandardCharsets.ISO_8859_1));
                toUpstream.flush();
            }
            Socket up = upstream;
            Thread reverse = Thread.ofVirtual().start(() -> pump(up, client));
            pump(in, upstream);
            reverse.join();
        } catch (IOException | RuntimeException e) {
            // the client sees a broken connection, which it reports as an IOException
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    private boolean sameAuthority(String authority) {
        String host;
        int port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            port = rest.isEmpty() ? defaultPort() : parsePort(rest.substring(1));
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? defaultPort() : parsePort(authority.substring(colon + 1));
        }
        return host.toLowerCase(Locale.ROOT).equals(target.host()) && port == target.port();
    }

    private int defaultPort() {
        return target.scheme().equals("https") ? 443 : 80;
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private Socket dial() {
        for (InetAddress address : target.addresses()) {
            try {
                return dialer.dial(new InetSocketAddress(address, target.port()), connectTimeoutMillis);
            } catch (IOException e) {
                // try the next vetted address
            }
        }
        return null;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void pump(Socket from, Socket to) {
        try {
            pump(from.getInputStream(), to);
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void pump(InputStream from, Socket to) throws IOException {
        OutputStream out = to.getOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
