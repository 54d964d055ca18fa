package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher against a loopback stand-in. The stand-in's names resolve (through the injected resolver) to a public
 * address, and the test dialer carries connections for that address to the loopback port: the system resolver can
 * not resolve {@code .example} names, so a successful fetch proves the HTTP client never resolved the name itself.
 */
class SafeHttpFetcherTest {

    static final String PUBLIC_IP = "93.184.215.14";

    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> hostHeaders = new CopyOnWriteArrayList<>();
    final List<InetSocketAddress> dialed = new CopyOnWriteArrayList<>();
    final List<String> lookups = new CopyOnWriteArrayList<>();
    final AtomicInteger rebindCalls = new AtomicInteger();
    Map<Integer, Integer> portMap;

    final HostResolver resolver = host -> {
        lookups.add(host);
        return switch (host) {
            case "public.example", "other.example" -> List.of(InetAddress.getByName(PUBLIC_IP));
            case "private.example" -> List.of(InetAddress.getByName("10.0.0.7"));
            case "flip.example" -> List.of(InetAddress.getByName(
                    rebindCalls.getAndIncrement() == 0 ? PUBLIC_IP : "127.0.0.1"));
            default -> throw new UnknownHostException(host);
        };
    };

    final PinnedTunnel.Dialer dialer = (address, timeout) -> {
        dialed.add(address);
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), portMap.get(address.getPort())), timeout);
        return s;
    };

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        portMap = Map.of(80, server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
        hostHeaders.add(ex.getRequestHeaders().getFirst("Host"));
        switch (path) {
            case "/hello" -> send(ex, 200, "hello from " + ex.getRequestHeaders().getFirst("Host"));
            case "/to-hello" -> redirect(ex, "/hello");
            case "/to-metadata" -> redirect(ex, "http://169.254.169.254/latest/meta-data/");
            case "/to-private" -> redirect(ex, "http://private.example/admin");
            case "/to-flip" -> redirect(ex, "http://flip.example/hello");
            case "/to-file" -> redirect(ex, "file:///etc/passwd");
            case "/loop" -> redirect(ex, "/loop");
            case "/big" -> send(ex, 200, "x".repeat(5000));
            case "/slow" -> {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                send(ex, 200, "late");
            }
            default -> send(ex, 404, "no");
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private SafeHttpFetcher fetcher(SafeHttpFetcher.Limits limits) {
        return SafeHttpFetcher.create(UrlGuard.of(UrlGuard.Config.defaults(), resolver), limits, dialer, null);
    }

    private SafeHttpFetcher fetcher() {
        return fetcher(new SafeHttpFetcher.Limits(3, 1024, Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @Test
    void fetchesThroughAConnectionPinnedToTheVettedAddressWithTheOriginalHostHeader() throws Exception {
        SafeHttpFetcher.Response r = fetcher().get("http://public.example/hello");
        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello from public.example");
        assertThat(r.contentType()).contains("text/plain");
        assertThat(r.url()).isEqualTo(URI.create("http://public.example/hello"));
        assertThat(r.redirects()).isZero();
        assertThat(requests).containsExactly("GET /hello");
        assertThat(dialed).containsExactly(new InetSocketAddress(InetAddress.getByName(PUBLIC_IP), 80));
        assertThat(lookups).containsExactly("public.example");
    }

    @Test
    void aRedirectIsFollowedByTheFetcherAndEveryHopIsVettedAndResolvedAgain() throws Exception {
        SafeHttpFetcher.Response r = fetcher().get("http://public.example/to-hello");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.url()).isEqualTo(URI.create("http://public.example/hello"));
        assertThat(r.redirects()).isEqualTo(1);
        assertThat(requests).containsExactly("GET /to-hello", "GET /hello");
        assertThat(lookups).containsExactly("public.example", "public.example");
    }

    @Test
    void aRedirectToTheMetadataAddressIsRefusedBeforeAnyConnection() {
        assertThatThrownBy(() -> fetcher().get("http://public.example/to-metadata"))
                .isInstanceOfSatisfying(FetchRefusedException.class, e -> {
                    assertThat(e.hop()).isEqualTo(1);
                    assertThat(e.block().reason())
                            .isEqualTo("address is not public: link-local or cloud metadata (169.254/16)");
                });
        assertThat(dialed).hasSize(1);
    }

    @Test
    void aRedirectToANameThatResolvesPrivatelyIsRefused() {
        assertThatThrownBy(() -> fetcher().get("http://public.example/to-private"))
                .isInstanceOfSatisfying(FetchRefusedException.class, e -> assertThat(e.block().reason())
                        .isEqualTo("host resolves to a non-public address: private (10/8)"));
        assertThatThrownBy(() -> fetcher().get("http://public.example/to-file"))
                .isInstanceOfSatisfying(FetchRefusedException.class, e -> assertThat(e.block().reason())
                        .isEqualTo("scheme 'file' is not allowed"));
    }

    @Test
    void aNameThatRebindsToLoopbackIsCaughtOnTheNextHopAndNeverDialed() {
        assertThatThrownBy(() -> fetcher().get("http://flip.example/to-flip"))
                .isInstanceOfSatisfying(FetchRefusedException.class, e -> {
                    assertThat(e.hop()).isEqualTo(1);
                    assertThat(e.block().reason()).isEqualTo("host resolves to a non-public address: loopback");
                });
        assertThat(dialed).containsExactly(new InetSocketAddress(addr(PUBLIC_IP), 80));
    }

    private static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRefusedUrlIsNeverRequested() {
        assertThatThrownBy(() -> fetcher().get("http://127.0.0.1:" + server.getAddress().getPort() + "/hello"))
                .isInstanceOfSatisfying(FetchRefusedException.class, e -> {
                    assertThat(e.hop()).isZero();
                    assertThat(e.block().reason()).isEqualTo("address is not public: loopback");
                    assertThat(e.getMessage()).isEqualTo("hop 0: address is not public: loopback");
                });
        assertThat(requests).isEmpty();
    }

    @Test
    void moreRedirectsThanTheLimitAreRefused() {
        assertThatThrownBy(() -> fetcher().get("http://public.example/loop"))
                .isInstanceOfSatisfying(FetchRefusedException.class, e -> {
                    assertThat(e.hop()).isEqualTo(4);
                    assertThat(e.block().reason()).isEqualTo("more than 3 redirects");
                });
        assertThat(requests).hasSize(4);
    }

    @Test
    void aBodyLargerThanTheLimitFailsTheFetch() {
        assertThatThrownBy(() -> fetcher().get("http://public.example/big"))
                .isInstanceOf(IOException.class)
                .hasMessage("response body larger than 1024 bytes");
    }

    @Test
    void aSlowServerIsCutOffAtTheTotalTimeout() {
        SafeHttpFetcher f = fetcher(new SafeHttpFetcher.Limits(3, 1024, Duration.ofSeconds(1),
                Duration.ofMillis(400)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> f.get("http://public.example/slow")).isInstanceOf(HttpTimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2500);
    }

    @Test
    void httpsIsPinnedToTheVettedAddressWhileSniAndTheCertificateCheckUseTheHostName(@TempDir Path dir)
            throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=public.example", "-ext", "SAN=dns:public.example", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        https.createContext("/", this::handle);
        https.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        https.start();
        try {
            portMap = Map.of(443, https.getAddress().getPort());
            SafeHttpFetcher f = SafeHttpFetcher.create(UrlGuard.of(UrlGuard.Config.defaults(), resolver),
                    SafeHttpFetcher.Limits.defaults(), dialer, clientContext);
            SafeHttpFetcher.Response r = f.get("https://public.example/hello");
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello from public.example");
            assertThat(dialed).containsExactly(new InetSocketAddress(addr(PUBLIC_IP), 443));

            assertThatThrownBy(() -> f.get("https://other.example/hello"))
                    .isInstanceOf(SSLHandshakeException.class);
        } finally {
            https.stop(0);
        }
    }
}
