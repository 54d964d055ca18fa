package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 6750 bearer authentication: the token only in the {@code Authorization} header, exactly once. Anything else
 * is a 401 challenge pointing at the protected resource metadata; an unverifiable token is a 503. Tokens are never
 * logged.
 */
final class BearerAuthenticator implements Authenticator {

    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");
    private static final Pattern QUERY_TOKEN = Pattern.compile("(^|&)access_token=", Pattern.CASE_INSENSITIVE);

    private final TokenVerifier verifier;
    private final Challenges challenges;
    private final DpopVerifier dpop;

    private final java.time.Duration clockSkew;

    BearerAuthenticator(TokenVerifier verifier, Challenges challenges, DpopVerifier dpop) {
        this(verifier, challenges, dpop, java.time.Duration.ZERO);
    }

    /** @param clockSkew how long past its {@code exp} a token is still accepted (the verifier's tolerance) */
    BearerAuthenticator(TokenVerifier verifier, Challenges challenges, DpopVerifier dpop,
                        java.time.Duration clockSkew) {
        this.clockSkew = clockSkew;
        this.verifier = verifier;
        this.challenges = challenges;
        this.dpop = dpop;
    }

    /** A principal it returns is the one the request's Bearer token names (DPoP-bound tokens are not exchanged). */
    @Override
    public boolean verifiesBearerToken() {
        return true;
    }

    /**
     * RFC 6750 b64token, {@code [A-Za-z0-9\-._~+/]+=*}, checked by hand: a regex costs microseconds on a JWT's
     * length.
     */
    static boolean isToken68(String token) {
        int n = token.length();
        int i = 0;
        while (i < n && token68(token.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return false;
        }
        while (i < n && token.charAt(i) == '=') {
            i++;
        }
        return i == n;
    }

    private static boolean token68(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~' || c == '+' || c == '/';
    }

    /**
     * Only a single bearer token verified before is answered from memory. Anything else (no token, a new token, a
     * DPoP proof whose replay store may be shared) takes the ordinary path.
     */
    @Override
    public boolean mayBlock(RequestHead request) {
        List<String> headers = request.headers("Authorization");
        if (headers.size() != 1 || request.query() != null) {
            return true;
        }
        String value = headers.get(0).strip();
        if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return true;
        }
        return !verifier.answersFromMemory(value.substring(7).strip());
    }

    /** A token's {@code exp} plus the skew the verifier tolerates: the instant it stops being accepted. */
    @Override
    public java.time.Instant validUntil(Principal principal) {
        java.time.Instant exp = Authenticator.super.validUntil(principal);
        return exp == null ? null : exp.plus(clockSkew);
    }

    @Override
    public Principal authenticate(RequestHead request) {
        String query = request.query();
        if (query != null && QUERY_TOKEN.matcher(query).find()) {
            SECURITY.warn("access token sent in the query string was refused");
            throw challenges.badRequest("send the access token in the Authorization header, never in the URL");
        }
        List<String> headers = request.headers("Authorization");
        if (headers.isEmpty()) {
            throw challenges.missing();
        }
        if (headers.size() > 1) {
            throw challenges.badRequest("send exactly one Authorization header");
        }
        String value = headers.get(0).strip();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? "" : value.substring(0, space).toLowerCase(Locale.ROOT);
        boolean dpopScheme = scheme.equals("dpop");
        if (!scheme.equals("bearer") && !(dpopScheme && dpop != null)) {
            throw challenges.missing();
        }
        if (!dpopScheme && dpop != null && dpop.config().mode() == Dpop.Mode.REQUIRED) {
            throw challenges.badRequest("this server accepts DPoP-bound tokens only");
        }
        String token = value.substring(space + 1).strip();
        if (!isToken68(token)) {
            throw challenges.invalidToken();
        }
        Principal principal;
        try {
            principal = verifier.verify(token).principal();
        } catch (TokenRejected e) {
            if (e.reason() == TokenRejected.Reason.UNAVAILABLE) {
                SECURITY.error("token could not be verified: {}", e.getMessage());
                throw challenges.unavailable();
            }
            SECURITY.info("token rejected: {}", e.getMessage());
            throw challenges.invalidToken();
        }
        boolean bound = principal.claims().get("cnf") instanceof java.util.Map<?, ?> cnf && cnf.get("jkt") != null;
        if (!dpopScheme) {
            if (bound) {
                // RFC 9449 §7.2: a DPoP-bound token presented as a bearer token is refused.
                SECURITY.warn("DPoP-bound token presented as a bearer token: subject={}", principal.subject());
                throw challenges.invalidToken();
            }
            return principal;
        }
        List<String> proofs = request.headers("DPoP");
        if (proofs.size() != 1) {
            throw challenges.invalidProof("send exactly one DPoP proof header", null);
        }
        DpopVerifier.Failure failure = dpop.check(proofs.get(0).strip(), request.method(), token, principal.claims());
        if (failure != null && failure.unavailable()) {
            // like an unverifiable token: the client did nothing wrong, and may retry shortly
            SECURITY.error("DPoP proof refused unchecked: {}", failure.description());
            throw challenges.proofUnavailable();
        }
        if (failure != null && failure.limited()) {
            SECURITY.warn("DPoP proofs over the per-key quota: subject={}", principal.subject());
            throw dev.mcpwarden.server.pipeline.Rejection.rateLimited("dpop-proofs", failure.retryAfterSeconds());
        }
        if (failure != null) {
            SECURITY.info("DPoP proof rejected: {}", failure.description());
            throw challenges.invalidProof(failure.description(), failure.useNonce() ? dpop.currentNonce() : null);
        }
        return principal;
    }
}
