package dev.mcpwarden.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.Secret;
import dev.mcpwarden.testkit.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Redis served over TLS only, with a certificate of a private CA (as self-run and many managed Redis services
 * have): the stores trust exactly the CA given as a secret reference, and without it (the JVM's trust store) they
 * refuse the server, closed.
 */
@Timeout(60)
class RedisTlsTest {

    Path dir;
    Process server;
    int port;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("warden-redis-tls");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=Warden test CA");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=localhost");
        Files.writeString(dir.resolve("ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "ext");
        port = Ports.free();
        server = new ProcessBuilder(RedisTopologiesTest.redisServer(), "--port", "0", "--tls-port",
                Integer.toString(port), "--bind", "127.0.0.1", "--tls-cert-file", "server.crt", "--tls-key-file",
                "server.key", "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no", "--save", "",
                "--appendonly", "no", "--dir", dir.toString())
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        RedisTopologiesTest.awaitPort(port);
    }

    void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @AfterEach
    void stop() throws Exception {
        server.destroy();
        server.waitFor(5, TimeUnit.SECONDS);
    }

    RedisStores.Settings settings(Optional<Secret> trust) {
        return new RedisStores.Settings(List.of("rediss://127.0.0.1:" + port), false, Optional.empty(),
                Duration.ofSeconds(2), trust);
    }

    @Test
    void withThePrivateCaAsASecretEveryStoreWorksOverTls() throws Exception {
        Secret ca = Secret.of(Files.readString(dir.resolve("ca.crt")), "file:ca.crt");
        try (RedisStores one = RedisStores.connect(settings(Optional.of(ca)));
             RedisStores two = RedisStores.connect(settings(Optional.of(ca)))) {
            assertThat(one.reachable()).isTrue();
            RedisTopologiesTest.authorizationServerStateAndReplaysAndLimitsAreShared(one, two);
        }
    }

    @Test
    void withoutItTheServerIsNotTrustedAndWhatNeedsRedisFailsClosed() {
        try (RedisStores stores = RedisStores.connect(settings(Optional.empty()))) {
            assertThat(stores.reachable()).isFalse();
            assertThatThrownBy(() -> stores.replayCache().firstSeen("jti", Duration.ofMinutes(1)))
                    .isInstanceOf(dev.mcpwarden.security.replay.ReplayCache.ReplayCacheUnavailable.class)
                    .hasMessageStartingWith("cannot connect to Redis");
        }
    }

    @Test
    void aTrustThatIsNotPemCertificatesIsRefusedWithItsReason() {
        assertThatThrownBy(() -> RedisStores.connect(settings(Optional.of(Secret.of("not a certificate", "env:X")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the Redis TLS trust is not PEM certificates (-----BEGIN CERTIFICATE-----)");
    }
}
