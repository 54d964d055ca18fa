package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A small OpenID provider for tests: discovery, an authorization endpoint that signs in {@link #SUBJECT} at once,
 * a token endpoint checking client secret, code, redirect URI and PKCE, and RS256 ID tokens. Knobs let a test make
 * it misbehave (wrong nonce, wrong audience).
 */
final class FakeUpstreamProvider implements AutoCloseable {

    static final String CLIENT_ID = "warden-at-upstream";
    static final String CLIENT_SECRET = "upstream-secret";
    static final String SUBJECT = "upstream-user-42";
    /** The upstream access token: it must never reach an MCP client. */
    static final String UPSTREAM_ACCESS_TOKEN = "UPSTREAM-ACCESS-TOKEN-do-not-leak";

    private record Pending(String redirect, String nonce, String challenge) {
    }

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final RSAKey key = new RSAKeyGenerator(2048).keyID("up-1").generate();
    private final Map<String, Pending> codes = new ConcurrentHashMap<>();
    volatile String issuer;
    volatile boolean wrongNonce;
    volatile boolean wrongAudience;
    /** The {@code sub} of the ID token. */
    volatile String subject = SUBJECT;
    /** The {@code email_verified} claim: true, false, "true", or null for none. */
    volatile Object emailVerified = true;
    volatile Map<String, String> lastAuthorizationRequest = Map.of();

    FakeUpstreamProvider() throws Exception {
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                switch (path) {
                    case "/.well-known/openid-configuration" -> json(response, callback, 200, "{\"issuer\":\"" + issuer
                            + "\",\"authorization_endpoint\":\"" + issuer + "/authorize\",\"token_endpoint\":\""
                            + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks\",\"response_types_supported\":"
                            + "[\"code\"],\"subject_types_supported\":[\"public\"],"
                            + "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
                            + "\"code_challenge_methods_supported\":[\"S256\"]}");
                    case "/jwks" -> json(response, callback, 200, "{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}");
                    case "/authorize" -> authorize(request, response, callback);
                    case "/token" -> token(request, response, callback);
                    default -> Response.writeError(request, response, callback, 404);
                }
                return true;
            }
        });
        server.start();
        issuer = "http://127.0.0.1:" + connector.getLocalPort();
    }

    private void authorize(Request request, Response response, Callback callback) {
        Map<String, String> q = single(URLUtils.parseParameters(request.getHttpURI().getQuery()));
        lastAuthorizationRequest = q;
        String code = "upcode-" + java.util.UUID.randomUUID();
        codes.put(code, new Pending(q.get("redirect_uri"), q.get("nonce"), q.get("code_challenge")));
        response.setStatus(302);
        response.getHeaders().put("Location", q.get("redirect_uri") + "?code=" + code + "&state="
                + URLUtils.serializeParameters(Map.of("s", List.of(q.get("state")))).substring(2) + "&iss="
                + URLUtils.serializeParameters(Map.of("s", List.of(issuer))).substring(2));
        response.write(true, null, callback);
    }

    private void token(Request request, Response response, Callback callback) throws Exception {
        String body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> f = single(URLUtils.parseParameters(body));
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        Pending p = codes.remove(f.getOrDefault("code", ""));
        if (!expected.equals(request.getHeaders().get("Authorization"))) {
            json(response, callback, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        if (p == null || !p.redirect().equals(f.get("redirect_uri"))
                || !Pkce.s256(f.getOrDefault("code_verifier", "")).equals(p.challenge())) {
            json(response, callback, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        Date now = new Date();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        if (emailVerified != null) {
            b.claim("email_verified", emailVerified);
        }
        JWTClaimsSet claims = b.issuer(issuer).subject(subject)
                .audience(wrongAudience ? "someone-else" : CLIENT_ID)
                .issueTime(now).expirationTime(new Date(now.getTime() + 300_000))
                .claim("nonce", wrongNonce ? "not-the-nonce" : p.nonce())
                .claim("email", "user42@upstream.example").build();
        SignedJWT idToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("up-1").build(), claims);
        idToken.sign(new RSASSASigner(key));
        json(response, callback, 200, "{\"access_token\":\"" + UPSTREAM_ACCESS_TOKEN + "\",\"token_type\":\"Bearer\","
                + "\"expires_in\":300,\"refresh_token\":\"UPSTREAM-REFRESH\",\"id_token\":\"" + idToken.serialize()
                + "\"}");
    }

    private static Map<String, String> single(Map<String, List<String>> m) {
        Map<String, String> out = new java.util.HashMap<>();
        m.forEach((k, v) -> out.put(k, v.get(0)));
        return out;
    }

    private static void json(Response response, Callback callback, int status, String json) {
        response.setStatus(status);
        response.getHeaders().put("Content-Type", "application/json");
        response.getHeaders().put("Cache-Control", "no-store");
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
