package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.server.auth.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** With introspection ALWAYS, a JWT of the introspected issuer is accepted only while the issuer says it is active. */
class TokenRouterTest {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final String AS = "https://as.example.com";
    final List<String> introspected = new ArrayList<>();

    private static TokenVerifier jwtFrom(String issuer) {
        return token -> new TokenVerifier.Verified(new Principal(issuer, "alice", "cli", Set.of("read"), "acme",
                Set.of(), Map.of()), NOW.plusSeconds(300));
    }

    private TokenVerifier introspection(boolean active) {
        return token -> {
            introspected.add(token);
            if (!active) {
                throw new TokenRejected(TokenRejected.Reason.INVALID, "introspection says inactive");
            }
            return new TokenVerifier.Verified(new Principal(AS, "alice", "cli", Set.of(), null, Set.of(), Map.of()),
                    NOW.plusSeconds(60));
        };
    }

    @Test
    void aRevokedJwtOfTheIntrospectedIssuerIsRejected() {
        TokenRouter r = new TokenRouter(jwtFrom(AS), introspection(false), AS);
        assertThatThrownBy(() -> r.verify("h.p.s")).isInstanceOfSatisfying(TokenRejected.class, e -> {
            assertThat(e.reason()).isEqualTo(TokenRejected.Reason.INVALID);
            assertThat(e.getMessage()).isEqualTo("introspection says inactive");
        });
    }

    @Test
    void anActiveJwtKeepsItsOwnClaimsAndIsRememberedOnlyAsLongAsTheIntrospectionAllows() throws Exception {
        TokenVerifier.Verified v = new TokenRouter(jwtFrom(AS), introspection(true), AS).verify("h.p.s");
        assertThat(v.principal().tenant()).isEqualTo("acme");
        assertThat(v.expiresAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(introspected).containsExactly("h.p.s");
    }

    @Test
    void aJwtOfAnotherIssuerOrWithIntrospectionOfOpaqueTokensOnlyIsCheckedLocally() throws Exception {
        assertThat(new TokenRouter(jwtFrom("https://other.example"), introspection(false), AS).verify("h.p.s")
                .expiresAt()).isEqualTo(NOW.plusSeconds(300));
        assertThat(new TokenRouter(jwtFrom(AS), introspection(false), null).verify("h.p.s").expiresAt())
                .isEqualTo(NOW.plusSeconds(300));
        assertThat(introspected).isEmpty();
    }

    @Test
    void anOpaqueTokenGoesToIntrospection() throws Exception {
        new TokenRouter(jwtFrom(AS), introspection(true), AS).verify("opaque");
        assertThat(introspected).containsExactly("opaque");
    }
}
