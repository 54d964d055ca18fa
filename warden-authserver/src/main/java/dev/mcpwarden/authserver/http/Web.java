package dev.mcpwarden.authserver.http;

import com.nimbusds.oauth2.sdk.util.URLUtils;
import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.JsonNode;

/** Small request and response helpers for the endpoints (Jetty core API). */
final class Web {

    static final int MAX_FORM_BYTES = 64 * 1024;

    /** A malformed request: the message is safe to show. */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private Web() {
    }

    static Map<String, List<String>> query(Request request) {
        String q = request.getHttpURI().getQuery();
        return q == null ? Map.of() : URLUtils.parseParameters(q);
    }

    static Map<String, List<String>> form(Request request) throws BadRequest {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new BadRequest(400, "the request body must be application/x-www-form-urlencoded");
        }
        return URLUtils.parseParameters(body(request, MAX_FORM_BYTES));
    }

    static String body(Request request, int max) throws BadRequest {
        long declared = request.getLength();
        if (declared > max) {
            throw new BadRequest(413, "the request body is too large");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new BadRequest(413, "the request body is too large");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadRequest(400, "the request body could not be read");
        }
    }

    /** One value per parameter; a repeated parameter is an error (RFC 6749 §3.1). */
    static Map<String, String> single(Map<String, List<String>> params) throws BadRequest {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            if (e.getValue().size() > 1) {
                throw new BadRequest(400, "parameter " + clip(e.getKey()) + " is repeated");
            }
            if (!e.getValue().isEmpty() && !e.getValue().get(0).isEmpty()) {
                out.put(e.getKey(), e.getValue().get(0)); // an empty parameter counts as absent (RFC 6749 §3.1)
            }
        }
        return out;
    }

    static String clip(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7E]", "?");
    }

    static String cookie(Request request, String name) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(name)) {
                return c.getValue();
            }
        }
        return null;
    }

    /** Sets a cookie: HttpOnly, SameSite=Lax, Path=/, Secure when the server is on https. */
    static void setCookie(Response response, String name, String value, Duration maxAge, boolean secure) {
        StringBuilder b = new StringBuilder(name).append('=').append(value).append("; Path=/; HttpOnly; SameSite=Lax");
        if (secure) {
            b.append("; Secure");
        }
        if (maxAge != null) {
            b.append("; Max-Age=").append(maxAge.toSeconds());
        }
        response.getHeaders().add(HttpHeader.SET_COOKIE, b.toString());
    }

    static void noStore(Response response) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.PRAGMA, "no-cache");
    }

    static void redirect(Response response, Callback callback, String location) {
        noStore(response);
        response.setStatus(302);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.write(true, null, callback);
    }

    static void json(Response response, Callback callback, int status, JsonNode body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=UTF-8");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, ByteBuffer.wrap(Json.standard().bytes(body)), callback);
    }

    static void text(Response response, Callback callback, int status, String contentType, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
