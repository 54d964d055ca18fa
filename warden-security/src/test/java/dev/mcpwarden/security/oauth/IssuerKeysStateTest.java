package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the readiness endpoint says of the trusted issuers' keys: counts only, as fetches succeed or fail. */
class IssuerKeysStateTest {

    static final URI RESOURCE = URI.create("https://mcp.example.com/mcp");

    @Test
    void fixedKeysAreAvailableFromTheStart() {
        TestTokens issuer = TestTokens.issuer("https://login.example.com");
        JwtVerifier v = new JwtVerifier(ResourceServerConfig.of(RESOURCE,
                List.of(TrustedIssuer.withKeys(issuer.issuer(), issuer.publicJwks())), Set.of()), InstantSource.system());

        assertThat(v.keysState()).isEqualTo("1 of 1 available");
    }

    @Test
    void keysThatCannotBeFetchedAreReportedFailingAfterTheFirstTry() {
        TestTokens issuer = TestTokens.issuer("https://login.example.com");
        TestTokens fixed = TestTokens.issuer("https://other.example.com");
        JwtVerifier v = new JwtVerifier(ResourceServerConfig.of(RESOURCE, List.of(
                TrustedIssuer.withJwksUri(issuer.issuer(), URI.create("http://127.0.0.1:" + Ports.free() + "/jwks")),
                TrustedIssuer.withKeys(fixed.issuer(), fixed.publicJwks())), Set.of()), InstantSource.system());
        assertThat(v.keysState()).isEqualTo("1 of 2 available, 1 not fetched yet");

        assertThatThrownBy(() -> v.verify(issuer.sign(issuer.claims("alice", RESOURCE.toString(), "read"))))
                .isInstanceOf(TokenRejected.class);

        assertThat(v.keysState()).isEqualTo("1 of 2 available, 1 failing");
    }
}
