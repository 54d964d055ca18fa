package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.auth.Principal;

/**
 * JWTs (three base64url parts) go to the JWT verifier; anything else to introspection, when configured. A JWT of
 * {@code introspectedIssuer} is introspected as well once its signature checked out, so that its revocation reaches
 * this server: it is accepted only while the authorization server says it is active, for as long as both answers
 * allow.
 */
final class TokenRouter implements TokenVerifier {

    private final TokenVerifier jwt;
    private final TokenVerifier opaque;
    private final String introspectedIssuer;

    TokenRouter(TokenVerifier jwt, TokenVerifier opaque) {
        this(jwt, opaque, null);
    }

    /** @param introspectedIssuer the issuer whose JWTs are introspected too, or null for opaque tokens only */
    TokenRouter(TokenVerifier jwt, TokenVerifier opaque, String introspectedIssuer) {
        this.jwt = jwt;
        this.opaque = opaque;
        this.introspectedIssuer = opaque == null ? null : introspectedIssuer;
    }

    @Override
    public Verified verify(String token) throws TokenRejected {
        if (opaque == null || looksLikeJwt(token)) {
            Verified local = jwt.verify(token);
            Principal p = local.principal();
            if (introspectedIssuer == null || !introspectedIssuer.equals(p.issuer())) {
                return local;
            }
            Verified live = opaque.verify(token); // inactive (revoked): rejected; unreachable: 503
            return new Verified(p, live.expiresAt().isBefore(local.expiresAt()) ? live.expiresAt()
                    : local.expiresAt());
        }
        return opaque.verify(token);
    }

    static boolean looksLikeJwt(String token) {
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) == '.') {
                dots++;
            }
        }
        return dots == 2 || dots == 4;
    }
}
