package dev.mcpwarden.server.http;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.Locale;

/**
 * Content negotiation: a POST must send {@code application/json} (415 otherwise) and accept both
 * {@code application/json} and {@code text/event-stream} (406 otherwise); a GET must accept
 * {@code text/event-stream}.
 */
final class MediaTypeStage implements Stage<HttpExchange, Void> {

    /** Looks at the request head or parsed body only. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private static final String COMMON_ACCEPT = "application/json, text/event-stream";
    private static final String COMMON_ACCEPT_SSE_FIRST = "text/event-stream, application/json";

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        String accept = ex.header("Accept");
        if ("POST".equals(ex.method())) {
            String type = ex.header("Content-Type");
            if (type == null || !mediaType(type).equals("application/json")) {
                throw Rejection.unsupportedMediaType(
                        "Unsupported Media Type: Content-Type must be application/json");
            }
            if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
                throw Rejection.notAcceptable(
                        "Not Acceptable: Accept must include application/json and text/event-stream");
            }
        } else if ("GET".equals(ex.method()) && !accepts(accept, "text/event-stream")) {
            throw Rejection.notAcceptable("Not Acceptable: Accept must include text/event-stream");
        }
        return chain.proceed(ex);
    }

    private static String mediaType(String header) {
        if (header.equals("application/json")) {
            return header;
        }
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    static boolean accepts(String accept, String type) {
        if (accept == null) {
            return false;
        }
        if (accept.equals(type) || accept.equals(COMMON_ACCEPT) || accept.equals(COMMON_ACCEPT_SSE_FIRST)) {
            return true; // what MCP clients send: no parsing on the hot path
        }
        String major = type.substring(0, type.indexOf('/')) + "/*";
        for (String part : accept.split(",")) {
            String m = mediaType(part);
            if (m.equals(type) || m.equals("*/*") || m.equals(major)) {
                return true;
            }
        }
        return false;
    }
}
