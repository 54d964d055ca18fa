package dev.mcpwarden.core.jsonrpc;

/** JSON-RPC and MCP error codes. */
public final class ErrorCodes {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** 2026-07-28: routing headers missing, malformed or not matching the body. */
    public static final int HEADER_MISMATCH = -32020;
    /** 2026-07-28: the request needs a client capability that the request's {@code _meta} did not declare. */
    public static final int MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
    /** 2026-07-28: the requested protocol version is not supported. */
    public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;
    /**
     * Implementation-defined server error (JSON-RPC -32000..-32099) used for "too many requests"; the HTTP answer
     * is 429 with {@code Retry-After}.
     */
    public static final int RATE_LIMITED = -32000;
    /** Legacy (2025) resource-not-found code, never emitted on the 2026 wire. */
    public static final int LEGACY_RESOURCE_NOT_FOUND = -32002;

    private ErrorCodes() {
    }
}
