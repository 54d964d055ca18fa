package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's signatures checked as npm checks them, against a registry fake that signs with a real P-256 key
 * (the npm registry's key type): verified, a bad signature, a package without one, and a registry without keys.
 */
class RegistrySignaturesTest {

    static final String INTEGRITY_A = "sha512-" + "a".repeat(86) + "==";
    static final String INTEGRITY_B = "sha512-" + "b".repeat(86) + "==";

    HttpServer registry;
    final Map<String, String> documents = new ConcurrentHashMap<>();
    KeyPair key;

    @BeforeEach
    void start() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        key = g.generateKeyPair();
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/", exchange -> {
            String body = documents.get(exchange.getRequestURI().getRawPath());
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : bytes.length);
            if (body != null) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + registry.getAddress().getPort() + "/");
    }

    void publishKey() {
        documents.put("/-/npm/v1/keys", "{\"keys\":[{\"keyid\":\"SHA256:test\",\"keytype\":\"ecdsa-sha2-nistp256\","
                + "\"scheme\":\"ecdsa-sha2-nistp256\",\"key\":\""
                + Base64.getEncoder().encodeToString(key.getPublic().getEncoded()) + "\"}]}");
    }

    String sign(String message) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key.getPrivate());
        s.update(message.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(s.sign());
    }

    void publish(String path, String integrity, String signature, boolean attested) {
        documents.put(path, "{\"dist\":{\"integrity\":\"" + integrity + "\""
                + (signature == null ? "" : ",\"signatures\":[{\"keyid\":\"SHA256:test\",\"sig\":\"" + signature + "\"}]")
                + (attested ? ",\"attestations\":{\"url\":\"x\",\"provenance\":{\"predicateType\":\"p\"}}" : "")
                + "}}");
    }

    static List<NpmInstaller.Locked.Entry> lock() {
        return List.of(new NpmInstaller.Locked.Entry("@scope/server", "1.2.3", INTEGRITY_A),
                new NpmInstaller.Locked.Entry("left-pad", "1.3.0", INTEGRITY_B));
    }

    @Test
    void packagesSignedByTheRegistrysKeyAreVerifiedAndAttestationsCounted() throws Exception {
        publishKey();
        publish("/@scope%2Fserver/1.2.3", INTEGRITY_A, sign("@scope/server@1.2.3:" + INTEGRITY_A), true);
        publish("/left-pad/1.3.0", INTEGRITY_B, sign("left-pad@1.3.0:" + INTEGRITY_B), false);

        assertThat(RegistrySignatures.verify(uri(), lock()))
                .isEqualTo("verified (2 packages; 1 with provenance attestations, not verified)");
    }

    @Test
    void aSignatureOfAnotherTarballIsInvalid() throws Exception {
        publishKey();
        publish("/@scope%2Fserver/1.2.3", INTEGRITY_A, sign("@scope/server@1.2.3:" + INTEGRITY_B), false);
        publish("/left-pad/1.3.0", INTEGRITY_B, sign("left-pad@1.3.0:" + INTEGRITY_B), false);

        assertThat(RegistrySignatures.verify(uri(), lock())).isEqualTo("invalid: @scope/server@1.2.3");
    }

    @Test
    void aRegistryServingAnotherIntegrityThanTheLockfilesIsInvalid() throws Exception {
        publishKey();
        publish("/@scope%2Fserver/1.2.3", INTEGRITY_B, sign("@scope/server@1.2.3:" + INTEGRITY_B), false);
        publish("/left-pad/1.3.0", INTEGRITY_B, sign("left-pad@1.3.0:" + INTEGRITY_B), false);

        assertThat(RegistrySignatures.verify(uri(), lock())).isEqualTo("invalid: @scope/server@1.2.3");
    }

    @Test
    void aPackageWithoutASignatureWhereTheRegistrySignsIsMissing() throws Exception {
        publishKey();
        publish("/@scope%2Fserver/1.2.3", INTEGRITY_A, sign("@scope/server@1.2.3:" + INTEGRITY_A), false);
        publish("/left-pad/1.3.0", INTEGRITY_B, null, false);

        assertThat(RegistrySignatures.verify(uri(), lock()))
                .isEqualTo("missing: left-pad@1.3.0 carry no registry signature");
    }

    @Test
    void aRegistryWithoutKeysOffersNoSignatures() {
        assertThat(RegistrySignatures.verify(uri(), lock()))
                .isEqualTo("unavailable: the registry " + uri() + " publishes no signing keys (HTTP 404)");
    }
}
