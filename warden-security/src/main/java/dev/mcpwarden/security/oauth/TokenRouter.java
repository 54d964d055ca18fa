package dev.mcpwarden.security.oauth;

/** JWTs (three base64url parts) go to the JWT verifier; anything else to introspection, when configured. */
final class TokenRouter implements TokenVerifier {

    private final TokenVerifier jwt;
    private final TokenVerifier opaque;

    TokenRouter(TokenVerifier jwt, TokenVerifier opaque) {
        this.jwt = jwt;
        this.opaque = opaque;
    }

    @Override
    public Verified verify(String token) throws TokenRejected {
        if (opaque == null || looksLikeJwt(token)) {
            return jwt.verify(token);
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
