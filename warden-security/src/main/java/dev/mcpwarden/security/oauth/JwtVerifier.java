package dev.mcpwarden.security.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.mcpwarden.server.auth.Principal;
import java.text.ParseException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies JWT access tokens (RFC 9068): signed with an allowed asymmetric algorithm by a key of a trusted issuer
 * (keys only from the issuer, never from the token's own {@code jku}, {@code x5u} or {@code jwk} headers), with the
 * exact issuer, this server in the audience, an expiry, and {@code nbf}/{@code iat} within the allowed skew.
 */
public final class JwtVerifier implements TokenVerifier {

    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    private static final JOSEObjectType APPLICATION_AT_JWT = new JOSEObjectType("application/at+jwt");

    private final ResourceServerConfig config;
    private final InstantSource clock;
    private final Map<String, DefaultJWTProcessor<SecurityContext>> processors = new HashMap<>();
    private final Map<String, IssuerKeys.State> keyStates = new java.util.LinkedHashMap<>();

    public JwtVerifier(ResourceServerConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
        for (TrustedIssuer issuer : config.issuers()) {
            processors.put(issuer.issuer(), processor(issuer));
        }
    }

    /**
     * The trusted issuers' keys in counts, for readiness ({@code "2 of 2 available"}, with how many failed their last
     * fetch or were not fetched yet): no issuer names, as the readiness endpoint answers without authentication.
     */
    String keysState() {
        long failing = keyStates.values().stream().filter(s -> "failing".equals(s.get())).count();
        long untried = keyStates.values().stream().filter(s -> "not fetched yet".equals(s.get())).count();
        long available = keyStates.size() - failing - untried;
        return available + " of " + keyStates.size() + " available" + (failing > 0 ? ", " + failing + " failing" : "")
                + (untried > 0 ? ", " + untried + " not fetched yet" : "");
    }

    private DefaultJWTProcessor<SecurityContext> processor(TrustedIssuer issuer) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(config.algorithms(),
                IssuerKeys.source(issuer, config.jwksRefreshMinimum(),
                        keyStates.computeIfAbsent(issuer.issuer(), i -> new IssuerKeys.State("unknown")))));
        p.setJWSTypeVerifier(config.requireAtJwtType()
                ? new DefaultJOSEObjectTypeVerifier<>(AT_JWT, APPLICATION_AT_JWT)
                : new DefaultJOSEObjectTypeVerifier<>(AT_JWT, APPLICATION_AT_JWT, JOSEObjectType.JWT, null));
        JWTClaimsSet exact = new JWTClaimsSet.Builder().issuer(issuer.issuer()).build();
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audiences(), exact, Set.of("iss", "sub", "exp", "aud"), Set.of()) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }

    /** The canonical resource, with and without a trailing slash (both name the same resource). */
    private Set<String> audiences() {
        String r = config.resource().toString();
        Set<String> a = new LinkedHashSet<>();
        a.add(r);
        a.add(r.endsWith("/") ? r.substring(0, r.length() - 1) : r + "/");
        return a;
    }

    @Override
    public Verified verify(String token) throws TokenRejected {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw invalid("not a JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw invalid("the token is not signed with JWS");
        }
        String issuer;
        try {
            issuer = signed.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw invalid("unreadable claims");
        }
        DefaultJWTProcessor<SecurityContext> processor = issuer == null ? null : processors.get(issuer);
        if (processor == null) {
            throw invalid("untrusted issuer");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (BadJWTException e) {
            throw invalid("claims rejected: " + e.getMessage());
        } catch (BadJOSEException e) {
            throw invalid("signature or header rejected: " + e.getMessage());
        } catch (KeySourceException e) {
            throw new TokenRejected(TokenRejected.Reason.UNAVAILABLE, "issuer keys unavailable: " + e.getMessage());
        } catch (JOSEException e) {
            throw invalid("signature check failed: " + e.getMessage());
        }
        Instant now = clock.instant();
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(config.clockSkew()))) {
            throw invalid("issued in the future");
        }
        return new Verified(principal(claims), claims.getExpirationTime().toInstant());
    }

    private Principal principal(JWTClaimsSet c) {
        Map<String, Object> all = c.getClaims();
        return new Principal(c.getIssuer(), c.getSubject(), clientId(all), scopes(all),
                stringAt(all, config.tenantClaim()), stringsAt(all, config.rolesClaim()), safeClaims(all));
    }

    static String clientId(Map<String, Object> claims) {
        Object v = claims.get("client_id");
        if (!(v instanceof String)) {
            v = claims.get("azp");
        }
        return v instanceof String s ? s : null;
    }

    static Set<String> scopes(Map<String, Object> claims) {
        Set<String> out = new LinkedHashSet<>();
        Object scope = claims.get("scope");
        if (scope instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        Object scp = claims.get("scp");
        if (scp instanceof Collection<?> list) {
            list.forEach(x -> out.add(String.valueOf(x)));
        } else if (scp instanceof String s) {
            out.addAll(List.of(s.trim().split("\\s+")));
        }
        return out;
    }

    /** A claim by dotted path ({@code realm_access.roles}). */
    static Object at(Map<String, Object> claims, String path) {
        if (path == null) {
            return null;
        }
        Object current = claims;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(part);
        }
        return current;
    }

    static String stringAt(Map<String, Object> claims, String path) {
        return at(claims, path) instanceof String s ? s : null;
    }

    static Set<String> stringsAt(Map<String, Object> claims, String path) {
        Object v = at(claims, path);
        Set<String> out = new HashSet<>();
        if (v instanceof Collection<?> list) {
            list.forEach(x -> out.add(String.valueOf(x)));
        } else if (v instanceof String s) {
            out.addAll(List.of(s.trim().split("\\s+")));
        }
        return out;
    }

    /** Claims for policies: JSON-like values with dates as epoch seconds. */
    private static Map<String, Object> safeClaims(Map<String, Object> claims) {
        Map<String, Object> out = new HashMap<>();
        claims.forEach((k, v) -> {
            if (v instanceof Date d) {
                out.put(k, d.getTime() / 1000);
            } else if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static TokenRejected invalid(String why) {
        return new TokenRejected(TokenRejected.Reason.INVALID, why);
    }
}
