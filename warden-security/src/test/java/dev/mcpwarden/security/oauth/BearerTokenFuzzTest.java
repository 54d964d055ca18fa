package dev.mcpwarden.security.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.pipeline.Rejection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the token parsers on the way a request presents them: the {@code Authorization} header (scheme, token68),
 * the JWT access token (Nimbus parsing, header and claims checks, principal extraction) and the DPoP proof
 * (RFC 9449 checks), through the real {@link BearerAuthenticator}, {@link JwtVerifier} and {@link DpopVerifier}.
 *
 * <p>An input is a list of {@code Name: value} lines (seeds in {@code BearerTokenFuzzTestInputs/}):
 * {@code Authorization}, {@code DPoP} (repeatable), {@code Query}, {@code Method}, {@code Mode}
 * ({@code bearer}, {@code optional}, {@code required}, {@code nonce}), and the signed parts: {@code Token-Header} and
 * {@code Token-Claims} are signed by the trusted issuer's key as {@code $TOKEN}, {@code Proof-Header} and
 * {@code Proof-Claims} by the holder's key (its public JWK in the header) as {@code $PROOF}; {@code $ATH},
 * {@code $JKT}, {@code $NOW} stand for the token's hash, the holder key's thumbprint and the fixed clock. Signing
 * the fuzzed JSON lets the fuzzer reach the claim checks behind the signature.
 *
 * <p>Invariants: the authenticator returns a principal of the trusted issuer with a subject, or refuses with a
 * {@link Rejection} of status 400, 401 (with a {@code WWW-Authenticate} challenge) or 503, never anything else; the
 * JWT verifier alone throws only {@link TokenRejected}.
 */
class BearerTokenFuzzTest {

    private static final String ISSUER = "https://issuer.example";
    private static final String RESOURCE = "https://mcp.example.com/mcp";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final ECKey ISSUER_KEY = key("issuer");
    private static final ECKey HOLDER_KEY = key("holder");
    private static final ResourceServerConfig CONFIG = ResourceServerConfig.of(URI.create(RESOURCE),
            List.of(TrustedIssuer.withKeys(ISSUER, new JWKSet(ISSUER_KEY.toPublicJWK()))), Set.of("tickets:read"));
    private static final JwtVerifier JWT = new JwtVerifier(CONFIG, InstantSource.fixed(NOW));

    private static ECKey key(String id) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(id).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void presentedTokensAuthenticateTheirIssuersSubjectOrAreRefusedAsDocumented(byte[] input) throws Exception {
        String authorization = null;
        List<String> proofs = new ArrayList<>();
        String query = null;
        String method = "POST";
        String mode = "optional";
        String tokenHeader = null;
        String tokenClaims = null;
        String proofHeader = null;
        String proofClaims = null;
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            switch (name) {
                case "Authorization" -> authorization = value;
                case "DPoP" -> proofs.add(value);
                case "Query" -> query = value;
                case "Method" -> method = value;
                case "Mode" -> mode = value;
                case "Token-Header" -> tokenHeader = value;
                case "Token-Claims" -> tokenClaims = value;
                case "Proof-Header" -> proofHeader = value;
                case "Proof-Claims" -> proofClaims = value;
                default -> { }
            }
        }
        String now = Long.toString(NOW.getEpochSecond());
        String jkt = HOLDER_KEY.computeThumbprint().toString();
        String token = tokenClaims == null ? "" : sign(ISSUER_KEY, tokenHeader, "at+jwt",
                tokenClaims.replace("$NOW", now).replace("$JKT", jkt), false);
        String ath = DpopVerifier.sha256(token);
        String proof = proofClaims == null ? "" : sign(HOLDER_KEY, proofHeader, "dpop+jwt",
                proofClaims.replace("$NOW", now).replace("$ATH", ath), true);
        List<String> authorizations = authorization == null ? List.of()
                : List.of(authorization.replace("$TOKEN", token));
        List<String> dpopHeaders = proofs.stream().map(p -> p.replace("$PROOF", proof).replace("$TOKEN", token))
                .toList();

        Dpop dpop = switch (mode) {
            case "required" -> Dpop.required(false);
            case "nonce" -> Dpop.required(true);
            case "bearer" -> null;
            default -> Dpop.optional();
        };
        Challenges challenges = new Challenges(RESOURCE + "/.well-known/oauth-protected-resource", Set.of("tickets:read"),
                dpop, CONFIG.algorithms());
        DpopVerifier proofs0 = dpop == null ? null
                : new DpopVerifier(dpop, CONFIG.algorithms(), RESOURCE, InstantSource.fixed(NOW));
        BearerAuthenticator authenticator = new BearerAuthenticator(JWT, challenges, proofs0);
        Head head = new Head(method, authorizations, dpopHeaders, query);

        Throwable refused = catchThrowable(() -> {
            Principal p = authenticator.authenticate(head);
            assertThat(p.issuer()).isEqualTo(ISSUER);
            assertThat(p.subject()).isNotNull();
        });
        if (refused instanceof Rejection r) {
            assertThat(r.status()).isIn(400, 401, 503);
            if (r.status() == 401) {
                assertThat(r.headers()).containsKey("WWW-Authenticate");
            }
        } else if (refused != null) {
            throw new AssertionError("the authenticator let " + refused + " escape", refused);
        }
        // The JWT verifier on its own, with whatever the header carried after the scheme.
        if (!authorizations.isEmpty()) {
            String raw = authorizations.get(0);
            int space = raw.indexOf(' ');
            String candidate = space < 0 ? raw : raw.substring(space + 1);
            Throwable t = catchThrowable(() -> JWT.verify(candidate));
            if (t != null && !(t instanceof TokenRejected)) {
                throw new AssertionError("the JWT verifier let " + t + " escape", t);
            }
        }
    }

    /** A JWS over {@code claims} exactly as written (even when it is not valid JSON), with extra header fields. */
    private static String sign(ECKey key, String headerJson, String typ, String claims, boolean embedKey)
            throws JOSEException {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(typ));
        if (headerJson != null) {
            try {
                JWSHeader extra = JWSHeader.parse(headerJson);
                header = new JWSHeader.Builder(extra);
            } catch (java.text.ParseException | RuntimeException e) {
                // an unusable extra header: keep the default one
            }
        }
        if (embedKey) {
            header.jwk(key.toPublicJWK());
        } else {
            header.keyID(key.getKeyID());
        }
        JWSObject jws;
        try {
            jws = new JWSObject(header.build(), new Payload(claims));
            jws.sign(new ECDSASigner(key));
        } catch (JOSEException | RuntimeException e) {
            // the fuzzed header names an algorithm this key cannot sign with: sign with the default header
            jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(typ))
                    .keyID(key.getKeyID()).build(), new Payload(claims));
            jws.sign(new ECDSASigner(key));
        }
        return jws.serialize();
    }

    private record Head(String method, List<String> authorization, List<String> dpop, String query)
            implements Authenticator.RequestHead {
        @Override
        public String header(String name) {
            List<String> all = headers(name);
            return all.isEmpty() ? null : all.get(0);
        }

        @Override
        public List<String> headers(String name) {
            return switch (name) {
                case "Authorization" -> authorization;
                case "DPoP" -> dpop;
                default -> List.of();
            };
        }

        @Override
        public String url() {
            return RESOURCE + (query == null ? "" : "?" + query);
        }
    }
}
