package dev.mcpwarden.server.pipeline;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.JsonRpcError;
import dev.mcpwarden.core.jsonrpc.McpError;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request refused before (or instead of) an answer: one sealed family of kinds, each mapped here, once, to its HTTP
 * status, its headers and its JSON-RPC error, for HTTP, stdio and the audit record alike (the table is
 * {@code docs/errors.md}). Messages are for the client: never an internal detail. An internal reason for the audit
 * trail travels beside it ({@link #because}) and is never sent.
 */
public abstract sealed class Rejection extends RuntimeException {

    private final transient JsonNode id;
    private final String reason;

    private Rejection(String message, JsonNode id, String reason) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.id = id;
        this.reason = reason;
    }

    /** The HTTP status that carries it. */
    public abstract int status();

    /** The JSON-RPC error code. */
    public int code() {
        return ErrorCodes.INVALID_REQUEST;
    }

    /** The JSON-RPC error's data, or null. */
    public JsonNode data() {
        return null;
    }

    /** Response headers that go with it ({@code WWW-Authenticate}, {@code Retry-After}, {@code Allow}, ...). */
    public Map<String, String> headers() {
        return Map.of();
    }

    /** The word the audit record gives its outcome: {@code invalid_token}, {@code rate_limited}, ... */
    public abstract String outcome();

    abstract Rejection copy(JsonNode id, String reason);

    /** The same rejection answering the request with this id. */
    public final Rejection withId(JsonNode requestId) {
        return copy(requestId, reason);
    }

    /**
     * The same rejection with an internal reason for the audit trail, e.g. {@code session_principal_mismatch}. The
     * reason is never sent to the client: where the client must not learn why (a hijacked session looks like a
     * missing one), only the audit log does.
     */
    public final Rejection because(String internalReason) {
        return copy(id, internalReason);
    }

    /** The internal reason for the audit trail, or null. */
    public final String reason() {
        return reason;
    }

    /** The id of the request being refused, or null when it is unknown. */
    public final JsonNode id() {
        return id;
    }

    /** The JSON-RPC error of the response body. */
    public final JsonRpcError toError() {
        return new JsonRpcError(code(), getMessage(), data());
    }

    /** A kind that is its status and outcome word and nothing more (no headers, no data). */
    abstract static sealed class Plain extends Rejection permits BadRequest, Forbidden, NotFound, NotAcceptable,
            Conflict, RequestTimeout, PayloadTooLarge, UnsupportedMediaType {
        private final int status;
        private final String outcome;

        private Plain(String message, JsonNode id, String reason, int status, String outcome) {
            super(message, id, reason);
            this.status = status;
            this.outcome = outcome;
        }

        @Override
        public final int status() {
            return status;
        }

        @Override
        public final String outcome() {
            return outcome;
        }
    }

    // ---- the kinds

    /** 400: the request is malformed (no session where one is needed, an incomplete body, a batch, ...). */
    public static Rejection badRequest(String message) {
        return new BadRequest(message, null, null);
    }

    /** 401: no usable credential, or one that does not hold; the challenge says which. */
    public static Rejection unauthorized(String message, Challenge challenge) {
        return new Unauthorized(message, challenge, null, null);
    }

    /** 403 with a step-up challenge: the credential lacks scopes the operation needs. */
    public static Rejection insufficientScope(String message, Challenge challenge) {
        return new InsufficientScope(message, challenge, null, null);
    }

    /** 403: refused whoever asks (a Host or Origin not allowed, a cross-origin request). */
    public static Rejection forbidden(String message) {
        return new Forbidden(message, null, null);
    }

    /** 404: no such session or path. */
    public static Rejection notFound(String message) {
        return new NotFound(message, null, null);
    }

    /** 405 with {@code Allow}. */
    public static Rejection methodNotAllowed(String message, String allow) {
        return new MethodNotAllowed(message, allow, null, null);
    }

    /** 406: the client does not accept what this endpoint answers with. */
    public static Rejection notAcceptable(String message) {
        return new NotAcceptable(message, null, null);
    }

    /** 409: the request conflicts with the session's state (a second GET stream). */
    public static Rejection conflict(String message) {
        return new Conflict(message, null, null);
    }

    /**
     * 408: the request body arrived slower than the transport's minimum data rate; nothing of it was processed and
     * the connection is closed.
     */
    public static Rejection requestTimeout(String message) {
        return new RequestTimeout(message, null, null);
    }

    /** 413: the body is larger than allowed. */
    public static Rejection payloadTooLarge(String message) {
        return new PayloadTooLarge(message, null, null);
    }

    /** 415: the body is not JSON. */
    public static Rejection unsupportedMediaType(String message) {
        return new UnsupportedMediaType(message, null, null);
    }

    /** 429 with {@code Retry-After}: a rate or concurrency limit is reached. */
    public static Rejection rateLimited(String limit, long retryAfterSeconds) {
        return new RateLimited(limit, retryAfterSeconds, null, null);
    }

    /** 503 with {@code Retry-After}: something Warden needs (keys, the rate limiter, the audit log) is down. */
    public static Rejection unavailable(String message, long retryAfterSeconds) {
        return new Unavailable(message, retryAfterSeconds, null, null);
    }

    /** 500: Warden failed; the error id ties the answer to the log. */
    public static Rejection internal(String errorId) {
        return new Internal(errorId, null, null);
    }

    /**
     * A protocol error (JSON-RPC) as the rejection that carries it: the era decides the status (an unknown method is
     * 404 on the 2026-07-28 wire, 200 on the 2025 wire).
     */
    public static Rejection protocol(McpError error, JsonNode id, boolean modern) {
        int status = error.httpStatus();
        if (status == 0) {
            status = switch (error.code()) {
                case ErrorCodes.PARSE_ERROR, ErrorCodes.INVALID_REQUEST -> 400;
                case ErrorCodes.METHOD_NOT_FOUND -> modern ? 404 : 200;
                case ErrorCodes.HEADER_MISMATCH, ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY,
                     ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION -> 400;
                default -> 200;
            };
        } else if (!modern && error.code() == ErrorCodes.METHOD_NOT_FOUND) {
            status = 200;
        }
        return new Protocol(error.getMessage(), status, error.code(), error.data(), id, null);
    }

    /** See {@link #badRequest}. */
    public static final class BadRequest extends Plain {
        private BadRequest(String message, JsonNode id, String reason) {
            super(message, id, reason, 400, "rejected");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new BadRequest(getMessage(), id, reason);
        }
    }

    /** See {@link #unauthorized}. */
    public static final class Unauthorized extends Rejection {
        private final Challenge challenge;

        private Unauthorized(String message, Challenge challenge, JsonNode id, String reason) {
            super(message, id, reason);
            this.challenge = Objects.requireNonNull(challenge, "challenge");
        }

        public Challenge challenge() {
            return challenge;
        }

        @Override
        public int status() {
            return 401;
        }

        @Override
        public Map<String, String> headers() {
            return challengeHeaders(challenge);
        }

        /** The OAuth error ({@code invalid_token}, {@code invalid_request}, ...), or {@code unauthorized}. */
        @Override
        public String outcome() {
            return challenge.error() == null ? "unauthorized" : challenge.error();
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new Unauthorized(getMessage(), challenge, id, reason);
        }
    }

    /** See {@link #insufficientScope}. */
    public static final class InsufficientScope extends Rejection {
        private final Challenge challenge;

        private InsufficientScope(String message, Challenge challenge, JsonNode id, String reason) {
            super(message, id, reason);
            this.challenge = Objects.requireNonNull(challenge, "challenge");
        }

        public Challenge challenge() {
            return challenge;
        }

        @Override
        public int status() {
            return 403;
        }

        @Override
        public Map<String, String> headers() {
            return challengeHeaders(challenge);
        }

        @Override
        public String outcome() {
            return "insufficient_scope";
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new InsufficientScope(getMessage(), challenge, id, reason);
        }
    }

    private static Map<String, String> challengeHeaders(Challenge challenge) {
        return challenge.nonce() == null ? Map.of("WWW-Authenticate", challenge.header())
                : Map.of("WWW-Authenticate", challenge.header(), "DPoP-Nonce", challenge.nonce());
    }

    /** See {@link #forbidden}. */
    public static final class Forbidden extends Plain {
        private Forbidden(String message, JsonNode id, String reason) {
            super(message, id, reason, 403, "forbidden");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new Forbidden(getMessage(), id, reason);
        }
    }

    /** See {@link #notFound}. */
    public static final class NotFound extends Plain {
        private NotFound(String message, JsonNode id, String reason) {
            super(message, id, reason, 404, "not_found");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new NotFound(getMessage(), id, reason);
        }
    }

    /** See {@link #methodNotAllowed}. */
    public static final class MethodNotAllowed extends Rejection {
        private final String allow;

        private MethodNotAllowed(String message, String allow, JsonNode id, String reason) {
            super(message, id, reason);
            this.allow = Objects.requireNonNull(allow, "allow");
        }

        @Override
        public int status() {
            return 405;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("Allow", allow);
        }

        @Override
        public String outcome() {
            return "rejected";
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new MethodNotAllowed(getMessage(), allow, id, reason);
        }
    }

    /** See {@link #notAcceptable}. */
    public static final class NotAcceptable extends Plain {
        private NotAcceptable(String message, JsonNode id, String reason) {
            super(message, id, reason, 406, "rejected");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new NotAcceptable(getMessage(), id, reason);
        }
    }

    /** See {@link #conflict}. */
    public static final class Conflict extends Plain {
        private Conflict(String message, JsonNode id, String reason) {
            super(message, id, reason, 409, "rejected");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new Conflict(getMessage(), id, reason);
        }
    }

    /** See {@link #requestTimeout}. */
    public static final class RequestTimeout extends Plain {
        private RequestTimeout(String message, JsonNode id, String reason) {
            super(message, id, reason, 408, "rejected");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new RequestTimeout(getMessage(), id, reason);
        }
    }

    /** See {@link #payloadTooLarge}. */
    public static final class PayloadTooLarge extends Plain {
        private PayloadTooLarge(String message, JsonNode id, String reason) {
            super(message, id, reason, 413, "rejected");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new PayloadTooLarge(getMessage(), id, reason);
        }
    }

    /** See {@link #unsupportedMediaType}. */
    public static final class UnsupportedMediaType extends Plain {
        private UnsupportedMediaType(String message, JsonNode id, String reason) {
            super(message, id, reason, 415, "rejected");
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new UnsupportedMediaType(getMessage(), id, reason);
        }
    }

    /** See {@link #rateLimited}. */
    public static final class RateLimited extends Rejection {
        private final String limit;
        private final long retryAfterSeconds;

        private RateLimited(String limit, long retryAfterSeconds, JsonNode id, String reason) {
            super("Too Many Requests: rate limit " + limit + " exceeded", id, reason);
            this.limit = Objects.requireNonNull(limit, "limit");
            this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
        }

        /** The name of the limit that was reached. */
        public String limit() {
            return limit;
        }

        @Override
        public int status() {
            return 429;
        }

        @Override
        public int code() {
            return ErrorCodes.RATE_LIMITED;
        }

        @Override
        public JsonNode data() {
            ObjectNode data = Json.object();
            data.put("limit", limit);
            data.put("retryAfterSeconds", retryAfterSeconds);
            return data;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("Retry-After", Long.toString(retryAfterSeconds));
        }

        @Override
        public String outcome() {
            return "rate_limited";
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new RateLimited(limit, retryAfterSeconds, id, reason);
        }
    }

    /** See {@link #unavailable}. */
    public static final class Unavailable extends Rejection {
        private final long retryAfterSeconds;

        private Unavailable(String message, long retryAfterSeconds, JsonNode id, String reason) {
            super(message, id, reason);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public int status() {
            return 503;
        }

        @Override
        public int code() {
            return ErrorCodes.INTERNAL_ERROR;
        }

        @Override
        public Map<String, String> headers() {
            return retryAfterSeconds > 0 ? Map.of("Retry-After", Long.toString(retryAfterSeconds)) : Map.of();
        }

        @Override
        public String outcome() {
            return "unavailable";
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new Unavailable(getMessage(), retryAfterSeconds, id, reason);
        }
    }

    /** See {@link #internal}. */
    public static final class Internal extends Rejection {
        private final String errorId;

        private Internal(String errorId, JsonNode id, String reason) {
            super("Internal error (error id " + errorId + ")", id, reason);
            this.errorId = errorId;
        }

        @Override
        public int status() {
            return 500;
        }

        @Override
        public int code() {
            return ErrorCodes.INTERNAL_ERROR;
        }

        @Override
        public String outcome() {
            return "error";
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new Internal(errorId, id, reason);
        }
    }

    /** See {@link #protocol}. */
    public static final class Protocol extends Rejection {
        private final int status;
        private final int code;
        private final transient JsonNode data;

        private Protocol(String message, int status, int code, JsonNode data, JsonNode id, String reason) {
            super(message, id, reason);
            this.status = status;
            this.code = code;
            this.data = data;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public int code() {
            return code;
        }

        @Override
        public JsonNode data() {
            return data;
        }

        @Override
        public String outcome() {
            return code == ErrorCodes.INVALID_PARAMS ? "invalid_params" : "rejected";
        }

        @Override
        Rejection copy(JsonNode id, String reason) {
            return new Protocol(getMessage(), status, code, data, id, reason);
        }
    }
}
