package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.security.Secret;
import dev.mcpwarden.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Stateless DPoP nonces on a clock the test moves: how long a nonce is good, and under which key. */
class DpopNonceTest {

    static final String RESOURCE = "https://mcp.example.com/mcp";
    static final String TOKEN = "the-access-token";
    // 12:01:00, one minute into a five-minute window
    final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T12:01:00Z"));
    final ECKey holder = DpopTest.newEcKey();

    DpopVerifier verifier(Dpop dpop) {
        return new DpopVerifier(dpop, Set.of(JWSAlgorithm.ES256), RESOURCE, clock);
    }

    DpopVerifier.Failure check(DpopVerifier v, String nonce) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("htm", "POST")
                .claim("htu", RESOURCE).issueTime(Date.from(clock.instant()))
                .claim("ath", DpopVerifier.sha256(TOKEN)).claim("nonce", nonce).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                .jwk(holder.toPublicJWK()).build(), claims);
        jwt.sign(new ECDSASigner(holder));
        return v.check(jwt.serialize(), "POST", TOKEN, Map.of("cnf", Map.of("jkt",
                holder.computeThumbprint().toString())));
    }

    @Test
    void aNonceIsGoodInItsWindowAndTheNextThenRefusedAsNotFresh() throws Exception {
        DpopVerifier v = verifier(Dpop.required(true));
        String nonce = v.currentNonce();

        assertThat(check(v, nonce)).isNull();
        clock.advance(Duration.ofMinutes(8)); // 12:09, the next window
        assertThat(check(v, nonce)).isNull();
        assertThat(v.currentNonce()).as("a new nonce is issued in the new window").isNotEqualTo(nonce);
        clock.advance(Duration.ofMinutes(1)); // 12:10, two windows on

        assertThat(check(v, nonce)).isEqualTo(new DpopVerifier.Failure("a fresh DPoP nonce is required", true));
    }

    @Test
    void aNonceFromAWindowThisClockHasNotReachedIsRefused() throws Exception {
        DpopNonces nonces = new DpopNonces(new byte[32], RESOURCE, clock);
        DpopVerifier v = verifier(Dpop.required(true).withNonceSecret(Secret.of("\0".repeat(32), "test")));

        String future = nonces.nonce(Math.floorDiv(clock.instant().getEpochSecond(), 300) + 1);

        assertThat(check(v, future)).isEqualTo(new DpopVerifier.Failure("a fresh DPoP nonce is required", true));
    }

    @Test
    void replicasWithTheSameSecretIssueAndAcceptTheSameNoncesAndOthersDoNot() throws Exception {
        Secret secret = Secret.of("0123456789abcdef0123456789abcdef", "env:NONCE");
        DpopVerifier a = verifier(Dpop.required(true).withNonceSecret(secret));
        DpopVerifier b = verifier(Dpop.required(true).withNonceSecret(Secret.of(secret.reveal(), "file:/run/n")));
        DpopVerifier c = verifier(Dpop.required(true).withNonceSecret(Secret.of("x".repeat(32), "env:OTHER")));
        DpopVerifier otherResource = new DpopVerifier(Dpop.required(true).withNonceSecret(secret),
                Set.of(JWSAlgorithm.ES256), "https://other.example/mcp", clock);

        assertThat(b.currentNonce()).isEqualTo(a.currentNonce());
        assertThat(check(b, a.currentNonce())).isNull();
        assertThat(check(c, a.currentNonce())).isNotNull();
        assertThat(otherResource.currentNonce()).isNotEqualTo(a.currentNonce());
    }

    @Test
    void aNonceSecretShorterThan32BytesIsRefusedNamingWhereItCameFromButNotItsValue() {
        assertThatThrownBy(() -> Dpop.required(true).withNonceSecret(Secret.of("short-secret", "env:NONCE")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the DPoP nonce secret from env:NONCE must be at least 32 bytes");
        assertThat(Dpop.required(true).nonceSecret()).isEqualTo(Optional.empty());
        assertThat(Dpop.required(true).withNonceSecret(Secret.of("s".repeat(32), "env:NONCE")).toString())
                .contains("Secret[env:NONCE]").doesNotContain("sss");
    }
}
