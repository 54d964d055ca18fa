package dev.mcpwarden.security.oauth;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.auth.Principal;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Checks opaque tokens with the authorization server's introspection endpoint (RFC 7662). An active token must
 * name this server in {@code aud} and come from the trusted issuer; if the endpoint cannot be reached or refuses
 * our credentials, the token is unavailable (503), never accepted. Results are reused for at most
 * {@link Introspection#maxCacheTtl()} and never beyond the token's expiry.
 */
final class IntrospectionVerifier implements TokenVerifier {

    private static final int MAX_RESPONSE = 64 * 1024;

    private final Introspection config;
    private final ResourceServerConfig server;
    private final InstantSource clock;
    private final HttpClient http;

    public IntrospectionVerifier(Introspection config, ResourceServerConfig server, InstantSource clock) {
        this.config = config;
        this.server = server;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Verified verify(String token) throws TokenRejected {
        JsonNode doc = introspect(token);
        if (!doc.path("active").asBoolean(false)) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "introspection says inactive");
        }
        Instant now = clock.instant();
        long skew = server.clockSkew().toSeconds();
        if (doc.has("exp") && doc.get("exp").asLong() + skew <= now.getEpochSecond()) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "expired");
        }
        if (doc.has("nbf") && doc.get("nbf").asLong() - skew > now.getEpochSecond()) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "not yet valid");
        }
        String issuer = doc.has("iss") ? doc.get("iss").asString("") : config.issuer();
        if (!issuer.equals(config.issuer())) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "untrusted issuer");
        }
        if (!audienceMatches(doc.get("aud"))) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "not issued for this resource");
        }
        if (!doc.path("sub").isString()) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "no subject");
        }
        Map<String, Object> claims = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : doc.properties()) {
            claims.put(e.getKey(), Json.standard().mapper().convertValue(e.getValue(), Object.class));
        }
        Principal p = new Principal(issuer, doc.get("sub").asString(), JwtVerifier.clientId(claims),
                JwtVerifier.scopes(claims), JwtVerifier.stringAt(claims, server.tenantClaim()),
                JwtVerifier.stringsAt(claims, server.rolesClaim()), claims);
        Instant until = now.plus(config.maxCacheTtl());
        if (doc.has("exp")) {
            Instant exp = Instant.ofEpochSecond(doc.get("exp").asLong());
            until = exp.isBefore(until) ? exp : until;
        }
        return new Verified(p, until);
    }

    private boolean audienceMatches(JsonNode aud) {
        if (aud == null) {
            return false;
        }
        String r = server.resource().toString();
        String alt = r.endsWith("/") ? r.substring(0, r.length() - 1) : r + "/";
        if (aud.isString()) {
            return aud.asString().equals(r) || aud.asString().equals(alt);
        }
        for (JsonNode a : aud) {
            if (a.asString("").equals(r) || a.asString("").equals(alt)) {
                return true;
            }
        }
        return false;
    }

    private JsonNode introspect(String token) throws TokenRejected {
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token";
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(config.clientId(), StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(config.clientSecret(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(config.endpoint()).timeout(config.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TokenRejected(TokenRejected.Reason.UNAVAILABLE, "introspection unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenRejected(TokenRejected.Reason.UNAVAILABLE, "introspection interrupted");
        }
        if (response.statusCode() != 200) {
            throw new TokenRejected(TokenRejected.Reason.UNAVAILABLE,
                    "introspection answered HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_RESPONSE) {
            throw new TokenRejected(TokenRejected.Reason.UNAVAILABLE, "introspection response too large");
        }
        try {
            JsonNode doc = Json.standard().parse(response.body());
            if (!doc.isObject()) {
                throw new TokenRejected(TokenRejected.Reason.UNAVAILABLE, "introspection response is not an object");
            }
            return doc;
        } catch (JacksonException e) {
            throw new TokenRejected(TokenRejected.Reason.UNAVAILABLE, "introspection response is not JSON");
        }
    }
}
