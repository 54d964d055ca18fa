package dev.mcpwarden.server.http;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.pipeline.Rejection;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** One HTTP request to the MCP endpoint as the HTTP-level stages see it. */
public final class HttpExchange {

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final int maxBodyBytes;
    private byte[] body;

    HttpExchange(Request request, Response response, Callback callback, int maxBodyBytes) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.maxBodyBytes = maxBodyBytes;
    }

    public String method() {
        return request.getMethod();
    }

    /** A request header, trimmed of optional white space; null when absent. */
    public String header(String name) {
        String v = request.getHeaders().get(name);
        return v == null ? null : v.strip();
    }

    public HttpFields headers() {
        return request.getHeaders();
    }

    /** Every header whose name starts with {@code prefix} (case-insensitive). */
    public Iterable<HttpField> headersStartingWith(String prefix) {
        return () -> request.getHeaders().stream()
                .filter(f -> f.getName().regionMatches(true, 0, prefix, 0, prefix.length())).iterator();
    }

    /** The body, read at most once, refused with 413 when larger than allowed. */
    public byte[] body() {
        if (body != null) {
            return body;
        }
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            throw tooLarge();
        }
        try (InputStream in = Request.asInputStream(request)) {
            byte[] read = in.readNBytes(maxBodyBytes + 1);
            if (read.length > maxBodyBytes) {
                throw tooLarge();
            }
            body = read;
            return body;
        } catch (IOException e) {
            throw new Rejection(400, ErrorCodes.INVALID_REQUEST, "Bad Request: the request body could not be read");
        }
    }

    private Rejection tooLarge() {
        return new Rejection(413, ErrorCodes.INVALID_REQUEST,
                "Payload Too Large: the request body exceeds " + maxBodyBytes + " bytes");
    }

    Request request() {
        return request;
    }

    Response response() {
        return response;
    }

    Callback callback() {
        return callback;
    }
}
