package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Processes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Serves JSON documents (client metadata documents) on a loopback port, over http or over https with a self-signed
 * certificate for 127.0.0.1 made by keytool. Counts requests per path.
 */
final class DocumentServer implements AutoCloseable {

    private static final String PASSWORD = "changeit";

    private final Server server;
    private final ServerConnector connector;
    private final boolean tls;
    private final Map<String, String> documents = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Path keystore;

    private DocumentServer(boolean tls) throws Exception {
        this.tls = tls;
        server = new Server();
        if (tls) {
            keystore = Files.createTempDirectory("warden-tls").resolve("ks.p12");
            Processes.Outcome o = Processes.run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                            .toString(), "-genkeypair", "-alias", "doc", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD),
                    Map.of(), Duration.ofMinutes(1));
            if (o.exitCode() != 0) {
                throw new IllegalStateException("keytool failed: " + o.output());
            }
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(keystore.toString());
            ssl.setKeyStorePassword(PASSWORD);
            ssl.setKeyStoreType("PKCS12");
            HttpConfiguration https = new HttpConfiguration();
            SecureRequestCustomizer src = new SecureRequestCustomizer();
            src.setSniHostCheck(false);
            https.addCustomizer(src);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(https));
        } else {
            keystore = null;
            connector = new ServerConnector(server);
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                String doc = documents.get(path);
                if (doc == null) {
                    Response.writeError(request, response, callback, 404);
                    return true;
                }
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/json");
                response.write(true, ByteBuffer.wrap(doc.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
    }

    static DocumentServer http() throws Exception {
        return new DocumentServer(false);
    }

    static DocumentServer https() throws Exception {
        return new DocumentServer(true);
    }

    /** The URL of {@code path} on this server. */
    String url(String path) {
        return (tls ? "https" : "http") + "://127.0.0.1:" + connector.getLocalPort() + path;
    }

    void put(String path, String json) {
        documents.put(path, json);
    }

    int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** Trust for this server's certificate. */
    SSLContext trust() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    Path keystore() {
        return keystore;
    }

    /** A client metadata document. */
    static String cimd(String clientId, String name, String redirect) {
        return "{\"client_id\":\"" + clientId + "\",\"client_name\":\"" + name + "\",\"redirect_uris\":[\"" + redirect
                + "\"],\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"],"
                + "\"token_endpoint_auth_method\":\"none\"}";
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
